import { describe, expect, it } from 'vitest';
import { ChunkCompletion } from './chunk-completion.js';

/** The tool-call deltas of one choice, one chunk each, as ChunkCompletion hands them on: `index` and `type` of each. */
function numbered(...deltas: object[]): string[] {
  const completion = new ChunkCompletion('upstream', undefined);
  return deltas.map((delta) => {
    const chunk = completion.accept({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { tool_calls: [delta] }, finish_reason: null }] });
    const call = chunk.choices[0]!.delta.tool_calls![0]!;
    return `${call.index}${call.type ? `:${call.type}` : ''}`;
  });
}

const start = (index: number | undefined, id: string, name = 'f') => ({ ...(index === undefined ? {} : { index }), id, type: 'function', function: { name, arguments: '' } });
const more = (index: number | undefined, text = '{}') => ({ ...(index === undefined ? {} : { index }), function: { arguments: text } });

describe('ChunkCompletion numbering tool calls', () => {
  it('keeps the indexes of an OpenAI-shaped stream as they are, parallel calls interleaved', () => {
    expect(numbered(start(0, 'a'), start(1, 'b'), more(0), more(1), more(0))).toEqual(['0:function', '1:function', '0', '1', '0']);
  });

  it('keeps a name repeated with its id, or a fresh id without a name, on the call of its index', () => {
    expect(numbered(start(0, 'a'), { index: 0, id: 'a', function: { name: 'f', arguments: '{' } }, { index: 0, id: 'x', function: { arguments: '}' } })).toEqual(['0:function', '0:function', '0:function']);
  });

  it('numbers deltas without index in order of appearance; one without an id continues the last call', () => {
    expect(numbered(start(undefined, 'a'), more(undefined), start(undefined, 'b'), more(undefined))).toEqual(['0:function', '0', '1:function', '1']);
  });

  it('reads an index that comes only after a first delta without one as that call', () => {
    expect(numbered(start(undefined, 'a'), more(0), more(0))).toEqual(['0:function', '0', '0']);
  });

  it('gives every parallel call sent at index 0 with its own id and name an index of its own, continuations following it', () => {
    expect(numbered(start(0, 'a'), more(0), start(0, 'b'), more(0), start(0, 'c'))).toEqual(['0:function', '0', '1:function', '1', '2:function']);
  });

  it('keeps the indexes an upstream sends even when the calls open out of order', () => {
    expect(numbered(start(1, 'b'), start(0, 'a'), more(1), more(0))).toEqual(['1:function', '0:function', '1', '0']);
  });

  it('keeps parallel calls at indexes of their own when the upstream gives them one id', () => {
    expect(numbered(start(0, 'same'), start(1, 'same'), more(1), more(0))).toEqual(['0:function', '1:function', '1', '0']);
  });

  it("gives a call's first delta without type (Mistral AI's) type 'function', and a custom tool's call none", () => {
    expect(numbered({ index: 0, id: 'a', function: { name: 'f', arguments: '{}' } }, { index: 1, id: 'b', custom: { name: 'sql', input: '' } })).toEqual(['0:function', '1']);
  });
});
