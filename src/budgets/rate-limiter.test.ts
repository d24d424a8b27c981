import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryRateLimiter } from './rate-limiter.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the in-memory key rate limiter', () => {
  it('lets a full minute of requests through at once, exactly rpm of them, for any rpm', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 5, 2, 9, 30, 0, 123));
    for (const rpm of [1, 2, 7, 9, 14, 17, 60, 100, 1000]) {
      const limiter = memoryRateLimiter();
      const decisions = [];
      for (let index = 0; index <= rpm; index++) decisions.push(await limiter.take(`key-${rpm}`, { rpm }, 1));
      expect({ rpm, allowed: decisions.filter((decision) => decision.allowed).length }).toEqual({ rpm, allowed: rpm });
      expect(decisions.at(-1)).toMatchObject({ allowed: false, limit: 'rpm' });
    }
  });

  it('lets a full minute of tokens through at once, and not one token more', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 5, 2, 9, 30, 0, 123));
    const limiter = memoryRateLimiter();
    // 9 requests of 1,000 tokens fill a tpm of 9,000 exactly.
    for (let index = 0; index < 9; index++) expect(await limiter.take('key', { tpm: 9_000 }, 1_000)).toEqual({ allowed: true });
    expect(await limiter.take('key', { tpm: 9_000 }, 1)).toMatchObject({ allowed: false, limit: 'tpm' });
  });
});
