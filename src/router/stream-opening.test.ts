import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunkChoice, UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import { readOpening } from './stream-opening.js';

function chunk(choices: Partial<ChatCompletionChunkChoice>[], extra: Partial<UpstreamChatCompletionChunk> = {}): UpstreamChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'model-a',
    choices: choices.map((choice, index) => ({ index, delta: {}, finish_reason: null, ...choice })),
    ...extra,
  };
}

/** The upstream's chunks; `left` says how many the reader did not take. */
function upstream(chunks: UpstreamChatCompletionChunk[]) {
  let at = 0;
  const iterator: AsyncIterator<UpstreamChatCompletionChunk> = {
    next: async () => (at < chunks.length ? { done: false, value: chunks[at++]! } : { done: true, value: undefined }),
  };
  return { iterator, left: () => chunks.length - at };
}

const role = chunk([{ delta: { role: 'assistant', content: '' } }]);

describe('readOpening', () => {
  it.each<[string, Partial<ChatCompletionChunkChoice>]>([
    ['content', { delta: { content: 'Hi' } }],
    ['a refusal', { delta: { refusal: 'I cannot help with that.' } }],
    ['tool calls', { delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] } }],
    ['a legacy function call', { delta: { function_call: { name: 'get_weather', arguments: '' } } }],
    ['reasoning (reasoning_content)', { delta: { reasoning_content: 'Let me think.' } }],
    ['reasoning (reasoning)', { delta: { reasoning: 'Let me think.' } }],
    ['a finish reason with an empty delta', { delta: {}, finish_reason: 'stop' }],
    ['content alongside the role', { delta: { role: 'assistant', content: 'Hi' } }],
  ])('stops at the first chunk with %s, after the role-only chunks before it', async (_name, choice) => {
    const substance = chunk([choice]);
    const { iterator, left } = upstream([role, substance, chunk([{ delta: { content: 'later' } }])]);
    const opening = await readOpening(iterator, 'acme');
    expect(opening.read).toEqual([role, substance]);
    expect(left()).toBe(1);
  });

  it.each<[string, ChatCompletionChunkChoice['delta']]>([
    ['the role alone', { role: 'assistant' }],
    ['the role and empty content', { role: 'assistant', content: '' }],
    ['the role and null content, refusal and no tool calls', { role: 'assistant', content: null, refusal: null, tool_calls: [] }],
    ['empty content without a role', { content: '' }],
  ])('reads on past a chunk with %s', async (_name, delta) => {
    const opening = chunk([{ delta }]);
    const substance = chunk([{ delta: { content: 'Hi' } }]);
    const { iterator } = upstream([opening, substance]);
    expect((await readOpening(iterator, 'acme')).read).toEqual([opening, substance]);
  });

  it('keeps, in order, what came between the role chunks and the substance; usage before the first choices is kept apart', async () => {
    const filter = chunk([], { usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 } });
    const second = chunk([{}, { delta: { role: 'assistant' } }]);
    const between = chunk([], { usage: { prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 } });
    const substance = chunk([{}, { delta: { content: 'Hi' } }]);
    const { iterator } = upstream([filter, role, second, between, substance]);
    const opening = await readOpening(iterator, 'acme');
    expect(opening.read).toEqual([role, second, between, substance]);
    expect(opening.usage).toEqual({ prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
  });

  it('fails, retryably, when the stream ends before any substance, saying what it had', async () => {
    await expect(readOpening(upstream([role, role]).iterator, 'acme')).rejects.toMatchObject({
      code: 'upstream_error',
      isRetryable: true,
      providerId: 'acme',
      message: 'provider acme ended the stream before any content: its chunks so far carried only the role',
    });
    await expect(readOpening(upstream([chunk([])]).iterator, 'acme')).rejects.toMatchObject({
      code: 'upstream_error',
      isRetryable: true,
      message: 'provider acme ended the stream before its first chunk with choices',
    });
  });
});
