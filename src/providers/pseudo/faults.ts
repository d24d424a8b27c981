import { AbortedError, RouterError } from '../../errors.js';
import type { SimulateOptions } from '../../wire/chat-request.js';

/*
 * The `simulate` request extension: injected faults and latency, so an app can exercise its
 * error paths with a `test-` key. Every fault is retryable, as its real counterpart is, which
 * lets `simulate.times` exercise the router's retries and fallbacks.
 */

export type Fault = NonNullable<SimulateOptions['fault']>;

/** The fault to inject on this attempt: `simulate.times` limits it to the first attempts. */
export function activeFault(simulate: SimulateOptions, attempt: number): Fault | undefined {
  return attempt < (simulate.times ?? Infinity) ? simulate.fault : undefined;
}

/**
 * The error a real upstream failing this way would produce before answering. A `stream_cut`
 * raised here is a server error: a completion without a stream has nothing to cut.
 */
export function faultError(fault: Fault, simulate: SimulateOptions): RouterError {
  const origin = `(simulated with simulate.fault "${fault}")`;
  switch (fault) {
    case 'rate_limit': {
      const wait = simulate.retry_after_s ?? 1;
      // Retry-After is whole seconds in digits (RFC 9110): a fraction is rounded up, with the
      // exact wait in retry-after-ms (which the router and the openai SDK read first).
      const seconds = BigInt(Math.ceil(wait)).toString();
      const headers: Record<string, string> = { 'retry-after': seconds };
      if (!Number.isInteger(wait)) headers['retry-after-ms'] = String(Math.round(wait * 1000));
      return new RouterError(`Rate limit reached; retry after ${wait} s ${origin}.`, {
        code: 'rate_limited',
        status: 429,
        upstreamStatus: 429,
        isRetryable: true,
        headers,
        type: 'rate_limit_error',
      });
    }
    case 'server_error':
    case 'stream_cut':
      // As a real upstream's 500 maps: our status 502, the upstream's 500 kept alongside.
      return new RouterError(`The upstream failed with an internal error ${origin}.`, {
        code: 'upstream_error',
        status: 502,
        upstreamStatus: 500,
        isRetryable: true,
      });
    case 'timeout':
      return new RouterError(`The upstream did not answer in time ${origin}.`, {
        code: 'timeout',
        status: 504,
        isRetryable: true,
      });
  }
}

/** The error a stream cut by `stream_cut` throws after `delivered` chunks. */
export function streamCutError(delivered: number): RouterError {
  return new RouterError(
    `The upstream stream was cut after ${delivered} chunks (simulated with simulate.fault "stream_cut").`,
    { code: 'upstream_error', status: 502, isRetryable: true },
  );
}

/** Throws if `signal` has aborted, with the signal's reason as the cause. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('The request was aborted.', signal.reason);
}

/** The longest delay one timer holds; a longer one would fire at once. @unit milliseconds */
const maxTimer = 2_147_483_647;

/** Waits `milliseconds` (beyond a timer's 24.8 days too), rejecting as soon as `signal` aborts. */
export function wait(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    throwIfAborted(signal);
    let timer: ReturnType<typeof setTimeout>;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError('The request was aborted.', signal?.reason));
    };
    const deadline = Date.now() + milliseconds;
    const arm = (left: number): void => {
      timer = setTimeout(() => {
        const rest = deadline - Date.now();
        if (rest > 0 && left > maxTimer) return arm(rest);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.min(left, maxTimer));
    };
    arm(milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Before a one-shot answer (embeddings, legacy completions): the simulated latency, then the fault. */
export async function acceptOneShot(
  simulate: SimulateOptions | undefined,
  options: { attempt: number; signal?: AbortSignal | undefined },
): Promise<void> {
  throwIfAborted(options.signal);
  if (simulate === undefined) return;
  if (simulate.latency_ms) await wait(simulate.latency_ms, options.signal);
  const fault = activeFault(simulate, options.attempt);
  if (fault !== undefined) throw faultError(fault, simulate);
}
