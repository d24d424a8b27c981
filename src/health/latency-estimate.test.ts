import { describe, expect, it } from 'vitest';
import {
  addLatencySample,
  defaultLatencyEstimateOptions,
  mergeLatencyEstimates,
  readLatency,
  type LatencyEstimate,
  type ResolvedLatencyEstimateOptions,
} from './latency-estimate.js';

const options: ResolvedLatencyEstimateOptions = { ...defaultLatencyEstimateOptions, halfLifeMs: 30_000, halfLifeSamples: 20, peakHalfLifeMs: 10_000 };
const prior = { p50: 800 };
const start = 1_000_000;

/** `samples` fed one a millisecond apart from `at`. */
function fed(samples: number[], at = start, state?: LatencyEstimate): LatencyEstimate {
  let estimate = state;
  samples.forEach((ms, index) => (estimate = addLatencySample(estimate, ms, at + index, options)));
  return estimate!;
}

/** Samples spread around `median` (a fixed lognormal-looking pattern, σ ≈ 0.2). */
const around = (median: number, count: number) => Array.from({ length: count }, (_, index) => median * Math.exp(0.2 * Math.sin(index * 2.4)));

describe('the latency estimate', () => {
  it('halves the weight of its samples after halfLifeMs idle, and its centre stays where it was', () => {
    const estimate = fed(around(100, 10));
    const now = start + 9;
    const fresh = readLatency(estimate, now, options, prior);
    const aged = readLatency(estimate, now + 30_000, options, prior);
    expect(aged.samples / fresh.samples).toBeCloseTo(0.5, 10);
    expect(aged.p50).toBeCloseTo(fresh.p50, 10);
  });

  it('halves the weight of a sample halfLifeSamples samples later', () => {
    // One sample at 100 ms, then 20 at 150 ms at the same instant: the first counts half of one.
    const estimate = fed([100, ...Array<number>(20).fill(150)], start);
    const newWeight = Array.from({ length: 20 }, (_, age) => 2 ** (-age / 20)).reduce((sum, weight) => sum + weight, 0);
    const expectedMean = (0.5 * Math.log(100) + newWeight * Math.log(150)) / (0.5 + newWeight);
    expect(Math.log(readLatency(estimate, start + 20, { ...options, halfLifeMs: 1e12 }, prior).p50)).toBeCloseTo(expectedMean, 3);
  });

  it('jumps to a sample far above its p90 at once (the peak), and lets it fade with peakHalfLifeMs', () => {
    const estimate = fed(around(100, 20));
    const before = readLatency(estimate, start + 20, options, prior);
    addLatencySample(estimate, 600, start + 20, options); // a deployment turned ~6× slower
    const after = readLatency(estimate, start + 20, options, prior);
    expect(after.p50).toBeGreaterThanOrEqual(600);
    expect(after.p90).toBeGreaterThanOrEqual(600);
    expect(before.p90 * 2).toBeLessThan(600);
    const faded = readLatency(estimate, start + 20 + 10_000, options, prior);
    expect(faded.p50).toBeCloseTo(300, 6); // the peak, halved
  });

  it('does not set the peak for a sample within twice its p90', () => {
    const estimate = fed(around(100, 20));
    const { p90 } = readLatency(estimate, start + 20, options, prior);
    addLatencySample(estimate, 1.5 * p90, start + 20, options);
    expect(estimate.peak).toBeNull();
    expect(readLatency(estimate, start + 20, options, prior).p50).toBeLessThan(1.5 * p90);
  });

  it('widens while nobody measures it: uncertainty grows and the optimistic bound falls, monotonically', () => {
    const estimate = fed(around(100, 20));
    const readings = [0, 10_000, 30_000, 60_000, 120_000, 600_000].map((idle) => readLatency(estimate, start + 20 + idle, options, prior));
    for (let index = 1; index < readings.length; index++) {
      expect(readings[index]!.uncertainty).toBeGreaterThanOrEqual(readings[index - 1]!.uncertainty);
      expect(readings[index]!.optimisticP90).toBeLessThanOrEqual(readings[index - 1]!.optimisticP90);
      expect(readings[index]!.staleMs).toBeGreaterThan(readings[index - 1]!.staleMs!);
    }
    expect(readings.at(-1)!.uncertainty).toBeGreaterThan(readings[0]!.uncertainty * 2);
    // Two half-lives idle: the standard error doubles (it goes with 1/√weight) while below its cap.
    expect(readings[3]!.uncertainty / readings[0]!.uncertainty).toBeCloseTo(2, 1);
    // The centre does not drift: a slow deployment does not look fast for being idle.
    expect(readings.at(-1)!.p50).toBeCloseTo(readings[0]!.p50, 10);
  });

  it('holds one far faster answer until a second confirms it, then starts over from them', () => {
    const estimate = fed(around(400, 20));
    addLatencySample(estimate, 40, start + 100, options);
    const held = readLatency(estimate, start + 100, options, prior);
    expect(held.p50).toBeGreaterThan(300); // one lucky answer does not win traffic back
    expect(held.heldP50).toBeCloseTo(40, 6); // but exploration can see it and confirm it
    addLatencySample(estimate, 44, start + 101, options);
    const confirmed = readLatency(estimate, start + 101, options, prior);
    expect(confirmed.p50).toBeCloseTo(Math.sqrt(40 * 44), 6);
    expect(confirmed.heldP50).toBeUndefined();
  });

  it('folds a held answer in when an ordinary one breaks the run', () => {
    const estimate = fed(around(400, 20));
    addLatencySample(estimate, 40, start + 100, options);
    addLatencySample(estimate, 400, start + 101, options);
    const reading = readLatency(estimate, start + 101, options, prior);
    expect(reading.heldP50).toBeUndefined();
    expect(reading.p50).toBeLessThan(readLatency(fed(around(400, 20)), start + 101, options, prior).p50);
  });

  it('remembers how fast it was before it turned slow, for exploration to watch for its recovery', () => {
    const estimate = fed(around(50, 20));
    addLatencySample(estimate, 250, start + 100, options);
    addLatencySample(estimate, 260, start + 200, options);
    const reading = readLatency(estimate, start + 300, options, prior);
    expect(reading.p50).toBeGreaterThan(240);
    expect(reading.beforeP50).toBeGreaterThan(40);
    expect(reading.beforeP50).toBeLessThan(60);
    expect(reading.changedMs).toBe(100);
  });

  it('judges the second of a run of slow answers against the estimate from before the run', () => {
    // The first answer (5×) counts at once, but must not widen the spread the second (2.5×) is judged by.
    const estimate = fed(around(80, 40));
    addLatencySample(estimate, 400, start + 1_000, options);
    addLatencySample(estimate, 200, start + 1_100, options);
    const reading = readLatency(estimate, start + 1_100, options, prior);
    expect(estimate.weight).toBe(2);
    expect(reading.p50).toBeGreaterThan(200);
    expect(reading.beforeP50).toBeGreaterThan(70);
    expect(reading.beforeP50).toBeLessThan(90);
  });

  it('takes no single answer for a former speed to watch for', () => {
    const estimate = fed([50]);
    addLatencySample(estimate, 250, start + 100, options);
    addLatencySample(estimate, 260, start + 200, options);
    const reading = readLatency(estimate, start + 300, options, prior);
    expect(reading.p50).toBeGreaterThan(240);
    expect(reading.beforeP50).toBeUndefined();
  });

  it('holds an answer back near its former level as good news, and forgets that level once a second confirms it', () => {
    const estimate = fed(around(50, 20));
    // Slow for a while: re-measured now and then, its estimate is slow and wide.
    for (const [index, ms] of [250, 260, 180, 300, 240].entries()) addLatencySample(estimate, ms, start + 100 + index * 100, options);
    const slow = readLatency(estimate, start + 700, options, prior);
    expect(slow.beforeP50).toBeGreaterThan(40);
    // 75 ms is not far off for that wide estimate, yet it is back near 50: held, not folded in.
    addLatencySample(estimate, 75, start + 800, options);
    const held = readLatency(estimate, start + 800, options, prior);
    expect(held.heldP50).toBeCloseTo(75, 6);
    expect(held.p50).toBeGreaterThan(200);
    expect(held.beforeP50).toBeDefined();
    addLatencySample(estimate, 60, start + 900, options);
    const back = readLatency(estimate, start + 900, options, prior);
    expect(back.p50).toBeLessThan(75);
    expect(back.heldP50).toBeUndefined();
    expect(back.beforeP50).toBeUndefined();
  });

  it('stands on the prior, with the widest uncertainty, before any sample', () => {
    const reading = readLatency(undefined, start, options, prior);
    expect(reading).toMatchObject({ measured: false, p50: 800, samples: 0, staleMs: undefined });
    expect(reading.uncertainty).toBeGreaterThan(readLatency(fed([800]), start, options, prior).uncertainty);
  });

  it('merges two processes’ estimates the same way whichever comes first, as plain JSON', () => {
    const a = fed(around(100, 7), start);
    const b = fed(around(140, 5), start + 5_000);
    const ab = mergeLatencyEstimates(a, b, options);
    const ba = mergeLatencyEstimates(JSON.parse(JSON.stringify(b)), JSON.parse(JSON.stringify(a)), options);
    expect(ab.weight).toBeCloseTo(ba.weight, 12);
    expect(ab.sum).toBeCloseTo(ba.sum, 12);
    expect(ab.squares).toBeCloseTo(ba.squares, 12);
    const merged = readLatency(ab, start + 6_000, options, prior).p50;
    expect(merged).toBeGreaterThan(100);
    expect(merged).toBeLessThan(140);
  });
});
