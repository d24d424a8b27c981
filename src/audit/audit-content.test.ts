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
