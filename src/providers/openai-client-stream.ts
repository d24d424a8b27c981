import { RouterError } from '../errors.js';
import { ChunkCompletion } from '../streaming/chunk-completion.js';
import type { UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import { errorFromSdkFailure } from './openai-client-errors.js';
import type { SdkStream } from './openai-client-types.js';
import { abortError } from './upstream-error.js';
import type { Redactor } from './redact.js';

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
  redact?: Redactor,
): AsyncGenerator<UpstreamChatCompletionChunk, void, undefined> {
  const completion = new ChunkCompletion(providerId, requestId);
  let completed = false;
  try {
    for await (const data of stream) yield completion.accept(data);
    if (signal?.aborted) throw abortError(providerId, signal);
    if (!completion.complete) {
      throw new RouterError(
        `the stream from ${providerId} ended before completion: the connection closed before every choice had a finish_reason`,
        { code: 'upstream_error', providerId, isRetryable: true, requestID: requestId },
      );
    }
    completed = true;
  } catch (error) {
    throw errorFromSdkFailure(providerId, error, signal, 'stream', requestId, redact);
  } finally {
    if (!completed) stream.controller?.abort();
  }
}
