import type { ChunkToolCallDelta, UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import { mapStream } from '../../streaming/mapped-stream.js';
import type { ChatResult, ChatStreamResult, Provider } from '../types.js';
import { countThoughtTokens } from './gemini-usage.js';

/*
 * Gemini's OpenAI-compatible layer (Gemini API and Vertex) differs from OpenAI's in two ways a
 * tool-calling client notices: streamed tool-call deltas may come without `index` (clients that
 * key on it merge parallel calls into one), and an answer that calls tools finishes with `stop`
 * where OpenAI says `tool_calls`; and when it does send `index`, it may give every parallel call
 * index 0 (clients then glue their arguments into one invalid call). This wrapper numbers calls
 * in order of appearance (a delta with a new `id` starts a call, one without continues the call
 * of its index, or the last) and reports `tool_calls` when any call was made. Its usage also leaves thought tokens out of `completion_tokens`; they are counted
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

/** One choice's tool calls so far: how many started, and which of ours each upstream id and index is. */
interface CallNumbers {
  count: number;
  last: number;
  byId: Map<string, number>;
  byIndex: Map<number, number>;
}

/** Gemini's chunks renumbered, as they come; what the source already holds stays at hand (mapped-stream.ts). */
function numbered(chunks: AsyncIterable<UpstreamChatCompletionChunk>): AsyncIterable<UpstreamChatCompletionChunk> {
  const choices = new Map<number, CallNumbers>();
  return mapStream(chunks, {
    map: (chunk) => {
      countThoughtTokens(chunk.usage);
      for (const choice of chunk.choices ?? []) {
        const calls = choice.delta?.tool_calls;
        if (calls !== undefined && calls !== null) {
          let numbers = choices.get(choice.index);
          if (numbers === undefined) choices.set(choice.index, (numbers = { count: 0, last: 0, byId: new Map(), byIndex: new Map() }));
          const state = numbers;
          choice.delta.tool_calls = calls.map((delta: ChunkToolCallDelta) => {
            const index = numberOf(state, delta);
            return index === delta.index ? delta : { ...delta, index };
          });
        }
        if (choice.finish_reason === 'stop' && choices.has(choice.index)) choice.finish_reason = 'tool_calls';
      }
      return [chunk];
    },
  });
}

/**
 * Our index for one tool-call delta. A known id is its call. A new id starts a call when it comes
 * with the function's name, whatever index came with it (Gemini numbers every parallel call 0),
 * or with an index not seen yet; so does a delta without an id on an index not seen yet.
 * Otherwise a delta continues the call that last came with its index (an upstream that sends a
 * fresh id on each piece of one call), or without an index, the last call.
 */
function numberOf(state: CallNumbers, delta: ChunkToolCallDelta): number {
  const id = typeof delta.id === 'string' && delta.id !== '' ? delta.id : undefined;
  const upstreamIndex = typeof delta.index === 'number' ? delta.index : undefined;
  const named = typeof delta.function?.name === 'string' && delta.function.name !== '';
  const known = id === undefined ? undefined : state.byId.get(id);
  let index: number;
  if (known !== undefined) index = known;
  else if (id !== undefined && (named || upstreamIndex === undefined || !state.byIndex.has(upstreamIndex))) index = state.count++;
  else if (upstreamIndex !== undefined && state.byIndex.has(upstreamIndex)) index = state.byIndex.get(upstreamIndex)!;
  // An index not seen yet is a call of its own, id or not: only a delta without either continues the last.
  else if (upstreamIndex !== undefined || state.count === 0) index = state.count++;
  else index = state.last;
  if (id !== undefined && known === undefined) state.byId.set(id, index);
  if (upstreamIndex !== undefined) state.byIndex.set(upstreamIndex, index);
  state.last = index;
  return index;
}
