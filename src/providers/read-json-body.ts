import { errorFromBodyFailure, malformedResponse, requestIdOf } from './upstream-error.js';

/**
 * A 2xx answer's body as JSON. A body that fails while being read (a reset, the caller's abort)
 * and one that is not JSON both become `RouterError`s naming the provider; both are retryable.
 */
export async function readJsonBody(providerId: string, response: Response, signal: AbortSignal | undefined): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw errorFromBodyFailure(providerId, error, signal, requestIdOf(response.headers));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw malformedResponse(providerId, response, 'malformed JSON', error);
  }
}
