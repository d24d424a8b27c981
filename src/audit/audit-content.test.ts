import { describe, expect, it } from 'vitest';
import type { UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import { completionOf, StreamedCompletion } from './audit-content.js';

const chunk = (choices: unknown[]) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices }) as UpstreamChatCompletionChunk;

describe('StreamedCompletion', () => {
  it('joins deltas into what completionOf gives unstreamed; empty or null tool_calls add no list', () => {
    const streamed = new StreamedCompletion();
    streamed.add(chunk([{ index: 0, delta: { role: 'assistant', content: '' } }, { index: 1, delta: { content: 'Hel', tool_calls: [] } }]));
    streamed.add(chunk([{ index: 1, delta: { content: 'lo', tool_calls: null } }]));
    streamed.add(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"q":' } }] } }]));
    streamed.add(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }, finish_reason: 'tool_calls' }]));
    const unstreamed = completionOf([
      { index: 1, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' },
      { index: 0, message: { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"q":"x"}' } }] }, finish_reason: 'tool_calls' },
    ] as unknown as Parameters<typeof completionOf>[0]);
    expect(streamed.result()).toEqual(unstreamed);
    expect(streamed.result()[1]).not.toHaveProperty('tool_calls');
  });
});

describe('StreamedCompletion with content parts', () => {
  // Mistral's Magistral streams its answer as lists of parts (thinking, then text), and may mix in
  // plain text: the record must hold the whole answer, as the unstreamed one does.
  it('joins streamed content parts into the parts completionOf records for the same answer unstreamed', () => {
    const thinking = (text: string) => ({ type: 'thinking', thinking: [{ type: 'text', text }] });
    const streamed = new StreamedCompletion();
    streamed.add(chunk([{ index: 0, delta: { role: 'assistant', content: '' } }]));
    streamed.add(chunk([{ index: 0, delta: { content: [thinking('Hmm.')] } }]));
    streamed.add(chunk([{ index: 0, delta: { content: [thinking(' Yes.')] } }]));
    streamed.add(chunk([{ index: 0, delta: { content: [{ type: 'text', text: 'Bon' }] } }]));
    streamed.add(chunk([{ index: 0, delta: { content: 'jour.' }, finish_reason: 'stop' }]));
    const unstreamed = completionOf([
      { index: 0, message: { role: 'assistant', content: [thinking('Hmm. Yes.'), { type: 'text', text: 'Bonjour.' }] }, finish_reason: 'stop' },
    ] as unknown as Parameters<typeof completionOf>[0]);
    expect(streamed.result()).toEqual(unstreamed);
  });

  it('keeps text that came before the first list of parts, and never changes the chunks it read', () => {
    const part = { type: 'text', text: 'B' };
    const streamed = new StreamedCompletion();
    streamed.add(chunk([{ index: 0, delta: { role: 'assistant', content: 'A' } }]));
    streamed.add(chunk([{ index: 0, delta: { content: [part] } }]));
    streamed.add(chunk([{ index: 0, delta: { content: [{ type: 'text', text: 'C' }] } }]));
    expect(streamed.result()).toEqual([{ content: [{ type: 'text', text: 'ABC' }] }]);
    expect(part).toEqual({ type: 'text', text: 'B' });
  });
});

describe('StreamedCompletion with tool calls whose name comes again', () => {
  // Some upstreams (MiniMax through NVIDIA NIM, some GPT-5 models) send the whole name again in every
  // delta of a call: the openai SDK reads one name, and so must the record.
  it('records the name once when deltas repeat it, and joins a name sent in pieces', () => {
    const streamed = new StreamedCompletion();
    const call = (fn: object, extra: object = {}) => chunk([{ index: 0, delta: { tool_calls: [{ index: 0, ...extra, function: fn }] } }]);
    streamed.add(call({ name: 'read_file', arguments: '' }, { id: 'call_1', type: 'function' }));
    streamed.add(call({ name: 'read_file', arguments: '{"path":' }));
    streamed.add(call({ name: 'read_file', arguments: '"a.txt"}' }));
    streamed.add(chunk([{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'edit_ex', arguments: '' } }] } }]));
    streamed.add(chunk([{ index: 0, delta: { tool_calls: [{ index: 1, function: { name: 'isting_file', arguments: '{}' } }] } }]));
    expect(streamed.result()[0]!.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.txt"}' } },
      { id: 'call_2', type: 'function', function: { name: 'edit_existing_file', arguments: '{}' } },
    ]);
  });
});
