import { RouterError } from '../errors.js';
import { redactCause, redactCredentialShapes } from './redact.js';
import { withMarksOf } from './upstream-error.js';

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
 * The error itself when neither its message nor its causes hold any of the secrets; otherwise a
 * copy with them scrubbed, its causes too (they may quote them: `console.error` prints them all).
 * Never throws.
 */
export function redactError(error: RouterError, secrets: readonly (string | undefined)[]): RouterError {
  try {
    const redactSecrets = (text: string) => redactText(text, secrets);
    const message = redactSecrets(error.message);
    const quotedInCause = causeQuotes(error.cause, redactSecrets, 0);
    if (message === error.message && !quotedInCause) return error;
    const copy = new RouterError(message, {
      code: error.code,
      status: error.status,
      type: error.type,
      param: error.param,
      providerId: error.providerId,
      upstreamStatus: error.upstreamStatus,
      isRetryable: error.isRetryable,
      headers: error.headers,
      requestID: error.requestID,
      cause: !quotedInCause
        ? error.cause
        : RouterError.isInstance(error.cause)
          ? redactError(error.cause, secrets)
          : redactCause(error.cause, (text) => redactCredentialShapes(redactSecrets(text))),
    });
    // Raised before anything was sent (or by the library): the copy says so too, so the deployment's health is not told.
    return withMarksOf(copy, error);
  } catch {
    return new RouterError('an upstream error could not be reported without the credentials it quoted', { code: 'upstream_error', providerId: error.providerId });
  }
}

/** Whether a secret occurs in the message or stack of `cause`, of its own causes, or of an `AggregateError`'s errors. */
function causeQuotes(cause: unknown, redactSecrets: (text: string) => string, depth: number): boolean {
  if (depth > 4 || cause === undefined || cause === null) return false;
  if (typeof cause === 'string') return redactSecrets(cause) !== cause;
  if (!(cause instanceof Error)) return false;
  const stack = cause.stack ?? '';
  if (redactSecrets(cause.message) !== cause.message || redactSecrets(stack) !== stack) return true;
  if (cause instanceof AggregateError && Array.isArray(cause.errors) && cause.errors.some((inner: unknown) => causeQuotes(inner, redactSecrets, depth + 1))) return true;
  return causeQuotes(cause.cause, redactSecrets, depth + 1);
}
