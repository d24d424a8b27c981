import { quantile, shuffled } from './fixtures.js';

/** A client under load: one call, and optionally the deferred work to wait for (audit writes). */
export interface LoadContender {
  name: string;
  call: () => Promise<unknown>;
  /** Awaited at the end of each window, so deferred work counts in its time and CPU. */
  settle?: () => Promise<void>;
}

export interface ThroughputResult {
  name: string;
  requestsPerSecond: number;
  p99Ms: number;
  /** Client-process CPU (user + system) per completed call, deferred work included. */
  cpuMicrosPerCall: number;
  completed: number;
  failed: number;
}

/**
 * `concurrency` callers, each calling again as soon as its call ends, for `windowMs` per
 * contender per round; contenders take turns in a fresh seeded order each round (after one
 * warm-up window each, which opens the connections), so load on the machine favours none.
 */
export async function measureThroughput(contenders: LoadContender[], concurrency: number, windowMs: number, rounds: number): Promise<ThroughputResult[]> {
  const totals = contenders.map(() => ({ completed: 0, failed: 0, elapsedMs: 0, cpuMicros: 0, latencies: [] as number[] }));
  for (let round = -1; round < rounds; round++) {
    for (const index of shuffled(contenders.length)) {
      const contender = contenders[index]!;
      const total = totals[index]!;
      const latencies: number[] = [];
      let completed = 0;
      let failed = 0;
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const end = started + (round < 0 ? windowMs / 2 : windowMs);
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < end) {
            const callStarted = performance.now();
            try {
              await contender.call();
              latencies.push(performance.now() - callStarted);
              completed++;
            } catch {
              failed++;
            }
          }
        }),
      );
      await contender.settle?.();
      const elapsedMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      if (round < 0) continue;
      total.completed += completed;
      total.failed += failed;
      total.elapsedMs += elapsedMs;
      total.cpuMicros += cpu.user + cpu.system;
      for (const latency of latencies) total.latencies.push(latency);
    }
  }
  return contenders.map(({ name }, index) => {
    const total = totals[index]!;
    return {
      name,
      requestsPerSecond: (total.completed / total.elapsedMs) * 1000,
      p99Ms: quantile(total.latencies, 0.99),
      cpuMicrosPerCall: total.cpuMicros / total.completed,
      completed: total.completed,
      failed: total.failed,
    };
  });
}
