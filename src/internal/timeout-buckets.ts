/**
 * Shared abort signals for attempt timeouts. Every attempt whose timeout falls in the same
 * bucket shares one AbortController and one timer: on Node 20 creating an AbortController costs
 * ~12 µs (it is made transferable), more than the rest of routing a call. A shared signal fires
 * at its bucket's end, never early and at most one bucket late, and aborts every signal in it, so
 * it serves only calls that need nothing else from their signal: no caller abort, no stream to
 * cut off later, and a timeout long enough that a bucket's delay does not matter.
 */
export interface TimeoutBuckets {
  /** Timeouts shorter than this need their own controller. @unit milliseconds */
  readonly minimumMs: number;
  /** A signal that aborts no sooner than `delayMs` from now. */
  signal(delayMs: number): AbortSignal;
}

export function createTimeoutBuckets(granularityMs = 100, minimumMs = 1000): TimeoutBuckets {
  const buckets = new Map<number, AbortSignal>();
  return {
    minimumMs,
    signal(delayMs) {
      const now = performance.now();
      const due = Math.ceil((now + delayMs) / granularityMs) * granularityMs;
      let signal = buckets.get(due);
      if (signal === undefined) {
        const controller = new AbortController();
        signal = controller.signal;
        buckets.set(due, signal);
        const timer = setTimeout(() => {
          buckets.delete(due);
          controller.abort();
        }, due - now);
        // The calls in flight keep the process alive; an empty bucket must not.
        timer.unref?.();
      }
      return signal;
    },
  };
}
