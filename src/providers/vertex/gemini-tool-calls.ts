import type { ChunkToolCallDelta, UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import type { ChatResult, ChatStreamResult, Provider } from '../types.js';
import { countThoughtTokens } from './gemini-usage.js';

/*
 * Gemini's OpenAI-compatible layer (Gemini API and Vertex) differs from OpenAI's in two ways a
 * tool-calling client notices: streamed tool-call deltas may come without `index` (clients that
 * key on it merge parallel calls into one), and an answer that calls tools finishes with `stop`
 * where OpenAI says `tool_calls`. This wrapper numbers calls in order of appearance (a delta with
 * an `id` starts a call, one without continues the last) and reports `tool_calls` when any call
 * was made. Its usage also leaves thought tokens out of `completion_tokens`; they are counted
 * back in (gemini-usage.ts). Other chunks pass through untouched.
 */

export function withGeminiToolCalls(provider: Provider): Provider {
  return {
    ...provider,
    async doChat(request, call): Promise<ChatResult> {
      const result = await provider.doChat(request, call);
      countThoughtTokens(result.completion.usage);
      for (const choice of result.completion.choices ?? []) {
        if (choice.finish_reason === 'stop' && (choice.message?.tool_calls?.length ?? 0) > 0) choice.finish_reason = 'tool_calls';
      }
      return result;
    },
    async doChatStream(request, call): Promise<ChatStreamResult> {
      const result = await provider.doChatStream(request, call);
      return { ...result, chunks: numbered(result.chunks) };
    },
  };
}

async function* numbered(chunks: AsyncIterable<UpstreamChatCompletionChunk>): AsyncGenerator<UpstreamChatCompletionChunk> {
  /** Per choice: how many calls started, and whether any did. */
  const started = new Map<number, number>();
  for await (const chunk of chunks) {
    countThoughtTokens(chunk.usage);
    for (const choice of chunk.choices ?? []) {
      const calls = choice.delta?.tool_calls;
      if (calls !== undefined && calls !== null) {
        let count = started.get(choice.index) ?? 0;
        choice.delta.tool_calls = calls.map((delta: ChunkToolCallDelta) => {
          if (typeof delta.index === 'number') {
            count = Math.max(count, delta.index + 1);
            return delta;
          }
          if (delta.id !== undefined && delta.id !== null && delta.id !== '') count += 1;
          return { ...delta, index: Math.max(count - 1, 0) };
        });
        started.set(choice.index, Math.max(count, 1));
      }
      if (choice.finish_reason === 'stop' && started.has(choice.index)) choice.finish_reason = 'tool_calls';
    }
    yield chunk;
  }
}
