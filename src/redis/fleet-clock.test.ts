import { describe, expect, it } from 'vitest';
import { newLatencyEstimate } from '../health/latency-estimate.js';
import { FleetClock } from './fleet-clock.js';

describe('FleetClock', () => {
  it("measures Redis's clock against this process's from a TIME reply, and keeps it when Redis does not answer", async () => {
    const clock = new FleetClock();
    const redisNow = Date.now() + 90_000;
    await clock.measure(async () => [String(Math.floor(redisNow / 1000)), String((redisNow % 1000) * 1000)]);
    expect(Math.abs(clock.offsetMs - 90_000)).toBeLessThan(1_000);
    const measured = clock.offsetMs;
    await clock.measure(async () => undefined);
    await clock.measure(async () => {
      throw new Error('connection lost');
    });
    expect(clock.offsetMs).toBe(measured);
  });

  it('moves every time of a statistics record, on copies', () => {
    const clock = new FleetClock();
    clock.offsetMs = 60_000;
    const ttft = { ...newLatencyEstimate(120, 1_000), peak: 400, peakAt: 2_000, changedAt: 3_000 };
    const stats = { latency: { ttft, answer: null }, completion: { at: 4_000, weight: 1, sum: 5, squares: 25 }, successes: 3 };
    const fleet = clock.statistics(stats, (time) => clock.toFleet(time));
    expect(fleet.latency.ttft).toMatchObject({ at: 61_000, peakAt: 62_000, changedAt: 63_000, peak: 400, sum: ttft.sum });
    expect(fleet.completion).toEqual({ at: 64_000, weight: 1, sum: 5, squares: 25 });
    expect(fleet.successes).toBe(3);
    expect(ttft.at).toBe(1_000);
    expect(clock.statistics(fleet, (time) => clock.toLocal(time)).latency.ttft).toEqual(ttft);
  });
});
