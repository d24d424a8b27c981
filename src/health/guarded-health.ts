import type { HealthTracker } from './health-tracker.js';

/*
 * A health store of the application's own (the `HealthStore` contract) may fail to write: read-only,
 * full, or simply wrong. What the tracker records after an attempt is bookkeeping about the
 * deployment, and must never change what the attempt was: a store that throws while recording an
 * answer would otherwise turn that answer into a failure, which the router retries and falls
 * back from, sending (and billing) the call again. So these writes are guarded: the failure is
 * reported, at most once a minute, and routing goes on with what the store holds.
 */

/** How often a store that keeps failing is reported again. @unit milliseconds */
const reportEveryMs = 60_000;

/** `tracker` with its writes guarded, each failure reported through `warn` (throttled). */
export function guardedHealth(tracker: HealthTracker, warn: (message: string) => void): HealthTracker {
  let reportedAt = Number.NEGATIVE_INFINITY;
  let unreported = 0;
  /** Runs `write`; if it throws, reports it (throttled) and returns `otherwise`. */
  const guard = <T>(what: string, key: string, write: () => T, otherwise: T): T => {
    try {
      return write();
    } catch (error) {
      const now = Date.now();
      if (now - reportedAt < reportEveryMs) {
        unreported += 1;
        return otherwise;
      }
      const since = unreported > 0 ? ` (and ${unreported} more failures since the last report)` : '';
      reportedAt = now;
      unreported = 0;
      try {
        warn(
          `sovroute health: the health store could not record ${what} of ${key}: ${error instanceof Error ? error.message : String(error)}${since}; ` +
            'routing goes on with what the store holds, and the request is unaffected',
        );
      } catch {
        // A logger that throws as well (a closed destination) must not turn the answer into a failure either.
      }
      return otherwise;
    }
  };
  return {
    ...tracker,
    // The tracker writes only an admission it granted (a half-open circuit's trial): unrecorded, it stands.
    admit: (key, leaseMs) => guard('a trial attempt', key, () => tracker.admit(key, leaseMs), true),
    succeeded: (key, latencyMs, kind) => guard('an answer', key, () => tracker.succeeded(key, latencyMs, kind), undefined),
    failed: (key, failure) => guard('a failure', key, () => tracker.failed(key, failure), undefined),
    released: (key, lowerBound) => guard('a released attempt', key, () => tracker.released(key, lowerBound), undefined),
    completed: (key, tokens) => guard('an answer length', key, () => tracker.completed(key, tokens), undefined),
  };
}
