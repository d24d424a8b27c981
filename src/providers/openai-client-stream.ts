import { RouterError } from '../errors.js';
import type { UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import { errorFromSdkFailure } from './openai-client-errors.js';
import type { SdkStream } from './openai-client-types.js';
import { abortError } from './upstream-error.js';

/**
 * The chunks of an SDK `Stream`, checked as openaiCompatible checks its own SSE, with every
 * failure a `RouterError`. The SDK ends a stream quietly when it is aborted, and when the body
 * ends without `[DONE]`: both become errors here, never a quiet end. Leaving the loop early, or
 * any failure, aborts the SDK stream's `controller`, which closes the upstream connection.
 */
export async function* relaySdkStream(
  providerId: string,
  stream: SdkStream,
  signal: AbortSignal | undefined,
  requestId: string | undefined,
): AsyncGenerator<UpstreamChatCompletionChunk, void, undefined> {
  // With `n > 1` each choice finishes on its own: complete once every choice seen has finished.
  const finished = new Set<unknown>();
  const unfinished = new Set<unknown>();
  let completed = false;
  try {
    for await (const data of stream) {
      if (typeof data !== 'object' || data === null) throw malformedChunk(providerId, requestId);
      const chunk = data as { choices?: unknown };
      if (chunk.choices === undefined || chunk.choices === null) chunk.choices = [];
      else if (!Array.isArray(chunk.choices)) throw malformedChunk(providerId, requestId);
      else {
        for (const choice of chunk.choices as { index?: unknown; finish_reason?: unknown }[]) {
          const index = choice?.index ?? 0;
          if (typeof choice?.finish_reason === 'string') {
            finished.add(index);
            unfinished.delete(index);
          } else if (!finished.has(index)) unfinished.add(index);
        }
      }
      yield data as UpstreamChatCompletionChunk;
    }
    if (signal?.aborted) throw abortError(providerId, signal);
    if (finished.size === 0 || unfinished.size > 0) {
      throw new RouterError(
        `the stream from ${providerId} ended before completion: the connection closed before every choice had a finish_reason`,
        { code: 'upstream_error', providerId, isRetryable: true, requestID: requestId },
      );
    }
    completed = true;
  } catch (error) {
    throw errorFromSdkFailure(providerId, error, signal, 'stream', requestId);
  } finally {
    if (!completed) stream.controller?.abort();
  }
}

function malformedChunk(providerId: string, requestId: string | undefined): RouterError {
  return new RouterError(`malformed SSE event from ${providerId}: not a chat.completion.chunk object`, {
    code: 'upstream_error',
    providerId,
    isRetryable: true,
    requestID: requestId,
  });
}
