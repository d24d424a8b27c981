/**
 * Live latency statistics per provider+model: a bounded window of recent time-to-first-token
 * samples, from which the `fastest` strategy and `max_latency_ms` read p50 and p90.
 */
export interface LatencyStats {
  /** @unit milliseconds */
  p50: number;
  /** @unit milliseconds */
  p90: number;
  samples: number;
}

export interface HealthTracker {
  /** Records one successful call's time to first token (the whole call when not streamed). */
  recordLatency(key: string, ttftMs: number): void;
  latency(key: string): LatencyStats | undefined;
}

/** Samples kept per provider+model; old ones fall out so a recovered deployment is seen. */
export const latencyWindow = 50;

export function createHealthTracker(window = latencyWindow): HealthTracker {
  const samples = new Map<string, { values: number[]; next: number; stats: LatencyStats | undefined }>();

  return {
    recordLatency(key, ttftMs) {
      let entry = samples.get(key);
      if (entry === undefined) {
        entry = { values: [], next: 0, stats: undefined };
        samples.set(key, entry);
      }
      if (entry.values.length < window) entry.values.push(ttftMs);
      else entry.values[entry.next] = ttftMs;
      entry.next = (entry.next + 1) % window;
      entry.stats = undefined; // recomputed lazily on the next read
    },
    latency(key) {
      const entry = samples.get(key);
      if (entry === undefined) return undefined;
      if (entry.stats === undefined) {
        const sorted = [...entry.values].sort((a, b) => a - b);
        const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
        entry.stats = { p50: at(0.5), p90: at(0.9), samples: sorted.length };
      }
      return entry.stats;
    },
  };
}
