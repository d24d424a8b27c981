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

  it('keeps parallel calls apart when Gemini numbers every one of them 0, across chunks and within one', async () => {
    const provider = withGeminiToolCalls(
      upstream([
        chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] }),
        chunk({ tool_calls: [{ index: 0, id: 'call_b', type: 'function', function: { name: 'weather', arguments: '{"city":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Rome"}' } }] }),
        chunk({
          tool_calls: [
            { index: 0, id: 'call_c', type: 'function', function: { name: 'time', arguments: '{}' } },
            { index: 0, id: 'call_d', type: 'function', function: { name: 'time', arguments: '{"tz":"UTC"}' } },
          ],
        }),
        chunk({}, 'stop'),
      ]),
    );
    const { chunks } = await provider.doChatStream({ model: 'm', messages: [] } as never, {});
    const calls = new Map<number, { id: string; arguments: string }>();
    for await (const item of chunks) {
      for (const delta of item.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { id: '', arguments: '' };
        calls.set(delta.index, { id: delta.id ?? call.id, arguments: call.arguments + (delta.function?.arguments ?? '') });
      }
    }
    expect([...calls.entries()]).toEqual([
      [0, { id: 'call_a', arguments: '{"city":"Paris"}' }],
      [1, { id: 'call_b', arguments: '{"city":"Rome"}' }],
      [2, { id: 'call_c', arguments: '{}' }],
      [3, { id: 'call_d', arguments: '{"tz":"UTC"}' }],
    ]);
  });

  it('follows the index of an upstream that numbers its calls, arguments interleaved', async () => {
    const provider = withGeminiToolCalls(
      upstream([
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }, { index: 1, function: { arguments: '{"b":2}' } }] }),
        chunk({}, 'tool_calls'),
      ]),
    );
    const { chunks } = await provider.doChatStream({ model: 'm', messages: [] } as never, {});
    const seen: [number, string | undefined, string | undefined][] = [];
    for await (const item of chunks) for (const delta of item.choices[0]?.delta.tool_calls ?? []) seen.push([delta.index, delta.id, delta.function?.arguments]);
    expect(seen).toEqual([
      [0, 'call_a', ''],
      [1, 'call_b', ''],
      [0, undefined, '{"a":1}'],
      [1, undefined, '{"b":2}'],
    ]);
  });

  it('keeps a second call apart when it comes on a new index without an id', async () => {
    const provider = withGeminiToolCalls(
      upstream([
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }),
        chunk({ tool_calls: [{ index: 1, type: 'function', function: { name: 'g', arguments: '{"b":2}' } }] }),
        chunk({}, 'stop'),
      ]),
    );
    const { chunks } = await provider.doChatStream({ model: 'm', messages: [] } as never, {});
    const seen: [number, string | undefined][] = [];
    for await (const item of chunks) for (const delta of item.choices[0]?.delta.tool_calls ?? []) seen.push([delta.index, delta.function?.name]);
    expect(seen).toEqual([
      [0, 'f'],
      [1, 'g'],
    ]);
  });

  it('keeps one call whole when an upstream sends a fresh id with each piece of its arguments', async () => {
    const provider = withGeminiToolCalls(
      upstream([
        chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":' } }] }),
        chunk({ tool_calls: [{ index: 0, id: 'call_2', function: { arguments: '1}' } }] }),
        chunk({}, 'tool_calls'),
      ]),
    );
    const { chunks } = await provider.doChatStream({ model: 'm', messages: [] } as never, {});
    const indexes: number[] = [];
    for await (const item of chunks) for (const delta of item.choices[0]?.delta.tool_calls ?? []) indexes.push(delta.index);
    expect(indexes).toEqual([0, 0]);
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
