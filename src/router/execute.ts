import type { LatencyKind } from '../health/health-tracker.js';
import type { Candidate } from '../catalog/candidate.js';
import { AbortedError, RouterError, type Attempt, type Exclusion } from '../errors.js';
import { loadOnce, notLoaded, unlessAborted } from '../internal/load-once.js';
import { onAbort } from '../internal/on-abort.js';
import { sleep } from '../internal/sleep.js';
import { describeCircuit } from '../health/circuit-breaker.js';
import { deploymentsAtLimits, isSlot, type DeploymentSlot } from '../budgets/deployment-limits.js';
import { ceilingSkipReason, type BudgetCeiling } from '../budgets/key-admission.js';
import type { Ranked } from '../strategies/types.js';
import { backoffMs, retryAfterMs } from './retry-delay.js';
import { exceedsDeploymentLimit, saysNothingOfHealth, wasNotSent } from '../providers/upstream-error.js';
import { attemptTimeout, circuitsOpen, deadlineError, exhausted, isDeadlineError, isRequestLimitTimeout } from './routing-errors.js';
import type { RouterContext } from './router-context.js';
import type { RequestObservation } from './request-observer.js';

/** p-retry, which runs the retries (docs/performance.md, "Bundle size"). */
const pRetry = loadOnce(() => import('p-retry').then((module) => module.default));

/** One try: call the candidate with this signal. `attempt` counts tries across the whole request. */
export type AttemptRun<T> = (candidate: Candidate, signal: AbortSignal, attempt: number, headers: Record<string, string> | undefined) => Promise<T>;

export interface ExecuteOptions {
  /** Where attempts go; `waitedMs` adds up backoff waits, which are neither upstream time nor overhead. */
  record: { attempts: Attempt[]; waitedMs: number; readonly observation?: RequestObservation | undefined; readonly budgetCeiling?: BudgetCeiling | undefined };
  /** The caller's signal: aborts the attempt in flight, a backoff wait, and every later attempt. */
  signal: AbortSignal | undefined;
  /** This request's per-attempt timeout (`route.max_latency_ms`) instead of `timeoutMs`. @unit milliseconds */
  attemptTimeoutMs?: number | undefined;
  /**
   * What a successful attempt's latency measures: a stream's first chunk of substance (its run
   * resolves there, past chunks that carry only the role), or a whole answer.
   */
  latencyKind: LatencyKind;
  /** Whether outcomes feed the health statistics: not for test keys, whose faults are simulated. */
  trackHealth: boolean;
  /** For the error when every candidate's circuit opened before its turn. */
  requested: string;
  policy: string;
  /** The request's estimated tokens, counted against deployments' `tpm`. */
  tokens?: number | undefined;
}

export interface Execution<T> {
  value: T;
  candidate: Candidate;
  /** The attempt's signal, still live: a stream keeps using it to abort its upstream. */
  signal: AbortSignal;
  /** A stream's first chunk of substance is in: the per-attempt timeout stops, the call's deadline keeps running. */
  commit(): void;
  /** Stops the timer and unlinks the caller's signal, once the call is over. */
  release(): void;
  /**
   * Aborts the attempt, as the caller's signal would (the reason as the `AbortedError`'s cause),
   * until `release()`: how a stream's own controller closes its upstream.
   */
  abort(reason: unknown): void;
  /** Reports a failure after the commit (a stream cut mid-way) to the deployment's health. */
  failedLate(error: RouterError): void;
  /** Time from the successful attempt's start to its result. @unit milliseconds */
  latencyMs: number;
}

/** Raised inside an attempt whose candidate's circuit opened before its turn: skip it, call nothing. */
class CircuitSkip extends Error {}

/** Raised inside an attempt whose candidate has no slot left under its `limits`: skip it, call nothing. */
class LimitSkip extends Error {
  constructor(
    reason: string,
    readonly retryAfterMs: number,
  ) {
    super(reason);
  }
}

/**
 * Failures that say the request itself is wrong: no other candidate would do better. A prompt
 * too long for one deployment's context window is not one: another deployment may take it.
 */
function isRequestError(error: RouterError): boolean {
  return (error.code === 'invalid_request' && !exceedsDeploymentLimit(error)) || error.code === 'aborted';
}

