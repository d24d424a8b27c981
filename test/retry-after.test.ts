import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, memoryAudit, RouterError } from '../src/index.js';
import { deployment, messages } from './helpers/fault-deployments.js';
import { fault, useFaultServer } from './helpers/fault-server.js';

/*
 * Waits between retries, with fake timers: the router's waits run on the faked setTimeout while
 * the upstream answers in real time. Spying on setTimeout tells when the router has scheduled
 * its wait; the upstream's request log tells when it actually tried again.
 */

const faults = useFaultServer();
const realSetTimeout = globalThis.setTimeout;

/** Lets real I/O run: anything the router sends now reaches the upstream. */
const settle = () => new Promise((resolve) => realSetTimeout(resolve, 30));

function fakeTimers() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const scheduled = vi.spyOn(globalThis, 'setTimeout');
  return {
    /** Polls in real time (vi.waitFor would advance the fake clock) until a wait of `ms` is scheduled. */
    async waitScheduled(ms: number) {
      for (let polls = 0; !scheduled.mock.calls.some(([, delay]) => delay === ms); polls++) {
        if (polls === 200) throw new Error(`no wait of ${ms} ms was scheduled`);
        await new Promise((resolve) => realSetTimeout(resolve, 5));
      }
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('waiting before a retry', () => {
  it('retries a 429 with Retry-After: 1 after a second: not at once, not after the default backoff', async () => {
    const limited = faults.upstream('limited').script(fault.rateLimit(1));
    const router = createRouter({ providers: [deployment(limited)] }); // default backoff: 125–250 ms for the first retry
    const timers = fakeTimers();

    const pending = router.chat.completions.create({ model: 'model-a', messages });
    await timers.waitScheduled(1000);
    await vi.advanceTimersByTimeAsync(999);
    await settle();
    expect(limited.requests).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1);
    await limited.received(2);
    const response = await pending;
    expect(response.route.attempts.map((attempt) => attempt.code ?? attempt.outcome)).toEqual(['rate_limited', 'ok']);
    expect(response.route.attempts[0]!.status).toBe(429);
    expect(response.route.fallback_used).toBe(false);
  });

  it('honours retry-after-ms over Retry-After', async () => {
    const limited = faults.upstream('limited').script({ kind: 'status', status: 429, retryAfter: '5', retryAfterMs: '1500' });
    const router = createRouter({ providers: [deployment(limited)] });
    const timers = fakeTimers();
    const pending = router.chat.completions.create({ model: 'model-a', messages });
    await timers.waitScheduled(1500);
    await vi.advanceTimersByTimeAsync(1500);
    await limited.received(2);
    expect((await pending).provider).toBe('limited');
  });

  it('falls back at once when Retry-After asks for more than retry.maxRetryAfterMs', async () => {
    const limited = faults.upstream('limited').otherwise(fault.rateLimit(60));
    const spare = faults.upstream('spare');
    const router = createRouter({ providers: [deployment(limited, { price: 0.1 }), deployment(spare, { price: 0.2 })], strategy: 'cheapest' });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('spare');
    expect(limited.requests).toHaveLength(1); // no retry into a minute-long wait
  });

  it('falls back at once when the wait would pass the call’s deadline', async () => {
    const limited = faults.upstream('limited').otherwise(fault.rateLimit(5));
    const spare = faults.upstream('spare');
    const router = createRouter({ providers: [deployment(limited, { price: 0.1 }), deployment(spare, { price: 0.2 })], strategy: 'cheapest', deadlineMs: 3000 });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('spare');
    expect(limited.requests).toHaveLength(1);
  });

  it('stops waiting as soon as the caller aborts, and sends nothing more', async () => {
    const limited = faults.upstream('limited').script(fault.rateLimit(2));
    const router = createRouter({ providers: [deployment(limited)] });
    const timers = fakeTimers();
    const controller = new AbortController();
    const pending = router.chat.completions.create({ model: 'model-a', messages }, { signal: controller.signal });
    await timers.waitScheduled(2000);
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error) && error.code).toBe('aborted');
    await vi.advanceTimersByTimeAsync(5000);
    await settle();
    expect(limited.requests).toHaveLength(1);
  });

  it('stops the second retry’s wait too: aborted at once, one record, nothing more sent', async () => {
    const failing = faults.upstream('failing').otherwise({ kind: 'status', status: 503, retryAfter: '30' });
    const audit = memoryAudit();
    const router = createRouter({ providers: [deployment(failing)], retry: { retries: 3, maxRetryAfterMs: 60_000 }, audit: [audit] });
    const timers = fakeTimers();
    const controller = new AbortController();
    const pending = router.chat.completions.create({ model: 'model-a', messages }, { signal: controller.signal });
    await timers.waitScheduled(30_000);
    await vi.advanceTimersByTimeAsync(30_000);
    await failing.received(2);
    await settle();
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error) && error.code).toBe('aborted');
    await vi.advanceTimersByTimeAsync(120_000);
    await settle();
    expect(failing.requests).toHaveLength(2);
    vi.useRealTimers();
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]!.outcome).toBe('aborted');
    expect(audit.records[0]!.attempts.map((attempt) => attempt.status)).toEqual([503, 503]);
  });
});
