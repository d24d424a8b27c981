import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryHealthStore } from './health-store.js';
import { createHealthTracker } from './health-tracker.js';

const key = 'eu-cloud/model-a';
const failure = { code: 'upstream_error', status: 502, message: 'eu-cloud returned 503' };

describe('the health tracker', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T12:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  const tracker = (store = memoryHealthStore()) => createHealthTracker({ failureThreshold: 3, cooldownMs: 30_000, maxCooldownMs: 120_000, cooldownDecayMs: 60_000, cooldownGrowth: 2, store });

  it('estimates latency from recent samples and follows a deployment that recovered', () => {
    const health = tracker();
    const read = () => health.latency(key, 'ttft', Date.now(), { p50: 800 });
    expect(read()).toMatchObject({ measured: false, p50: 800, samples: 0 });
    for (let count = 0; count < 10; count++) health.succeeded(key, 100);
    expect(read().p50).toBeCloseTo(100, 6);
    // Three answers far faster in a row: the deployment changed, the estimate starts over from them.
    for (let count = 0; count < 3; count++) health.succeeded(key, 10);
    expect(read().p50).toBeCloseTo(10, 6);
  });

  it('counts a timeout, and a failure slower than the p90, as latency; a fast failure not', () => {
    const health = tracker();
    for (let count = 0; count < 5; count++) health.succeeded(key, 100, 'answer');
    const read = () => health.latency(key, 'answer', Date.now(), { p50: 100 }).p50;
    health.failed(key, { ...failure, latencyMs: 5, kind: 'answer' });
    expect(read()).toBeCloseTo(100, 6);
    health.failed(key, { code: 'timeout', message: 'no answer within 2000 ms', latencyMs: 2_000, kind: 'answer', timedOut: true });
    expect(read()).toBeGreaterThanOrEqual(2_000); // far above the p90: the peak rule takes it at once
  });

  it('opens after the threshold of consecutive failures, half-opens after the cooldown and admits one trial', () => {
    const health = tracker();
    health.failed(key, failure);
    health.failed(key, failure);
    health.succeeded(key, 10); // a success resets the count
    for (let count = 0; count < 3; count++) health.failed(key, failure);
    expect(health.circuit(key, Date.now())).toMatchObject({ state: 'open', consecutiveFailures: 3, retryAt: Date.parse('2026-03-01T12:00:30Z') });
    expect(health.admit(key, 5_000)).toBe(false);

    vi.setSystemTime(new Date('2026-03-01T12:00:30Z'));
    expect(health.circuit(key, Date.now())).toMatchObject({ state: 'half-open', trialInFlight: false });
    expect(health.admit(key, 5_000)).toBe(true); // the trial
    expect(health.admit(key, 5_000)).toBe(false); // everyone else waits for it
    health.succeeded(key, 12);
    expect(health.circuit(key, Date.now())).toEqual({ state: 'closed' });
    expect(health.admit(key, 5_000)).toBe(true);
  });

  it('re-opens for twice the cooldown when the trial fails, up to the longest', () => {
    const health = tracker();
    for (let count = 0; count < 3; count++) health.failed(key, failure);
    vi.setSystemTime(new Date('2026-03-01T12:00:31Z'));
    expect(health.admit(key, 5_000)).toBe(true);
    health.failed(key, failure);
    expect(health.circuit(key, Date.now())).toMatchObject({ state: 'open', retryAt: Date.parse('2026-03-01T12:01:31Z') });
    expect(health.snapshot()).toEqual([
      expect.objectContaining({ provider: 'eu-cloud', model: 'model-a', circuit: 'open', timesOpened: 2, failures: 4, errorRate: 1, retryAt: '2026-03-01T12:01:31.000Z' }),
    ]);
    const cooldowns: number[] = [];
    for (let count = 0; count < 3; count++) {
      vi.setSystemTime(health.circuit(key, Date.now()).state === 'open' ? (health.circuit(key, Date.now()) as { retryAt: number }).retryAt : Date.now());
      health.admit(key, 5_000);
      health.failed(key, failure);
      cooldowns.push((health.circuit(key, Date.now()) as { retryAt: number }).retryAt - Date.now());
    }
    expect(cooldowns).toEqual([120_000, 120_000, 120_000]); // 30 s × 2³ = 240 s, held at 120 s
  });

  it('shortens the cooldown again after healthy operation: one level per cooldownDecayMs closed', () => {
    const health = tracker();
    for (let round = 0; round < 2; round++) {
      for (let count = 0; count < 3; count++) health.failed(key, failure);
      vi.setSystemTime((health.circuit(key, Date.now()) as { retryAt: number }).retryAt);
      health.admit(key, 5_000);
      health.succeeded(key, 10); // the trial succeeds: closed, level 1 then 2
    }
    // Closed and healthy for one decay period: the next opening is one level lower (level 2, 60 s), not 120 s.
    vi.setSystemTime(Date.now() + 60_000);
    for (let count = 0; count < 3; count++) health.failed(key, failure);
    expect((health.circuit(key, Date.now()) as { retryAt: number }).retryAt - Date.now()).toBe(60_000);
  });

  it('frees the trial slot when the trial ends with no verdict, and after its lease otherwise', () => {
    const health = tracker();
    for (let count = 0; count < 3; count++) health.failed(key, failure);
    vi.setSystemTime(new Date('2026-03-01T12:00:30Z'));
    expect(health.admit(key, 5_000)).toBe(true);
    health.released(key); // e.g. the caller aborted
    expect(health.admit(key, 5_000)).toBe(true);
    vi.setSystemTime(new Date('2026-03-01T12:00:35Z')); // the lease ran out without a report
    expect(health.admit(key, 5_000)).toBe(true);
  });

  it('keeps its state as plain JSON in the store it is given', () => {
    const store = memoryHealthStore();
    const health = tracker(store);
    health.succeeded(key, 42);
    health.failed(key, failure);
    const record = store.get(key)!;
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    expect(record).toMatchObject({ latency: { ttft: { count: 1 }, answer: null }, successes: 1, failures: 1, consecutiveFailures: 1, circuit: 'closed' });
    // A second tracker over the same store sees the same state: what a shared store relies on.
    const now = Date.now();
    expect(tracker(store).latency(key, 'ttft', now, { p50: 800 })).toEqual(health.latency(key, 'ttft', now, { p50: 800 }));
    expect(tracker(store).latency(key, 'ttft', now, { p50: 800 }).p50).toBeCloseTo(42, 6);
  });
});
