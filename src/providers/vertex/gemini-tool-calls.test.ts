import { describe, expect, it } from 'vitest';
import type { UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import type { Provider } from '../types.js';
import { withGeminiToolCalls } from './gemini-tool-calls.js';

const chunk = (delta: object, finish: string | null = null) =>
  ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gemini-2.5-flash', choices: [{ index: 0, delta, finish_reason: finish }] }) as unknown as UpstreamChatCompletionChunk;

function upstream(chunks: UpstreamChatCompletionChunk[]): Provider {
  return {
    specificationVersion: 'v1',
    id: 'gemini',
    jurisdiction: undefined,
    models: [],
    doChat: async () => ({
      completion: {
        id: 'c',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'stop' }],
      } as never,
    }),
    doChatStream: async () => ({
      chunks: (async function* () {
        yield* chunks;
      })(),
    }),
  };
}

describe('withGeminiToolCalls', () => {
  it('numbers index-less tool calls in order and finishes with tool_calls', async () => {
    const provider = withGeminiToolCalls(
      upstream([
        chunk({ role: 'assistant', tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'first', arguments: '{"x":1}' } }] }),
        chunk({ tool_calls: [{ id: 'call_b', type: 'function', function: { name: 'second', arguments: '{}' } }] }),
        chunk({}, 'stop'),
      ]),
    );
    const { chunks } = await provider.doChatStream({ model: 'm', messages: [] } as never, {});
    const seen: UpstreamChatCompletionChunk[] = [];
    for await (const item of chunks) seen.push(item);
    expect(seen.flatMap((item) => item.choices[0]?.delta.tool_calls ?? []).map((call) => [call.index, call.id])).toEqual([
      [0, 'call_a'],
      [1, 'call_b'],
    ]);
    expect(seen.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('leaves a text answer finishing with stop alone, and fixes a non-streamed one with calls', async () => {
    const provider = withGeminiToolCalls(upstream([chunk({ content: 'Hi' }), chunk({}, 'stop')]));
    const { chunks } = await provider.doChatStream({ model: 'm', messages: [] } as never, {});
    const reasons: (string | null)[] = [];
    for await (const item of chunks) reasons.push(item.choices[0]?.finish_reason ?? null);
    expect(reasons).toEqual([null, 'stop']);
    const { completion } = await provider.doChat({ model: 'm', messages: [] } as never, {});
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });
});
