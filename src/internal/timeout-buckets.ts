/**
 * Timers for attempt timeouts and call deadlines, shared: every callback due in the same bucket
 * (100 ms) runs from one timer, so a router with thousands of calls in flight keeps a handful of
 * timers, not one per call. A bucketed callback runs at its bucket's end: never early, at most one
 * bucket late, which matters only for short limits; those (under `minimumMs`) get a timer of
 * their own. (Measured on Node 20 against one timer per call: no difference in a call's time.)
 */
export interface TimeoutBuckets {
  /** Delays shorter than this get a timer of their own. @unit milliseconds */
  readonly minimumMs: number;
  /**
   * Runs `callback` no sooner than `delayMs` from now; returns the function that cancels it.
   * Bucket timers do not keep the process alive (what they time out does, while it lasts).
   */
  schedule(delayMs: number, callback: () => void): () => void;
}

/** The longest delay a Node timer holds; a longer one fires after 1 ms. @unit milliseconds */
const maxTimerMs = 2 ** 31 - 1;

export function createTimeoutBuckets(granularityMs = 100, minimumMs = 1000): TimeoutBuckets {
  const buckets = new Map<number, Set<() => void>>();
  return {
    minimumMs,
    schedule(delayMs, callback) {
      // Rounding up to a bucket must not push a delay past what a Node timer can hold (it would fire at once).
      if (delayMs < minimumMs || delayMs > maxTimerMs - granularityMs) {
        const timer = setTimeout(callback, delayMs);
        return () => clearTimeout(timer);
      }
      const now = performance.now();
      const due = Math.ceil((now + delayMs) / granularityMs) * granularityMs;
      let bucket = buckets.get(due);
      if (bucket === undefined) {
        const created = new Set<() => void>();
        bucket = created;
        buckets.set(due, created);
        const timer = setTimeout(() => {
          buckets.delete(due);
          for (const each of created) each();
        }, due - now);
        timer.unref?.();
      }
      // Each scheduling its own entry: one callback scheduled twice runs twice.
      const entry = () => callback();
      bucket.add(entry);
      const scheduled = bucket;
      return () => void scheduled.delete(entry);
    },
  };
}
