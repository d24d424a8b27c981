/**
 * Timers for attempt timeouts and call deadlines, shared: every callback due in the same bucket
 * (100 ms) runs from one timer, so a router with thousands of calls in flight keeps a handful of
 * timers, not one per call. A bucketed callback runs at its bucket's end: not early (to the
 * millisecond Node's timers keep), at most one bucket late, which matters only for short limits;
 * those (under `minimumMs`) get a timer of their own. (Measured on Node 20 against one timer per
 * call: no difference in a call's time.)
 */
export interface TimeoutBuckets {
  /**
   * Runs `callback` no sooner than `delayMs` from now; returns the function that cancels it.
   * A pending callback keeps the process alive, as a timer of its own would; a cancelled one does not.
   */
  schedule(delayMs: number, callback: () => void): () => void;
}

/** The longest delay a Node timer holds; a longer one fires after 1 ms. @unit milliseconds */
const maxTimerMs = 2 ** 31 - 1;

/** `minimumMs`: delays shorter than this get a timer of their own. */
export function createTimeoutBuckets(granularityMs = 100, minimumMs = 1000): TimeoutBuckets {
  const buckets = new Map<number, Bucket>();
  return {
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
        const callbacks = new Set<() => void>();
        const timer = setTimeout(() => {
          buckets.delete(due);
          for (const each of callbacks) each();
        }, due - now);
        bucket = { callbacks, timer };
        buckets.set(due, bucket);
      }
      // Each scheduling its own entry: one callback scheduled twice runs twice.
      const entry = () => callback();
      const scheduled = bucket;
      scheduled.callbacks.add(entry);
      // Like a timer of its own, a pending timeout keeps the process alive; a bucket whose every
      // timeout was cancelled must not (it may be a minute from firing).
      if (scheduled.callbacks.size === 1) scheduled.timer.ref?.();
      return () => {
        if (scheduled.callbacks.delete(entry) && scheduled.callbacks.size === 0) scheduled.timer.unref?.();
      };
    },
  };
}

interface Bucket {
  callbacks: Set<() => void>;
  timer: ReturnType<typeof setTimeout>;
}
