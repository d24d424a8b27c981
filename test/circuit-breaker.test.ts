import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRouter, memoryAudit, memoryHealthStore, RouterError } from '../src/index.js';
import { deployment, messages } from './helpers/fault-deployments.js';
import { fault, useFaultServer } from './helpers/fault-server.js';

/* The circuit breaker against real failing upstreams; the cooldown passes on a faked Date. */

const faults = useFaultServer();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-03-01T12:00:00Z'));
});
afterEach(() => vi.useRealTimers());

function flakyAndSteady() {
  const flaky = faults.upstream('flaky').otherwise(fault.status(503));
  const steady = faults.upstream('steady');
  const router = createRouter({
    providers: [deployment(flaky, { price: 0.1 }), deployment(steady, { price: 0.2 })],
    strategy: 'cheapest',
    retry: { retries: 0 },
    health: { failureThreshold: 3, cooldownMs: 30_000 },
  });
  return { flaky, steady, router };
}

const explainFlaky = (router: ReturnType<typeof createRouter>) =>
  router.explain({ model: 'model-a', messages }).candidates.find((candidate) => candidate.provider === 'flaky')!;

async function call(router: ReturnType<typeof createRouter>) {
  return router.chat.completions.create({ model: 'model-a', messages });
}

describe('the circuit breaker', () => {
  it('opens after repeated failures, skips the deployment with the reason in explain(), and tries it again after the cooldown', async () => {
    const { flaky, router } = flakyAndSteady();
    for (let count = 0; count < 3; count++) expect((await call(router)).provider).toBe('steady');
    expect(flaky.requests).toHaveLength(3);

    const excluded = explainFlaky(router);
    expect(excluded.eligible).toBe(false);
    expect(excluded.reasons).toEqual([
      'circuit open after 3 consecutive failures (last: upstream_error 503); retry after 2026-03-01T12:00:30.000Z, in 30 s',
    ]);
    expect(router.explain({ model: 'model-a', messages }).chosen).toEqual({ provider: 'steady', model: 'model-a' });
    expect(router.health().find((entry) => entry.provider === 'flaky')).toMatchObject({ circuit: 'open', timesOpened: 1, retryAt: '2026-03-01T12:00:30.000Z' });

    const skipped = await call(router);
    expect(skipped.route.attempts.map((attempt) => attempt.provider)).toEqual(['steady']);
    expect(skipped.route.fallback_used).toBe(false);
    expect(flaky.requests).toHaveLength(3);

    vi.setSystemTime(new Date('2026-03-01T12:00:30Z'));
    flaky.otherwise(fault.ok());
    expect(explainFlaky(router)).toMatchObject({ eligible: true, reasons: ['circuit half-open: the next attempt on it is the trial'] });
    expect((await call(router)).provider).toBe('flaky');
    expect(router.health().find((entry) => entry.provider === 'flaky')).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
    expect(explainFlaky(router)).toMatchObject({ eligible: true, reasons: [] });
  });

  it('re-opens for a longer cooldown when the trial fails', async () => {
    const { flaky, router } = flakyAndSteady();
    for (let count = 0; count < 3; count++) await call(router);
    vi.setSystemTime(new Date('2026-03-01T12:00:31Z'));
    expect((await call(router)).route.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual(['flaky:error', 'steady:ok']);
    expect(flaky.requests).toHaveLength(4);
    // A fixed cooldown kept re-trying a deployment that kept failing; it now grows 1.5× (30 s, then 45 s).
    expect(explainFlaky(router).reasons[0]).toMatch(/^circuit open after 4 consecutive failures .* retry after 2026-03-01T12:01:16.000Z/);
    await call(router);
    expect(flaky.requests).toHaveLength(4);
    expect(router.health().find((entry) => entry.provider === 'flaky')).toMatchObject({ circuit: 'open', timesOpened: 2 });
  });

  it('re-opens for the same cooldown when the trial fails fast, and for a longer one when it times out', async () => {
    const flaky = faults.upstream('flaky').otherwise(fault.ok({ ttftMs: 60 }));
    const steady = faults.upstream('steady');
    const router = createRouter({
      providers: [deployment(flaky, { price: 0.1 }), deployment(steady, { price: 0.2 })],
      strategy: 'cheapest',
      retry: { retries: 0 },
      timeoutMs: 300,
      health: { failureThreshold: 3, cooldownMs: 30_000 },
    });
    // It answered in about 60 ms: that is how long it usually takes.
    for (let count = 0; count < 3; count++) expect((await call(router)).provider).toBe('flaky');
    flaky.otherwise(fault.status(503));
    for (let count = 0; count < 3; count++) expect((await call(router)).provider).toBe('steady');
    expect(explainFlaky(router).reasons[0]).toMatch(/retry after 2026-03-01T12:00:30.000Z/);

    // An outage: the trial's 503 comes back at once, far faster than an answer. It cost its caller
    // nothing (the call fell back at once), so the circuit re-opens for the same 30 s, not 45 s.
    vi.setSystemTime(new Date('2026-03-01T12:00:31Z'));
    expect((await call(router)).route.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual(['flaky:error', 'steady:ok']);
    expect(explainFlaky(router).reasons[0]).toMatch(/^circuit open after 4 consecutive failures .* retry after 2026-03-01T12:01:01.000Z/);

    // A trial that hangs until the timeout cost its caller the whole wait: the cooldown grows (45 s).
    flaky.otherwise(fault.hang());
    vi.setSystemTime(new Date('2026-03-01T12:01:02Z'));
    expect((await call(router)).route.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual(['flaky:error', 'steady:ok']);
    expect(explainFlaky(router).reasons[0]).toMatch(/^circuit open after 5 consecutive failures .* retry after 2026-03-01T12:01:47.000Z/);
    expect(router.health().find((entry) => entry.provider === 'flaky')).toMatchObject({ circuit: 'open', timesOpened: 3 });
  });

  it('is asked before every attempt: a retry does not go to a deployment whose circuit has just opened', async () => {
    const flaky = faults.upstream('flaky').otherwise(fault.status(503));
    const steady = faults.upstream('steady');
    const router = createRouter({
      providers: [deployment(flaky, { price: 0.1 }), deployment(steady, { price: 0.2 })],
      strategy: 'cheapest',
      retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 },
      health: { failureThreshold: 1 },
    });
    const response = await call(router);
    expect(response.route.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual(['flaky:error', 'steady:ok']);
    expect(flaky.requests).toHaveLength(1);
  });

  it('when the only deployment\u2019s circuit opens on a 429, the caller gets that 429 with its Retry-After, not a skip', async () => {
    const limited = faults.upstream('limited').otherwise(fault.rateLimit(1));
    const router = createRouter({ providers: [deployment(limited)], retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 }, health: { failureThreshold: 1 } });
    const error = await call(router).catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error) && error.code).toBe('rate_limited');
    const routerError = error as RouterError;
    expect(routerError.headers['retry-after']).toBe('1');
    expect(routerError.message).toMatch(/Rate limit reached/);
    // It was called, once: it is not listed as "not called".
    expect(routerError.message).not.toMatch(/not called/);
    expect(limited.requests).toHaveLength(1);
  });

  it('lets one trial through at a time: a concurrent request skips the half-open deployment', async () => {
    const { flaky, steady, router } = flakyAndSteady();
    for (let count = 0; count < 3; count++) await call(router);
    vi.setSystemTime(new Date('2026-03-01T12:00:30Z'));
    flaky.script(fault.ok({ ttftMs: 50 }));

    const trial = call(router);
    expect(explainFlaky(router).reasons[0]).toMatch(/^circuit half-open: a trial request is in flight/);
    const other = await call(router);
    expect(other.provider).toBe('steady');
    expect((await trial).provider).toBe('flaky');
    expect([flaky.requests.length, steady.requests.length]).toEqual([4, 4]);
  });

  it('while the only deployment’s trial is in flight, another call gets the 503 with a Retry-After, as documented', async () => {
    const flaky = faults.upstream('flaky').otherwise(fault.status(503));
    const router = createRouter({ providers: [deployment(flaky)], retry: { retries: 0 }, health: { failureThreshold: 1, cooldownMs: 30_000 } });
    await call(router).catch(() => undefined);
    vi.setSystemTime(new Date('2026-03-01T12:00:30Z'));
    flaky.script(fault.ok({ ttftMs: 50 }));
    const trial = call(router);
    const error = await call(router).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'no_eligible_provider', status: 503 });
    expect(Number((error as RouterError).headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await trial).provider).toBe('flaky');
  });

  it('when every eligible deployment’s circuit is open, fails with a clear 503 and calls nobody, not even an ineligible one', async () => {
    const first = faults.upstream('first').otherwise(fault.status(500));
    const second = faults.upstream('second').otherwise(fault.reset());
    const abroad = faults.upstream('abroad'); // healthy, but the policy excludes it
    const audit = memoryAudit();
    const router = createRouter({
      providers: [deployment(first), deployment(second), deployment(abroad, { us: true })],
      policy: 'eu-sovereign',
      retry: { retries: 0 },
      health: { failureThreshold: 2, cooldownMs: 30_000 },
      audit: [audit],
    });
    for (let count = 0; count < 2; count++) await call(router).catch(() => undefined);
    expect([first.requests.length, second.requests.length]).toEqual([2, 2]);

    const error = await call(router).catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'no_eligible_provider', status: 503, headers: { 'retry-after': '30' } });
    expect((error as RouterError).message).toMatch(/every deployment eligible for "model-a" under policy eu-sovereign has an open circuit/);
    expect((error as RouterError).message).toMatch(/first\/model-a: circuit open after 2 consecutive failures/);
    expect([first.requests.length, second.requests.length, abroad.requests.length]).toEqual([2, 2, 0]);
    // An outage, not a jurisdiction denial, in the compliance log.
    await router.flush();
    expect(audit.records.at(-1)).toMatchObject({ outcome: 'error', error_code: 'no_eligible_provider' });
  });

  it('refuses invalid health and deadline options at createRouter, naming them', () => {
    const attempt = (options: object) => {
      try {
        createRouter({ providers: [], ...options });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(attempt({ health: { failureThreshold: 0 } })).toMatchObject({ code: 'invalid_request', param: 'health.failureThreshold' });
    expect(attempt({ health: { store: {} } })).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/HealthStore/) });
    expect(attempt({ deadlineMs: -1 })).toMatchObject({ code: 'invalid_request', param: 'deadlineMs' });
    expect(attempt({ health: { cooldownMs: 1000, store: memoryHealthStore() }, deadlineMs: 5000 })).toBeUndefined();
  });

  it('is not fed by test-key calls, whose faults are simulated', async () => {
    const router = createRouter({ providers: [deployment(faults.upstream('real'))], apiKey: 'test-suite', retry: { retries: 0 }, health: { failureThreshold: 1 } });
    await router.chat.completions.create({ model: 'model-a', messages, simulate: { fault: 'server_error' } }).catch(() => undefined);
    expect(router.health()).toEqual([]);
    expect(router.explain({ model: 'model-a', messages }).chosen).toEqual({ provider: 'real', model: 'model-a' });
  });
});
