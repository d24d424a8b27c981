import { describe, expect, it } from 'vitest';
import { RouterError } from '../errors.js';
import { backoffMs, retryAfterMs } from './retry-delay.js';

const retry = { retries: 4, minTimeoutMs: 250, maxTimeoutMs: 4000, maxRetryAfterMs: 10_000 };

describe('backoff between retries of one deployment', () => {
  it('doubles each retry, with jitter between half and all of the step', () => {
    // Retry n waits within [step/2, step], step = 250 ms × 2^(n-1).
    expect([1, 2, 3].map((n) => backoffMs(retry, n, () => 0))).toEqual([125, 250, 500]);
    expect([1, 2, 3].map((n) => backoffMs(retry, n, () => 1))).toEqual([250, 500, 1000]);
    // Jitter: two callers retrying together do not wait the same time.
    expect(backoffMs(retry, 2, () => 0.1)).not.toBe(backoffMs(retry, 2, () => 0.9));
  });

  it('never waits longer than maxTimeoutMs', () => {
    expect(backoffMs(retry, 10, () => 1)).toBe(4000);
    expect(backoffMs(retry, 10, () => 0)).toBe(2000);
  });
});

describe("the upstream's own wait", () => {
  const rateLimited = (headers: Record<string, string>) => new RouterError('rate limited', { code: 'rate_limited', status: 429, headers });

  it('reads retry-after-ms, then Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMs(rateLimited({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(1500);
    expect(retryAfterMs(rateLimited({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(retryAfterMs(rateLimited({ 'retry-after': 'Sun, 01 Mar 2026 12:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(rateLimited({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(rateLimited({}))).toBeUndefined();
  });
});

describe('an upstream wait that makes no sense', () => {
  const rateLimited = (headers: Record<string, string>) => new RouterError('rate limited', { code: 'rate_limited', status: 429, headers });

  it('ignores a negative, empty or bare-number-as-date Retry-After, so the backoff applies instead of an instant retry', () => {
    // `Date.parse('-5')` and `Date.parse('2')` are dates in 2001: read as dates, they meant "retry now".
    expect(retryAfterMs(rateLimited({ 'retry-after': '-5' }))).toBeUndefined();
    expect(retryAfterMs(rateLimited({ 'retry-after': '' }))).toBeUndefined();
    expect(retryAfterMs(rateLimited({ 'retry-after': '   ' }))).toBeUndefined();
    expect(retryAfterMs(rateLimited({ 'retry-after-ms': '' }))).toBeUndefined();
    expect(retryAfterMs(rateLimited({ 'retry-after-ms': '-100' }))).toBeUndefined();
  });

  it('still reads a fractional wait, and a date in the past as "now"', () => {
    expect(retryAfterMs(rateLimited({ 'retry-after': '1.5' }))).toBe(1500);
    expect(retryAfterMs(rateLimited({ 'retry-after': ' 3 ' }))).toBe(3000);
    expect(retryAfterMs(rateLimited({ 'retry-after': 'Sun, 01 Mar 2026 12:00:00 GMT' }), Date.parse('2026-03-02T00:00:00Z'))).toBe(0);
  });
});
