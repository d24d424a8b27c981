/**
 * Shared abort signals for attempt timeouts. Attempts whose timeout falls in the same bucket
 * share one timer, and share an AbortController a few at a time: on Node 20 creating an
 * AbortController costs ~12 µs (it is made transferable), more than the rest of routing a call.
 * A shared signal fires at its bucket's end, never early and at most one bucket late, and aborts
 * every call that holds it, so it serves only calls that need nothing else from their signal: no
 * caller abort, no stream to cut off later, and a timeout long enough that a bucket's delay does
 * not matter.
 *
 * Why a few at a time and not a whole bucket: Node's fetch (undici) adds an abort listener to
 * the signal of every request and removes it only when the request is garbage-collected, and
 * scans the signal's listeners on every request. One signal serving a whole bucket (hundreds of
 * calls) made each fetch ~30 µs slower; one serving {@link usesPerSignal} costs ~2 µs
 * (measured on Node 20, bench/run.ts).
 */
export interface TimeoutBuckets {
  /** Timeouts shorter than this need their own controller. @unit milliseconds */
  readonly minimumMs: number;
  /** A signal that aborts no sooner than `delayMs` from now. */
  signal(delayMs: number): AbortSignal;
}

/** Calls one shared signal serves before its bucket hands out a fresh one. */
export const usesPerSignal = 8;

interface Bucket {
  /** Every controller handed out for this bucket: its one timer aborts them all. */
  controllers: AbortController[];
  /** The signal handed out now, and how many calls hold it. */
  current: AbortSignal;
  uses: number;
}

export function createTimeoutBuckets(granularityMs = 100, minimumMs = 1000): TimeoutBuckets {
  const buckets = new Map<number, Bucket>();
  return {
    minimumMs,
    signal(delayMs) {
      const now = performance.now();
      const due = Math.ceil((now + delayMs) / granularityMs) * granularityMs;
      let bucket = buckets.get(due);
      if (bucket === undefined) {
        const controller = new AbortController();
        const created: Bucket = { controllers: [controller], current: controller.signal, uses: 0 };
        bucket = created;
        buckets.set(due, created);
        const timer = setTimeout(() => {
          buckets.delete(due);
          for (const each of created.controllers) each.abort();
        }, due - now);
        // The calls in flight keep the process alive; an empty bucket must not.
        timer.unref?.();
      } else if (bucket.uses >= usesPerSignal) {
        const controller = new AbortController();
        bucket.controllers.push(controller);
        bucket.current = controller.signal;
        bucket.uses = 0;
      }
      bucket.uses += 1;
      return bucket.current;
    },
  };
}
