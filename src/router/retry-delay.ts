import type { RouterError } from '../errors.js';
import type { RetryOptions } from './options.js';

/**
 * The wait an upstream asked for, from `retry-after-ms` (milliseconds) or `Retry-After`
 * (seconds or an HTTP date). Undefined when it asked for nothing usable.
 */
export function retryAfterMs(error: RouterError, now = Date.now()): number | undefined {
  const milliseconds = error.headers['retry-after-ms'];
  if (milliseconds !== undefined && waitPattern.test(milliseconds)) return Number(milliseconds);
  const value = error.headers['retry-after'];
  if (value === undefined) return undefined;
  if (waitPattern.test(value)) return Number(value) * 1000;
  // Only a date with a month or weekday name: `Date.parse` reads '-5' or '2' as dates in 2001.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A wait as a number: non-negative, possibly fractional; not empty, not negative, not `Infinity`. */
const waitPattern = /^\s*\d+(?:\.\d+)?\s*$/;

/** Exponential backoff with full jitter between half and all of the step. */
export function backoffMs(retry: Required<RetryOptions>, retryNumber: number, random = Math.random): number {
  const step = Math.min(retry.maxTimeoutMs, retry.minTimeoutMs * 2 ** (retryNumber - 1));
  return step / 2 + (random() * step) / 2;
}
