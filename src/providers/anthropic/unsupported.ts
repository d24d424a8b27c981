import { RouterError } from '../../errors.js';

/**
 * The error for a request the Messages API cannot honour as asked: `invalid_request` (400, not
 * retried, no fallback), naming the field and what to do instead. Refusing beats dropping: a
 * silently ignored `n: 3` or `logprobs: true` would hand the caller an answer to another question.
 */
export function unsupported(providerId: string, param: string, message: string, cause?: unknown): RouterError {
  return new RouterError(
    `${providerId} cannot honour ${param}: ${message}; or route the request elsewhere (route: { ignore: ['${providerId}'] })`,
    { code: 'invalid_request', param, providerId, cause },
  );
}
