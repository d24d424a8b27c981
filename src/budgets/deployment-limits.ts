import { gcraStep, ratePeriodMs } from './rate-limiter.js';

/** A deployment's rate limits: your quota with its vendor. */
export interface DeploymentLimits {
  /** Requests per minute. */
  rpm?: number | undefined;
  /** Tokens per minute (prompt plus expected completion, estimated before each call). */
  tpm?: number | undefined;
}

/*
 * Keeps count of what each deployment with `limits` was sent (GCRA, as for keys) so routing can
 * rank out one at its limit without waiting on anything: planning asks `reason`, each attempt
 * calls `take`. With a shared store each attempt is also counted for the fleet, in the
 * background, and the local count catches up with the fleet's when the store answers.
 */
export interface DeploymentLimiter {
  /** Why the deployment cannot take this request now, for `explain()`; undefined when it can. */
  reason(providerId: string, limits: DeploymentLimits, tokens: number, now: number): string | undefined;
  /** Counts one attempt. */
  take(providerId: string, limits: DeploymentLimits, tokens: number, now: number): void;
}

/** Counts charged for the whole fleet (a shared store); answers how far ahead of now the fleet's count is. @unit milliseconds */
export type ChargeDeployment = (providerId: string, name: 'rpm' | 'tpm', limit: number, cost: number) => Promise<number | undefined>;

export function createDeploymentLimiter(charge?: ChargeDeployment): DeploymentLimiter {
  const arrivals = new Map<string, number>();
  const check = (providerId: string, limits: DeploymentLimits, tokens: number, now: number) => {
    const steps: Array<{ name: 'rpm' | 'tpm'; key: string; next: number; retryAfterMs: number; limit: number }> = [];
    for (const [name, limit, cost] of [
      ['rpm', limits.rpm, 1],
      ['tpm', limits.tpm, tokens],
    ] as const) {
      if (limit === undefined) continue;
      const key = `${providerId}\u0000${name}`;
      steps.push({ name, key, limit, ...gcraStep(arrivals.get(key) ?? now, now, limit, cost) });
    }
    return steps;
  };
  return {
    reason(providerId, limits, tokens, now) {
      const over = check(providerId, limits, tokens, now).find((step) => step.retryAfterMs > 0);
      if (over === undefined) return undefined;
      return `at its rate limit: ${over.limit} ${over.name}; free again in ${Math.ceil(over.retryAfterMs / 1000)} s`;
    },
    take(providerId, limits, tokens, now) {
      // An attempt already admitted is counted even past the limit, so the count stays true.
      for (const step of check(providerId, limits, tokens, now)) {
        arrivals.set(step.key, Math.min(step.next, now + 2 * ratePeriodMs));
        // The fleet's count includes this attempt: take whichever is further ahead.
        void charge?.(providerId, step.name, step.limit, step.name === 'rpm' ? 1 : tokens).then((ahead) => {
          if (ahead !== undefined) arrivals.set(step.key, Math.max(arrivals.get(step.key) ?? 0, Date.now() + ahead));
        });
      }
    },
  };
}
