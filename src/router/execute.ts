import pRetry from 'p-retry';
import type { Candidate } from '../catalog/candidate.js';
import { AbortedError, AllProvidersFailedError, RouterError, type Attempt } from '../errors.js';
import { sleep } from '../internal/sleep.js';
import type { Ranked } from '../strategies/types.js';
import { backoffMs, retryAfterMs } from './retry-delay.js';
import type { RouterContext } from './router-context.js';

/** One try: call the candidate with this signal. `attempt` counts tries across the whole request. */
export type AttemptRun<T> = (candidate: Candidate, signal: AbortSignal, attempt: number) => Promise<T>;

export interface Execution<T> {
  value: T;
  candidate: Candidate;
  /** The attempt's signal, still live: a stream keeps using it to abort its upstream. */
  signal: AbortSignal;
  /** Stops the per-attempt timer, once a stream's first chunk is in. */
  clearTimer(): void;
  /** Stops the timer and unlinks the caller's signal, once the call is over. */
  release(): void;
  /** Time from the successful attempt's start to its result. @unit milliseconds */
  latencyMs: number;
}

/** Failures that say the request itself is wrong: no other candidate would do better. */
function isRequestError(error: RouterError): boolean {
  return error.code === 'invalid_request' || error.code === 'aborted';
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
 * Walks the ranking: each candidate gets its attempt plus retries of retryable failures (with
 * backoff, or the upstream's `Retry-After` up to a cap), then the next candidate is tried. Only
 * ranked, eligible candidates are ever called. Request errors and caller aborts end it at once.
 */
export async function execute<T>(
  context: RouterContext,
  ranked: readonly Ranked[],
  run: AttemptRun<T>,
  attempts: Attempt[],
  callerSignal: AbortSignal | undefined,
): Promise<Execution<T>> {
  const { retry, timeoutMs } = context.options;
  let count = 0;
  let lastError: RouterError | undefined;

  for (const { candidate } of ranked) {
    const once = async (): Promise<Execution<T>> => {
      if (callerSignal?.aborted) throw new AbortedError(undefined, callerSignal.reason);
      const controller = new AbortController();
      const onCallerAbort = () => controller.abort(new AbortedError(undefined, callerSignal!.reason));
      callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
      const timer = setTimeout(() => {
        controller.abort(
          new RouterError(`provider ${candidate.provider.id} did not answer within ${timeoutMs} ms`, {
            code: 'timeout',
            providerId: candidate.provider.id,
            isRetryable: true,
          }),
        );
      }, timeoutMs);
      const started = performance.now();
      try {
        const value = await run(candidate, controller.signal, count++);
        const latencyMs = performance.now() - started;
        attempts.push({ provider: candidate.provider.id, model: candidate.model, outcome: 'ok', latency_ms: round(latencyMs) });
        context.health.recordLatency(candidate.key, latencyMs);
        return {
          value,
          candidate,
          signal: controller.signal,
          clearTimer: () => clearTimeout(timer),
          release: () => {
            clearTimeout(timer);
            callerSignal?.removeEventListener('abort', onCallerAbort);
          },
          latencyMs,
        };
      } catch (thrown) {
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', onCallerAbort);
        // An abort surfaces as whatever the adapter threw; the signal's reason says why.
        const error = toRouterError(controller.signal.aborted ? controller.signal.reason : thrown, candidate);
        // Release whatever the failed attempt still holds open (a half-read body, a socket).
        controller.abort(error);
        attempts.push({
          provider: candidate.provider.id,
          model: candidate.model,
          outcome: 'error',
          status: error.status,
          code: error.code,
          message: error.message,
          latency_ms: round(performance.now() - started),
        });
        throw error;
      }
    };

    try {
      return await pRetry(once, {
        retries: retry.retries,
        minTimeout: 0, // the delay is ours, in onFailedAttempt: backoff or the upstream's Retry-After
        ...(callerSignal ? { signal: callerSignal } : {}),
        shouldRetry: ({ error }) => willRetry(error as RouterError),
        onFailedAttempt: async ({ error, retriesLeft, retriesConsumed }) => {
          if (retriesLeft === 0 || !willRetry(error as RouterError)) return;
          const wait = retryAfterMs(error as RouterError) ?? backoffMs(retry, retriesConsumed + 1);
          await sleep(wait, callerSignal);
        },
      });
    } catch (thrown) {
      if (callerSignal?.aborted) throw RouterError.isInstance(thrown) && thrown.code === 'aborted' ? thrown : new AbortedError(undefined, thrown);
      const error = toRouterError(thrown, candidate);
      if (isRequestError(error)) throw error;
      lastError = error;
    }
  }

  throw exhausted(attempts, lastError);

  function willRetry(error: RouterError): boolean {
    if (!RouterError.isInstance(error) || !error.isRetryable) return false;
    // An upstream asking for a longer wait than we accept: fall back to the next candidate now.
    const asked = retryAfterMs(error);
    return asked === undefined || asked <= retry.maxRetryAfterMs;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** The error when every candidate failed: rate limits and timeouts keep their own code. */
function exhausted(attempts: Attempt[], lastError: RouterError | undefined): AllProvidersFailedError {
  const summary = attempts.map((attempt) => `${attempt.provider}/${attempt.model}: ${attempt.message ?? attempt.code}`).join('\n');
  const message =
    attempts.length > 0 ? `all ${attempts.length} attempt(s) failed:\n${summary}` : `no attempt could be made: ${lastError?.message ?? 'unknown error'}`;
  const codes = new Set(attempts.map((attempt) => attempt.code));
  if (codes.size === 1 && codes.has('rate_limited')) {
    return new AllProvidersFailedError(message, attempts, { code: 'rate_limited', headers: lastError?.headers, cause: lastError });
  }
  if (codes.size === 1 && codes.has('timeout')) return new AllProvidersFailedError(message, attempts, { code: 'timeout', cause: lastError });
  return new AllProvidersFailedError(message, attempts, { cause: lastError });
}
