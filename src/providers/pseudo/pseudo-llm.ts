import type { ChatRequest } from '../../wire/chat-request.js';
import type { UpstreamChatCompletion, UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import { answerChat } from './chat-answer.js';
import { answerChunks, streamChunks } from './chat-stream.js';
import { activeFault, faultError, throwIfAborted, wait, type Fault } from './faults.js';
import type { ResolvedSimulationLimits } from './simulation-budget.js';

/*
 * The pseudo-LLM: what answers every call made with a `test-` key. It never touches the
 * network, and the same request always gets the same answer (see chat-answer.ts).
 */

export interface PseudoCallOptions {
  /** The model id to report in the response (`model` field). */
  model: string;
  /** 0-based index of this attempt within the whole routed request (used by `simulate.times`). */
  attempt: number;
  signal?: AbortSignal | undefined;
  /** The sizes it may generate: the router's `limits.simulation`. @default the documented defaults */
  limits?: ResolvedSimulationLimits | undefined;
}

/**
 * What happens before the "upstream" answers: the simulated latency, then the simulated fault.
 * Returns the fault left for the stream to apply (`stream_cut`), if any.
 */
async function accept(request: ChatRequest, options: PseudoCallOptions, stream: boolean): Promise<Fault | undefined> {
  throwIfAborted(options.signal);
  const { simulate } = request;
  if (simulate === undefined) return undefined;
  if (simulate.latency_ms) await wait(simulate.latency_ms, options.signal);
  const fault = activeFault(simulate, options.attempt);
  if (fault === undefined || (stream && fault === 'stream_cut')) return fault;
  throw faultError(fault, simulate);
}

/** A deterministic chat completion for `request`. Rejects with the `RouterError` of a simulated fault. */
export async function pseudoChat(request: ChatRequest, options: PseudoCallOptions): Promise<UpstreamChatCompletion> {
  await accept(request, options, false);
  const answer = answerChat(request, options.limits);
  return {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: options.model,
    choices: answer.choices.map(({ index, pieces, toolCall, finishReason }) => ({
      index,
      message: toolCall
        ? { role: 'assistant', content: null, refusal: null, tool_calls: [toolCall] }
        : { role: 'assistant', content: pieces.join(''), refusal: null },
      finish_reason: finishReason,
      logprobs: null,
    })),
    usage: answer.usage,
  };
}

/**
 * The same completion as {@link pseudoChat}, as stream chunks ending with a usage chunk.
 * Resolves when the "upstream" accepted the request (faults other than `stream_cut` reject here).
 */
export async function pseudoChatStream(
  request: ChatRequest,
  options: PseudoCallOptions,
): Promise<AsyncIterable<UpstreamChatCompletionChunk>> {
  const fault = await accept(request, options, true);
  const chunks = answerChunks(answerChat(request, options.limits), options.model);
  return streamChunks(chunks, {
    signal: options.signal,
    chunkDelay: request.simulate?.chunk_delay_ms,
    cutAfter: fault === 'stream_cut' ? (request.simulate?.cut_after_chunks ?? 2) : undefined,
  });
}

export { pseudoEmbed } from './pseudo-embed.js';
export { pseudoComplete } from './pseudo-complete.js';
