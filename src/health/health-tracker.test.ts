import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryHealthStore } from './health-store.js';
import { createHealthTracker, latencyWindow } from './health-tracker.js';

const key = 'eu-cloud/model-a';
const failure = { code: 'upstream_error', status: 502, message: 'eu-cloud returned 503' };

describe('the health tracker', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T12:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  const tracker = (store = memoryHealthStore()) => createHealthTracker({ failureThreshold: 3, cooldownMs: 30_000, store });

  it('reports p50 and p90 time to first token over a bounded window of recent samples', () => {
    const health = tracker();
    expect(health.latency(key)).toBeUndefined();
    for (let ms = 1; ms <= 10; ms++) health.succeeded(key, ms * 10);
    expect(health.latency(key)).toEqual({ p50: 50, p90: 90, samples: 10 });
    // A recovered deployment is seen once the old samples fall out of the window.
    for (let index = 0; index < latencyWindow; index++) health.succeeded(key, 5);
    expect(health.latency(key)).toEqual({ p50: 5, p90: 5, samples: latencyWindow });
  });

  it('keeps p50 and p90 equal to the nearest-rank percentiles of the last samples, whatever their order', () => {
    const nearestRank = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * values.length) - 1)];
    // A store that hands back a copy, as one deserialising from a shared server would.
    const records = new Map<string, string>();
    const copying = { get: (k: string) => (records.has(k) ? JSON.parse(records.get(k)!) : undefined), set: (k: string, r: unknown) => void records.set(k, JSON.stringify(r)), keys: () => records.keys() };
    for (const health of [tracker(), tracker(copying)]) {
      const seen: number[] = [];
      let seed = 7;
      for (let index = 0; index < latencyWindow * 3; index++) {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        const ms = (seed % 400) + (index % 7 === 0 ? 5 : 0); // repeats and ties included
        seen.push(ms);
        health.succeeded(key, ms, 'answer');
        const window = seen.slice(-latencyWindow);
        expect(health.latency(key, 'answer')).toEqual({ p50: nearestRank(window, 0.5), p90: nearestRank(window, 0.9), samples: window.length });
      }
    }
  });

  it('recomputes the percentiles when a store changed the samples in place', () => {
    const store = memoryHealthStore();
    const health = tracker(store);
    for (let ms = 1; ms <= latencyWindow; ms++) health.succeeded(key, ms, 'answer');
    // Another process's samples, written into the same array.
    const samples = store.get(key)!.answer;
    for (let index = 0; index < samples.length; index++) samples[index] = 1000 + index;
    health.succeeded(key, 2000, 'answer');
    const window = [...samples].sort((a, b) => a - b);
    expect(health.latency(key, 'answer')).toEqual({ p50: window[Math.ceil(0.5 * window.length) - 1], p90: window[Math.ceil(0.9 * window.length) - 1], samples: latencyWindow });
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

  it('re-opens for another cooldown when the trial fails', () => {
    const health = tracker();
    for (let count = 0; count < 3; count++) health.failed(key, failure);
    vi.setSystemTime(new Date('2026-03-01T12:00:31Z'));
    expect(health.admit(key, 5_000)).toBe(true);
    health.failed(key, failure);
    expect(health.circuit(key, Date.now())).toMatchObject({ state: 'open', retryAt: Date.parse('2026-03-01T12:01:01Z') });
    expect(health.snapshot()).toEqual([
      expect.objectContaining({ provider: 'eu-cloud', model: 'model-a', circuit: 'open', timesOpened: 2, failures: 4, errorRate: 1, retryAt: '2026-03-01T12:01:01.000Z' }),
    ]);
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
    expect(record).toMatchObject({ ttft: [42], successes: 1, failures: 1, consecutiveFailures: 1, circuit: 'closed' });
    // A second tracker over the same store sees the same state: what a shared store relies on.
    expect(tracker(store).latency(key)).toEqual({ p50: 42, p90: 42, samples: 1 });
  });
});
