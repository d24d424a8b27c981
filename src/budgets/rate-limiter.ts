/*
 * Requests and tokens per minute of a key, as GCRA (the generic cell rate algorithm): one
 * number per limit, the theoretical arrival time (TAT). Each request moves it forward by
 * cost × 60 s / limit; a request that would move it more than a minute past now is refused,
 * and the excess is how long to wait. A full minute's worth may come at once, after which the
 * rate is the limit. Both limits are checked before either is charged: a request refused for
 * its tokens does not use up a request.
 */

export interface KeyRateLimits {
  /** Requests per minute. */
  rpm?: number | undefined;
  /** Tokens per minute: prompt plus expected completion, estimated before the call and corrected to the real usage after it. */
  tpm?: number | undefined;
}

export type RateDecision = { allowed: true } | { allowed: false; limit: 'rpm' | 'tpm'; retryAfterMs: number };

export interface RateLimiter {
  take(keyId: string, limits: KeyRateLimits, tokens: number): Promise<RateDecision>;
  /**
   * Corrects a key's tokens per minute once a request's real usage is known: `delta` (actual
   * minus the estimate taken) moves its TAT forward, or back for a request that used less.
   */
  settle(keyId: string, tpm: number, delta: number): Promise<void>;
  /**
   * Gives back a request counted against `rpm` that was never sent (the key's budget refused
   * it): its TAT moves back by one request. A limiter without it keeps such requests counted.
   */
  refund?(keyId: string, rpm: number): Promise<void>;
}

export const ratePeriodMs = 60_000;

/** The TAT after correcting a charge by `delta`: a refund never takes it below now (a minute's worth is the most a key may hold). */
export function gcraCorrect(tat: number, now: number, limit: number, delta: number): number {
  return Math.max(now, Math.max(tat, now) + (delta * ratePeriodMs) / limit);
}

/**
 * How far past a minute ahead a TAT may be and still admit. Each charge is added to a TAT in epoch
 * milliseconds, where a double keeps about a quarter of a microsecond: a burst of exactly the
 * limit could end a rounding error past the minute and have its last request refused. The clock
 * counts whole milliseconds, so admitting up to one early changes nothing a caller can see; it
 * stays under half of one request's (or token's) share, so never lets one more through.
 * @unit milliseconds
 */
export const gcraSlackMs = (limit: number) => Math.min(1, ratePeriodMs / limit / 2);

/** The arithmetic shared by the memory limiter and the Redis script (which mirrors it in Lua). */
export function gcraStep(tat: number, now: number, limit: number, cost: number): { next: number; retryAfterMs: number } {
  const next = Math.max(tat, now) + (cost * ratePeriodMs) / limit;
  const excess = next - now - ratePeriodMs;
  return { next, retryAfterMs: excess > gcraSlackMs(limit) ? excess : 0 };
}

/** The default limiter: this process only. */
export function memoryRateLimiter(): RateLimiter {
  const arrivals = new Map<string, number>();
  return {
    async take(keyId, limits, tokens) {
      const now = Date.now();
      const steps: Array<[string, number]> = [];
      for (const [name, limit, cost] of [
        ['rpm', limits.rpm, 1],
        ['tpm', limits.tpm, tokens],
      ] as const) {
        if (limit === undefined) continue;
        const key = `${keyId}\u0000${name}`;
        const { next, retryAfterMs } = gcraStep(arrivals.get(key) ?? now, now, limit, cost);
        if (retryAfterMs > 0) return { allowed: false, limit: name, retryAfterMs };
        steps.push([key, next]);
      }
      for (const [key, next] of steps) arrivals.set(key, next);
      return { allowed: true };
    },
    async settle(keyId, tpm, delta) {
      const key = `${keyId}\u0000tpm`;
      const now = Date.now();
      arrivals.set(key, gcraCorrect(arrivals.get(key) ?? now, now, tpm, delta));
    },
    async refund(keyId, rpm) {
      const key = `${keyId}\u0000rpm`;
      const now = Date.now();
      arrivals.set(key, gcraCorrect(arrivals.get(key) ?? now, now, rpm, -1));
    },
  };
}
