import type { ChatCompletionChunkChoice, UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import type { Answer, AnswerChoice } from './chat-answer.js';
import { hasSubstance } from '../../streaming/chunk-substance.js';
import { streamCutError, throwIfAborted, wait } from './faults.js';

/*
 * An answer as OpenAI streams it: per choice, a role delta, one delta per token piece (content
 * or tool-call arguments), a closing delta with the finish reason; then one usage chunk with no
 * choices. Choices stream one after another, which the format allows.
 */

export interface StreamOptions {
  signal?: AbortSignal | undefined;
  /**
   * Pause before every chunk but the first and the one after a chunk that carries only the role:
   * the role goes out with the first token, so time to the first token stays `latency_ms`.
   * @unit milliseconds
   */
  chunkDelay?: number | undefined;
  /** Throw a stream cut after this many chunks, when set. */
  cutAfter?: number | undefined;
}

function* choiceDeltas(choice: AnswerChoice): Generator<ChatCompletionChunkChoice> {
  const { index, toolCall } = choice;
  // A tool-call reply has `content: null`, as in the non-stream message.
  yield { index, delta: { role: 'assistant', content: toolCall ? null : '' }, finish_reason: null, logprobs: null };
  if (toolCall) {
    const { id, type, function: call } = toolCall;
    const first = { index: 0, id, type, function: { name: call.name, arguments: '' } };
    yield { index, delta: { tool_calls: [first] }, finish_reason: null, logprobs: null };
  }
  for (const piece of choice.pieces) {
    const delta = toolCall ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece };
    yield { index, delta, finish_reason: null, logprobs: null };
  }
  yield { index, delta: {}, finish_reason: choice.finishReason, logprobs: null };
}

/** Every chunk of `answer`, in order. */
export function* answerChunks(answer: Answer, model: string): Generator<UpstreamChatCompletionChunk> {
  const base = { id: answer.id, object: 'chat.completion.chunk', created: answer.created, model } as const;
  for (const choice of answer.choices) {
    for (const delta of choiceDeltas(choice)) yield { ...base, choices: [delta], usage: null };
  }
  yield { ...base, choices: [], usage: answer.usage };
}

/** Paces `chunks` and applies a simulated cut; with neither, it never sets a timer. */
export async function* streamChunks(
  chunks: Iterable<UpstreamChatCompletionChunk>,
  options: StreamOptions,
): AsyncGenerator<UpstreamChatCompletionChunk> {
  let delivered = 0;
  let paced = false;
  for (const chunk of chunks) {
    if (delivered === options.cutAfter) break;
    if (paced) await wait(options.chunkDelay!, options.signal);
    throwIfAborted(options.signal);
    yield chunk;
    delivered++;
    paced = options.chunkDelay !== undefined && options.chunkDelay > 0 && hasSubstance(chunk);
  }
  if (options.cutAfter !== undefined) throw streamCutError(delivered);
}
