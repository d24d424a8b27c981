import type { Candidate } from '../catalog/candidate.js';
import {
  AllProvidersFailedError,
  NoEligibleProviderError,
  RouterError,
  describeExclusions,
  type Attempt,
  type Exclusion,
} from '../errors.js';

/* The errors routing ends with: every candidate failed, the deadline passed, only open circuits were left. */

/** Errors raised because the call's deadline passed: they end the whole walk and blame no deployment. */
const deadlineErrors = new WeakSet<RouterError>();

export function deadlineError(deadlineMs: number, candidate: Candidate | undefined): RouterError {
  const during = candidate ? ` during an attempt on ${candidate.provider.id}/${candidate.model}` : '';
  const error = new RouterError(`the call's deadline of ${deadlineMs} ms (deadlineMs) passed${during}`, {
    code: 'timeout',
    providerId: candidate?.provider.id,
  });
  deadlineErrors.add(error);
  return error;
}

export function isDeadlineError(error: RouterError): boolean {
  return deadlineErrors.has(error);
}

/** Timeouts set by the request's own `route.max_latency_ms`, tighter than the router's `timeoutMs`. */
const requestLimitErrors = new WeakSet<RouterError>();

/**
 * A per-attempt timeout: `timeoutMs`, or the request's `route.max_latency_ms`. Retryable. With
 * `tighterThanRouter`, the limit is the request's own and below the router's: missing it says
 * the deployment is too slow for this caller, not that it is unhealthy.
 */
export function attemptTimeout(candidate: Candidate, limitMs: number, fromRoute: boolean, tighterThanRouter = false): RouterError {
  const error = new RouterError(
    `provider ${candidate.provider.id} did not answer within ${limitMs} ms (${fromRoute ? 'route.max_latency_ms' : 'timeoutMs'})`,
    { code: 'timeout', providerId: candidate.provider.id, isRetryable: true },
  );
  if (tighterThanRouter) requestLimitErrors.add(error);
  return error;
}

/** Whether `error` is a timeout under the request's own, tighter `route.max_latency_ms`. */
export function isRequestLimitTimeout(error: RouterError): boolean {
  return requestLimitErrors.has(error);
}

/** The error when every candidate failed: rate limits and timeouts keep their own code. */
export function exhausted(
  attempts: Attempt[],
  lastError: RouterError | undefined,
  skipped: readonly Exclusion[],
  deadlineMs: number | undefined,
): AllProvidersFailedError {
  const lines = attempts.map((attempt) => `${attempt.provider}/${attempt.model}: ${attempt.message ?? attempt.code}`);
  for (const entry of skipped) lines.push(`${entry.provider}/${entry.model}: not called, ${entry.reasons.join('; ')}`);
  const summary = lines.join('\n');
  if (deadlineMs !== undefined) {
    return new AllProvidersFailedError(
      `the call's deadline of ${deadlineMs} ms (deadlineMs) passed after ${attempts.length} attempt(s):\n${summary}`,
      attempts,
      { code: 'timeout', cause: lastError },
    );
  }
  const message =
    attempts.length > 0 ? `all ${attempts.length} attempt(s) failed:\n${summary}` : `no attempt could be made: ${lastError?.message ?? 'unknown error'}`;
  const codes = new Set(attempts.map((attempt) => attempt.code));
  if (codes.size === 1 && codes.has('rate_limited')) {
    return new AllProvidersFailedError(message, attempts, { code: 'rate_limited', headers: lastError?.headers, cause: lastError });
  }
  if (codes.size === 1 && codes.has('timeout')) return new AllProvidersFailedError(message, attempts, { code: 'timeout', cause: lastError });
  return new AllProvidersFailedError(message, attempts, { cause: lastError });
}

/**
 * Every candidate the policy and the request allow has an open circuit: a 503 with Retry-After,
 * never a call to a deployment the policy excludes and never a bypass of the breaker.
 */
export function circuitsOpen(plan: { requested: string; policy: string; earliestRetryAt: number | undefined }, excluded: Exclusion[]): NoEligibleProviderError {
  const retryAt = plan.earliestRetryAt;
  const seconds = retryAt === undefined ? undefined : Math.max(1, Math.ceil((retryAt - Date.now()) / 1000));
  const when = retryAt === undefined ? 'once a trial request in flight succeeds' : `after ${new Date(retryAt).toISOString()} (in ${seconds} s)`;
  return new NoEligibleProviderError(
    `every deployment eligible for "${plan.requested}" under policy ${plan.policy} has an open circuit after repeated failures; ` +
      `nothing was sent. Try again ${when}, or widen the request (route.only / route.ignore / model). Excluded:\n${describeExclusions(excluded)}`,
    excluded,
    // An outage, not the request's fault: a server_error, as OpenAI types its own 503s.
    { status: 503, type: 'server_error', isRetryable: true, ...(seconds === undefined ? {} : { headers: { 'retry-after': String(seconds) } }) },
  );
}
