import { RouterError } from '../errors.js';
import { errorFromBodyFailure, malformedResponse, requestIdOf } from './upstream-error.js';
import { redactCredentialShapes, type Redactor } from './redact.js';
import type { UpstreamResponse } from '../transport/types.js';
import { readResponseText, type BodyText } from './read-body-text.js';

/**
 * Largest non-streamed answer an adapter reads, unless configured otherwise (`maxResponseBytes`).
 * A chat completion is rarely above a few MiB; a body past this is abandoned, not buffered.
 * @unit bytes
 */
export const defaultMaxResponseBytes = 64 * 1024 * 1024;

/**
 * A 2xx answer's body as JSON. A body that fails while being read (a reset, the caller's abort),
 * one larger than `maxBytes`, and one that is not JSON all become retryable `RouterError`s naming
 * the provider: the upstream's fault, so the router retries or falls back.
 */
export async function readJsonBody(
  providerId: string,
  response: Response | UpstreamResponse,
  signal: AbortSignal | undefined,
  maxBytes: number = defaultMaxResponseBytes,
  redact: Redactor = redactCredentialShapes,
): Promise<unknown> {
  let read: BodyText;
  try {
    read = await readResponseText(response, maxBytes);
  } catch (error) {
    throw errorFromBodyFailure(providerId, error, signal, requestIdOf(response.headers, redact), redact);
  }
  if (read.truncated) {
    throw new RouterError(`${providerId} returned an answer larger than ${maxBytes} bytes (maxResponseBytes); it was abandoned`, {
      code: 'upstream_error',
      providerId,
      isRetryable: true,
      requestID: requestIdOf(response.headers, redact),
    });
  }
  try {
    return JSON.parse(read.text);
  } catch (error) {
    throw malformedResponse(providerId, response, 'malformed JSON', error, redact);
  }
}
