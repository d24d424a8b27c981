import { RouterError } from '../errors.js';

/*
 * Credentials an adapter holds (an AWS secret key and session token, a Google access token)
 * must never reach an error message, and through it an audit record, a log line or health
 * state. An upstream may quote what it received in its error text; this scrubs it out.
 */

/** Shorter strings are too likely to occur by chance to be worth scrubbing. */
const minSecretLength = 8;

/** `text` with every occurrence of each secret replaced by `[redacted]`. */
export function redactText(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= minSecretLength && result.includes(secret)) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/**
 * The error itself when its message holds none of the secrets; otherwise a copy with them
 * scrubbed and without its cause (which may quote them too). Never throws.
 */
export function redactError(error: RouterError, secrets: readonly (string | undefined)[]): RouterError {
  try {
    const message = redactText(error.message, secrets);
    if (message === error.message) return error;
    return new RouterError(message, {
      code: error.code,
      status: error.status,
      type: error.type,
      param: error.param,
      providerId: error.providerId,
      upstreamStatus: error.upstreamStatus,
      isRetryable: error.isRetryable,
      headers: error.headers,
      requestID: error.requestID,
    });
  } catch {
    return new RouterError('an upstream error could not be reported without the credentials it quoted', { code: 'upstream_error', providerId: error.providerId });
  }
}
