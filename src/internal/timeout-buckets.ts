import { nodeBuiltin } from './node-builtin.js';

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
  /**
   * A signal that aborts no sooner than `delayMs` from now, shared by every holder due in the
   * same bucket: one `AbortController` per bucket instead of one per call. The holder calls
   * `release()` once it no longer needs the signal (a released bucket no longer keeps the process
   * alive). Undefined for delays that get a timer of their own. The abort reason is the bucket's,
   * not the holder's: a holder that sees the signal aborted knows its own time is up.
   */
  sharedSignal(delayMs: number): SharedTimeoutSignal | undefined;
}

/** A bucket's shared timeout signal, held by one caller. */
export interface SharedTimeoutSignal {
  readonly signal: AbortSignal;
  release(): void;
}

/** The longest delay a Node timer holds; a longer one fires after 1 ms. @unit milliseconds */
const maxTimerMs = 2 ** 31 - 1;

/** `minimumMs`: delays shorter than this get a timer of their own. */
export function createTimeoutBuckets(granularityMs = 100, minimumMs = 1000): TimeoutBuckets {
  const buckets = new Map<number, Bucket>();
  // Rounding up to a bucket must not push a delay past what a Node timer can hold (it would fire at once).
  const bucketed = (delayMs: number) => delayMs >= minimumMs && delayMs <= maxTimerMs - granularityMs;

  function bucketFor(delayMs: number): Bucket {
    const now = performance.now();
    const due = Math.ceil((now + delayMs) / granularityMs) * granularityMs;
    let bucket = buckets.get(due);
    if (bucket === undefined) {
      const created: Bucket = {
        callbacks: new Set(),
        holders: 0,
        controller: undefined,
        timer: setTimeout(() => {
          buckets.delete(due);
          created.controller?.abort(new Error('timeout bucket elapsed'));
          for (const each of created.callbacks) each();
        }, due - now),
      };
      buckets.set(due, (bucket = created));
    }
    return bucket;
  }

  // Like a timer of its own, a pending timeout keeps the process alive; a bucket whose every
  // timeout was cancelled must not (it may be a minute from firing).
  const held = (bucket: Bucket) => bucket.callbacks.size + bucket.holders;

  return {
    schedule(delayMs, callback) {
      if (!bucketed(delayMs)) {
        const timer = setTimeout(callback, delayMs);
        return () => clearTimeout(timer);
      }
      const scheduled = bucketFor(delayMs);
      // Each scheduling its own entry: one callback scheduled twice runs twice.
      const entry = () => callback();
      scheduled.callbacks.add(entry);
      if (held(scheduled) === 1) scheduled.timer.ref?.();
      return () => {
        if (scheduled.callbacks.delete(entry) && held(scheduled) === 0) scheduled.timer.unref?.();
      };
    },
    sharedSignal(delayMs) {
      if (!bucketed(delayMs)) return undefined;
      const bucket = bucketFor(delayMs);
      bucket.controller ??= sharedController();
      bucket.holders += 1;
      if (held(bucket) === 1) bucket.timer.ref?.();
      return new BucketHold(bucket, bucket.controller.signal);
    },
  };
}

/**
 * A bucket's controller: every attempt due in the bucket listens to its signal (fetch and the
 * native transport each add an abort listener), so it may have many more than Node's default of
 * ten listeners per EventTarget, which would print a MaxListenersExceededWarning. Each listener
 * belongs to one attempt and is removed when it ends, so the count is bounded by the calls in
 * flight, not a leak.
 */
function sharedController(): AbortController {
  const controller = new AbortController();
  nodeBuiltin<typeof import('node:events')>('node:events')?.setMaxListeners(0, controller.signal);
  return controller;
}

interface Bucket {
  callbacks: Set<() => void>;
  /** Holders of the shared signal that have not released it. */
  holders: number;
  controller: AbortController | undefined;
  timer: ReturnType<typeof setTimeout>;
}

/** One holder's claim on a bucket's signal: a class, so holding one allocates no closure. */
class BucketHold implements SharedTimeoutSignal {
  #bucket: Bucket | undefined;
  constructor(
    bucket: Bucket,
    readonly signal: AbortSignal,
  ) {
    this.#bucket = bucket;
  }

  release(): void {
    const bucket = this.#bucket;
    if (bucket === undefined) return;
    this.#bucket = undefined;
    bucket.holders -= 1;
    if (bucket.callbacks.size + bucket.holders === 0) bucket.timer.unref?.();
  }
}
