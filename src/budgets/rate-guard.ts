import { RouterError } from '../errors.js';
import type { RouterContext } from '../router/router-context.js';
import type { KeyRateLimits } from './rate-limiter.js';

/**
 * Before a request of a key with `rpm`/`tpm`: counts it, or refuses it with 429 `rate_limited`
 * and `Retry-After`. When the shared store does not answer, the request goes through (rate
 * limits fail open; the outage is logged by the store). Resolves to the function that corrects
 * the charge when the request ends: to the tokens it really used, and, for a request its
 * budget refused (`refused`), giving the request back as well.
 */
export async function takeRate(context: RouterContext, keyId: string, limits: KeyRateLimits, tokens: number): Promise<((actual: number, refused?: boolean) => void) | undefined> {
  let decision;
  try {
    decision = await context.rateLimiter.take(keyId, limits, tokens);
  } catch {
    return undefined;
  }
  if (decision.allowed) {
    const { rpm, tpm } = limits;
    return (actual, refused = false) => {
      // Best effort: a correction Redis misses leaves the charge counted, as before it.
      if (refused && rpm !== undefined) context.rateLimiter.refund?.(keyId, rpm).catch(() => undefined);
      if (tpm !== undefined && actual !== tokens) context.rateLimiter.settle(keyId, tpm, actual - tokens).catch(() => undefined);
    };
  }
  if (decision.limit === 'tpm' && limits.tpm !== undefined && tokens > limits.tpm) {
    // Alone more than a minute's worth: no wait makes it fit, so no Retry-After that a client would follow forever.
    throw new RouterError(
      `this request's ~${Math.ceil(tokens)} estimated tokens (prompt plus max_tokens or the expected answer) are more than the ${limits.tpm} tokens per minute of key "${keyId}": it cannot be sent under this limit; lower max_tokens or the prompt`,
      { code: 'rate_limited', headers: { 'x-should-retry': 'false' } },
    );
  }
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const limit = decision.limit === 'rpm' ? `${limits.rpm} requests per minute` : `${limits.tpm} tokens per minute`;
  throw new RouterError(`key "${keyId}" is at its rate limit of ${limit}; retry after ${seconds} s`, {
    code: 'rate_limited',
    headers: { 'retry-after': String(seconds), 'retry-after-ms': String(Math.ceil(decision.retryAfterMs)) },
  });
}