function toRouterError(error: unknown, candidate: Candidate): RouterError {
  if (RouterError.isInstance(error)) return error;
  return new RouterError(`provider ${candidate.provider.id} failed: ${error instanceof Error ? error.message : String(error)}`, {
    code: 'upstream_error',
    providerId: candidate.provider.id,
    cause: error,
  });
}

/**
 * Walks the ranking once: each candidate gets its own attempt plus its own retries of retryable
 * failures (backoff with jitter, or the upstream's `Retry-After` up to a cap), then the next
 * candidate is tried; a candidate is never revisited, so a fallback cannot restart an earlier
 * candidate's budget. Only ranked, eligible candidates whose circuit admits them are called.
 * Request errors (400/422) and the caller's abort end it at once; `deadlineMs` bounds it all.
 */
export async function execute<T>(
  context: RouterContext,
  ranked: readonly Ranked[],
  run: AttemptRun<T>,
  options: ExecuteOptions,
): Promise<Execution<T>> {
  const { retry, timeoutMs, deadlineMs } = context.options;
  const { signal: callerSignal, trackHealth, record } = options;
  const attempts = record.attempts;
  const attemptLimitMs = options.attemptTimeoutMs ?? timeoutMs;
  const deadlineAt = performance.now() + deadlineMs;
  const health = context.health;
  const skipped: Exclusion[] = [];
  let earliestRetryAt: number | undefined;
  let deadlinePassed = false;
  let count = 0;
  let limitSkips = 0;
  let circuitSkips = 0;
  let soonestFreeMs = Infinity;
  let lastError: RouterError | undefined;
  let current: Candidate | undefined;

  const ceiling = record.budgetCeiling;
  for (const entry of ranked) {
    if (deadlinePassed) break;
    const candidate = entry.candidate;
    const overCeiling = ceiling && ceilingSkipReason(ceiling, entry);
    if (overCeiling !== undefined) {
      skipped.push({ provider: candidate.provider.id, model: candidate.model, reasons: [overCeiling] });
      continue;
    }
    current = candidate;
    // This candidate's own latest failure: a retry its circuit (opened by that failure) refuses ends with it.
    let failedHere: RouterError | undefined;
    const once = async (): Promise<Execution<T>> => {
      if (callerSignal?.aborted) throw new AbortedError(undefined, callerSignal.reason);
      const remaining = deadlineAt - performance.now();
      if (remaining <= 0) {
        deadlinePassed = true;
        throw deadlineError(deadlineMs, undefined);
      }
      const limit = Math.min(attemptLimitMs, remaining);
      // The breaker is asked right before each call: another request may have opened it since planning.
      if (trackHealth && !health.admit(candidate.key, limit)) throw new CircuitSkip();
      // A deployment with `limits` takes the attempt only with a slot reserved (for the fleet, with a shared store).
      let slot: DeploymentSlot | undefined;
      if (trackHealth && candidate.provider.limits !== undefined) {
        const pending = context.deploymentLimiter.reserve(candidate.provider.id, candidate.provider.limits, options.tokens ?? 0);
        const answer = pending instanceof Promise ? await pending : pending;
        if (!isSlot(answer)) {
          health.released(candidate.key);
          throw new LimitSkip(answer.reason, answer.retryAfterMs);
        }
        slot = answer;
        // The caller gave up while the shared store reserved: nothing is sent, the slot goes back.
        if (callerSignal?.aborted) {
          slot.release();
          health.released(candidate.key);
          throw new AbortedError(undefined, callerSignal.reason);
        }
      }
      const byDeadline = limit < attemptLimitMs;
      const timeoutError = () => {
        if (byDeadline) deadlinePassed = true;
        const fromRoute = options.attemptTimeoutMs !== undefined;
        return byDeadline ? deadlineError(deadlineMs, candidate) : attemptTimeout(candidate, attemptLimitMs, fromRoute, fromRoute && attemptLimitMs < timeoutMs);
      };
      // A non-streaming attempt without a caller signal needs a signal only for its timeout: it
      // shares its timeout bucket's (one AbortController per bucket, not per call; Node 20's cost
      // ~1 µs and an EventTarget each). Otherwise each attempt has its own signal: a timeout, the
      // caller's abort or a failure ends it alone, and aborting it releases what it still holds
      // (a half-read body, a socket; a non-streaming adapter has read or cancelled its body by the
      // time it settles).
      const shared = callerSignal === undefined && options.latencyKind === 'answer' ? context.timeouts.sharedSignal(limit) : undefined;
      const controller = shared ? undefined : new AbortController();
      const signal = shared ? shared.signal : controller!.signal;
      const stopWaiting = callerSignal && onAbort(callerSignal, () => controller!.abort(new AbortedError(undefined, callerSignal.reason)));
      let cancelTimeout = shared ? () => shared.release() : context.timeouts.schedule(limit, () => controller!.abort(timeoutError()));
      const observed = record.observation?.attempt(candidate, count, !trackHealth);
      const started = performance.now();
      try {
        const attempt = count++;
        // Only telemetry wraps the call (its span active): the common path makes no closure.
        const value = await (observed?.run ? observed.run(() => run(candidate, signal, attempt, observed.headers)) : run(candidate, signal, attempt, observed?.headers));
        const latencyMs = performance.now() - started;
        const succeeded: Attempt = { provider: candidate.provider.id, model: candidate.model, outcome: 'ok', latency_ms: round(latencyMs) };
        attempts.push(succeeded);
        observed?.succeeded(succeeded);
        if (trackHealth) health.succeeded(candidate.key, latencyMs, options.latencyKind);
        let released = false;
        const release = () => {
          released = true;
          cancelTimeout();
          stopWaiting?.();
        };
        return {
          value,
          candidate,
          signal,
          commit() {
            cancelTimeout();
            // Only streams commit, and a stream's attempt has a controller of its own.
            if (controller) cancelTimeout = context.timeouts.schedule(Math.max(0, deadlineAt - performance.now()), () => controller.abort(deadlineError(deadlineMs, candidate)));
          },
          release,
          abort: (reason) => {
            if (!released) controller?.abort(new AbortedError(undefined, reason));
          },
          failedLate: (error) => {
            if (trackHealth) report(candidate, error);
          },
          latencyMs,
        };
      } catch (thrown) {
        cancelTimeout();
        stopWaiting?.();
        // An abort surfaces as whatever the adapter threw; the signal's reason says why (a shared
        // signal's reason is its bucket's: aborted, it means this attempt's time is up).
        const error = shared?.signal.aborted ? timeoutError() : toRouterError(signal.aborted ? signal.reason : thrown, candidate);
        // Release whatever the failed attempt still holds open (a half-read body, a socket).
        controller?.abort(error);
        const elapsedMs = performance.now() - started;
        const failed: Attempt = {
          provider: candidate.provider.id,
          model: candidate.model,
          outcome: 'error',
          status: error.upstreamStatus ?? error.status,
          code: error.code,
          message: error.message,
          latency_ms: round(elapsedMs),
        };
        attempts.push(failed);
        observed?.failed(failed, error);
        if (trackHealth) report(candidate, error, elapsedMs);
        // The limits count what is sent: an attempt that never left gives its slot back.
        if (slot !== undefined && wasNotSent(error)) slot.release();
        failedHere = error;
        throw error;
      }
    };

    try {
      // The first attempt runs on its own: p-retry costs ~15 µs per call even when it succeeds
      // (measured on Node 20), which is most of the routing budget. Its retries run in p-retry.
      try {
        return await once();
      } catch (error) {
        if (retry.retries === 0 || !(await shouldRetry(error, 0))) throw error;
      }
      // Loaded on the first retry, after its wait: an app whose calls are not retried never loads it.
      const retrying = await unlessAborted(pRetry(), callerSignal).catch((error: unknown) => {
        throw callerSignal?.aborted ? error : notLoaded('p-retry', error, ', so the attempt was not retried');
      });
      return await retrying(once, {
        retries: retry.retries - 1,
        minTimeout: 0, // the delay is ours, in shouldRetry: backoff or the upstream's Retry-After
        ...(callerSignal ? { signal: callerSignal } : {}),
        shouldRetry: ({ error, retriesConsumed }) => shouldRetry(error, retriesConsumed + 1),
      });
    } catch (thrown) {
      if (callerSignal?.aborted) throw RouterError.isInstance(thrown) && thrown.code === 'aborted' ? thrown : new AbortedError(undefined, thrown);
      if ((thrown instanceof CircuitSkip || thrown instanceof LimitSkip) && failedHere !== undefined) {
        // A retry refused by its circuit (which its own failure opened) or its limits: it was called, and failed with that.
        lastError = failedHere;
        continue;
      }
      if (thrown instanceof CircuitSkip) {
        const now = Date.now();
        const circuit = health.circuit(candidate.key, now);
        if (circuit.state === 'open' && (earliestRetryAt === undefined || circuit.retryAt < earliestRetryAt)) earliestRetryAt = circuit.retryAt;
        const reason = describeCircuit(circuit, now) ?? 'circuit open';
        skipped.push({ provider: candidate.provider.id, model: candidate.model, reasons: [`${reason} (opened before its turn)`] });
        circuitSkips += 1;
        continue;
      }
      if (thrown instanceof LimitSkip) {
        skipped.push({ provider: candidate.provider.id, model: candidate.model, reasons: [`${thrown.message} (reached before its turn)`] });
        limitSkips += 1;
        soonestFreeMs = Math.min(soonestFreeMs, thrown.retryAfterMs);
        continue;
      }
      const error = toRouterError(thrown, candidate);
      if (isRequestError(error)) throw error;
      lastError = error;
    }
  }

  if (attempts.length === 0 && skipped.length > 0 && !deadlinePassed) {
    // Skips for the budget's ceiling only follow candidates skipped for one of these reasons.
    if (circuitSkips === 0 && limitSkips > 0) throw deploymentsAtLimits(options.requested, options.policy, skipped, soonestFreeMs);
    throw circuitsOpen({ requested: options.requested, policy: options.policy, earliestRetryAt }, skipped);
  }
  // Too long for every deployment tried (the only request errors that reach here): the request's
  // own error, as the last upstream put it.
  if (!deadlinePassed && lastError !== undefined && exceedsDeploymentLimit(lastError) && attempts.every((attempt) => attempt.code === 'invalid_request')) throw lastError;
  throw exhausted(attempts, lastError, skipped, deadlinePassed ? deadlineMs : undefined, options.requested);

  /** Whether to try the same candidate again; if so, waits first (backoff or Retry-After). */
  async function shouldRetry(error: unknown, retriesConsumed: number): Promise<boolean> {
    if (deadlinePassed || !willRetry(error as RouterError)) return false;
    const wait = retryAfterMs(error as RouterError) ?? backoffMs(retry, retriesConsumed + 1);
    // No time left to wait and try again: fall back to the next candidate now.
    if (performance.now() + wait >= deadlineAt) return false;
    if (current) record.observation?.retry(current, error as RouterError, wait);
    await sleep(wait, callerSignal);
    record.waitedMs += wait;
    return true;
  }

  function willRetry(error: RouterError): boolean {
    if (!RouterError.isInstance(error) || !error.isRetryable) return false;
    // Too slow for this request's route.max_latency_ms: the same deployment would be again.
    if (isRequestLimitTimeout(error)) return false;
    // The failure opened the deployment's circuit: the retry would be refused, so fall back now, without the wait.
    if (trackHealth && current !== undefined && health.circuit(current.key, Date.now()).state === 'open') return false;
    // An upstream asking for a longer wait than we accept: fall back to the next candidate now.
    const asked = retryAfterMs(error);
    return asked === undefined || asked <= retry.maxRetryAfterMs;
  }

  /**
   * Feeds one failed attempt to the breaker: request errors prove the deployment answers; aborts,
   * deadlines, a request's own tighter latency limit, and anything raised before the request was
   * sent (a body that cannot be serialised, a key that cannot be read) say nothing about its
   * health (one impatient or hostile caller must not open the circuit for everyone).
   */
  function report(candidate: Candidate, error: RouterError, elapsedMs?: number): void {
    const kind = options.latencyKind;
    if (saysNothingOfHealth(error)) health.released(candidate.key);
    else if (error.code === 'invalid_request') health.succeeded(candidate.key);
    else if (error.code === 'aborted' || isDeadlineError(error)) health.released(candidate.key);
    // Not a failure, but the deployment took at least this long: a lower bound for its latency.
    else if (isRequestLimitTimeout(error)) health.released(candidate.key, elapsedMs === undefined ? undefined : { latencyMs: elapsedMs, kind });
    else {
      // A slow failure (a timeout above all) is latency evidence too; after the commit there is none.
      const latency = elapsedMs === undefined ? {} : { latencyMs: elapsedMs, kind, timedOut: error.code === 'timeout' };
      health.failed(candidate.key, { code: error.code, status: error.upstreamStatus ?? error.status, message: error.message, ...latency });
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
