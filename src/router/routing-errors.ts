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

/** Deployments named one by one in an exhausted call's message; the rest are counted. */
const namedDeployments = 5;

/** Longest part of the last error quoted in an exhausted call's message. */
const quotedLastError = 300;

/**
 * The error when every candidate failed: rate limits and timeouts keep their own code. The
 * message is one paragraph (which deployments failed, how, how often, and the last error);
 * every attempt is in `attempts`, and in `route.attempts`.
 */
export function exhausted(
  attempts: Attempt[],
  lastError: RouterError | undefined,
  skipped: readonly Exclusion[],
  deadlineMs: number | undefined,
  requested?: string,
): AllProvidersFailedError {
  const summary = summarise(attempts, skipped);
  const last = lastError === undefined ? '' : ` The last error: ${clip(lastError.message)}.`;
  const target = requested === undefined ? '' : ` for ${requested}`;
  if (deadlineMs !== undefined) {
    return new AllProvidersFailedError(
      `The call's deadline of ${deadlineMs} ms (deadlineMs) passed after ${count(attempts.length, 'attempt')}${target}${summary === '' ? '' : `: ${summary}`}.${last} See route.attempts.`,
      attempts,
      { code: 'timeout', cause: lastError },
    );
  }
  const deployments = new Set(attempts.map((attempt) => `${attempt.provider}/${attempt.model}`)).size;
  const message =
    attempts.length > 0
      ? `${deployments === 1 ? 'The only eligible deployment' : `All ${deployments} eligible deployments`} failed${target}: ${summary}.${last} See route.attempts.`
      : `No attempt could be made${target}: ${lastError?.message ?? 'unknown error'}`;
  const codes = new Set(attempts.map((attempt) => attempt.code));
  if (codes.size === 1 && codes.has('rate_limited')) {
    return new AllProvidersFailedError(message, attempts, { code: 'rate_limited', headers: lastError?.headers, cause: lastError });
  }
  if (codes.size === 1 && codes.has('timeout')) return new AllProvidersFailedError(message, attempts, { code: 'timeout', cause: lastError });
  return new AllProvidersFailedError(message, attempts, { cause: lastError });
}

/** `mistral-ai/mistral-large: returned 503 (3 tries), scaleway/llama: timed out; not called: …`. */
function summarise(attempts: readonly Attempt[], skipped: readonly Exclusion[]): string {
  const byDeployment = new Map<string, Attempt[]>();
  for (const attempt of attempts) {
    const key = `${attempt.provider}/${attempt.model}`;
    const list = byDeployment.get(key);
    if (list === undefined) byDeployment.set(key, [attempt]);
    else list.push(attempt);
  }
  const parts: string[] = [];
  for (const [key, tries] of byDeployment) {
    const last = tries.at(-1)!;
    parts.push(`${key}: ${describeFailure(last)}${tries.length > 1 ? ` (${tries.length} tries)` : ''}`);
  }
  let text = listed(parts);
  if (skipped.length > 0) {
    // Each says why: a circuit that opened, or a deployment limit reached, before its turn.
    const names = skipped.map((entry) => `${entry.provider}/${entry.model} (${entry.reasons[0] ?? 'skipped'})`);
    text += `${text === '' ? '' : '; '}not called: ${listed(names)}`;
  }
  return text;
}

/** An attempt's failure in a few words: `returned 503`, `timed out`, `could not connect to eu-two`. */
function describeFailure(attempt: Attempt): string {
  if (attempt.code === 'timeout') return 'timed out';
  if (attempt.code === 'rate_limited') return `was rate-limited${attempt.status === undefined ? '' : ` (${attempt.status})`}`;
  // The message's first clause, without the provider's name: what it did, not what it said.
  const message = attempt.message ?? '';
  const clause = message.split(/: | \(/, 1)[0]!.trim();
  const own = clause.startsWith(`${attempt.provider} `) ? clause.slice(attempt.provider.length + 1) : clause;
  if (own !== '' && own.length <= 80) return own;
  return attempt.status === undefined ? `failed (${attempt.code ?? 'error'})` : `failed with ${attempt.status}`;
}

function listed(parts: readonly string[]): string {
  if (parts.length <= namedDeployments) return parts.join(', ');
  return `${parts.slice(0, namedDeployments).join(', ')} and ${parts.length - namedDeployments} more`;
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return line.length > quotedLastError ? `${line.slice(0, quotedLastError)}…` : line;
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
    // A trial in flight settles the circuit soon: ask for a second, the shortest wait a Retry-After says.
    { status: 503, type: 'server_error', isRetryable: true, headers: { 'retry-after': String(seconds ?? 1) } },
  );
}

/**
 * Every candidate the policy and the request allow lacks configuration (no API key, no Azure
 * resource…): a 503 `no_eligible_provider` naming what to set, with nothing sent. The request is
 * fine and no upstream is down: the server is not configured to serve it, which a retry does not
 * change (`isRetryable: false`, no `retry-after`). Open circuits among them take precedence
 * (see `circuitsOpen`): those do lift with time.
 */
export function notConfigured(plan: { requested: string; policy: string }, excluded: Exclusion[]): NoEligibleProviderError {
  const settings: string[] = [];
  const seen = new Set<string>();
  for (const entry of excluded) {
    if (seen.has(entry.provider)) continue;
    const reason = entry.reasons.find((text) => text.startsWith(notConfiguredPrefix));
    if (reason === undefined) continue;
    seen.add(entry.provider);
    settings.push(`${entry.provider} (${reason.slice(notConfiguredPrefix.length)})`);
  }
  return new NoEligibleProviderError(
    `no deployment eligible for "${plan.requested}" under policy ${plan.policy} is configured: ${settings.join('; ')}. ` +
      'Nothing was sent. Configure one (a test- API key simulates them without any), or see explain() for every candidate.',
    excluded,
    { status: 503, type: 'server_error', isRetryable: false },
  );
}

/** How a plan words a candidate left out for missing configuration. */
export const notConfiguredPrefix = 'not configured: ';
