import type { RouterError } from '../errors.js';
import type { RetryOptions } from './options.js';

/**
 * The wait an upstream asked for, from `retry-after-ms` (milliseconds) or `Retry-After`
 * (seconds or an HTTP date). Undefined when it asked for nothing usable.
 */
export function retryAfterMs(error: RouterError, now = Date.now()): number | undefined {
  const milliseconds = Number(error.headers['retry-after-ms']);
  if (error.headers['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = error.headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with full jitter between half and all of the step. */
export function backoffMs(retry: Required<RetryOptions>, retryNumber: number, random = Math.random): number {
  const step = Math.min(retry.maxTimeoutMs, retry.minTimeoutMs * 2 ** (retryNumber - 1));
  return step / 2 + (random() * step) / 2;
}
