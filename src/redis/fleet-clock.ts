import type { CompletionEstimate } from '../health/completion-estimate.js';
import type { HealthRecord } from '../health/health-store.js';
import type { LatencyEstimate } from '../health/latency-estimate.js';

/*
 * The fleet's clock: Redis's. Instances compare times others wrote (when a circuit opened, when
 * it lets a trial through, which change is the latest, how old an estimate is), and machines'
 * clocks differ: by milliseconds with NTP, by seconds or minutes without it (a VM resumed from a
 * snapshot, a container on a drifting host). Read on this process's clock, a circuit opened on a
 * machine a minute ahead would keep a deployment out a minute longer, and a recovery recorded by
 * a machine behind would lose to the opening it ends. So every time written to Redis is on
 * Redis's clock (TIME), every time read from it is turned back to this process's, and the offset
 * between the two is measured at connection and at every refresh: Redis's time less the local
 * time halfway through the TIME round trip.
 */

/** The offset from this process's clock to Redis's, and the conversions it makes. */
export class FleetClock {
  /** Redis's time less this process's. @unit milliseconds */
  offsetMs = 0;

  /** Measures the offset with one TIME command; keeps the last offset when Redis does not answer. */
  async measure(time: () => Promise<unknown>): Promise<void> {
    const sentAt = Date.now();
    const started = performance.now();
    const reply = await time().catch(() => undefined);
    if (!Array.isArray(reply) || reply.length < 2) return;
    const seconds = Number(reply[0]);
    const micros = Number(reply[1]);
    if (!Number.isFinite(seconds) || !Number.isFinite(micros)) return;
    const localMidpoint = sentAt + (performance.now() - started) / 2;
    this.offsetMs = seconds * 1000 + micros / 1000 - localMidpoint;
  }

  /** A local time as the fleet reads it. */
  toFleet(time: number): number;
  toFleet(time: number | null): number | null;
  toFleet(time: number | null | undefined): number | null | undefined;
  toFleet(time: number | null | undefined): number | null | undefined {
    return typeof time === 'number' ? Math.round(time + this.offsetMs) : time;
  }

  /** A fleet time as this process reads it. */
  toLocal(time: number): number;
  toLocal(time: number | null): number | null;
  toLocal(time: number | null | undefined): number | null | undefined;
  toLocal(time: number | null | undefined): number | null | undefined {
    return typeof time === 'number' ? Math.round(time - this.offsetMs) : time;
  }

  /** The times of a record's statistics moved by `shift` (toFleet or toLocal): copies, never the record's own objects. */
  statistics<T extends Pick<HealthRecord, 'latency' | 'completion'>>(stats: T, shift: (time: number) => number): T {
    const latency = stats.latency && { ttft: shiftLatency(stats.latency.ttft, shift), answer: shiftLatency(stats.latency.answer, shift) };
    return { ...stats, latency, completion: shiftCompletion(stats.completion, shift) };
  }
}

function shiftLatency(estimate: LatencyEstimate | null | undefined, shift: (time: number) => number): LatencyEstimate | null {
  if (estimate == null) return null;
  return {
    ...estimate,
    at: shift(estimate.at),
    peakAt: estimate.peakAt == null ? null : shift(estimate.peakAt),
    changedAt: estimate.changedAt == null ? null : shift(estimate.changedAt),
  };
}

function shiftCompletion(estimate: CompletionEstimate | null | undefined, shift: (time: number) => number): CompletionEstimate | null {
  return estimate == null ? null : { ...estimate, at: shift(estimate.at) };
}
