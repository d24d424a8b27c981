/**
 * A stream's `controller`, as the caller holds it: aborting it aborts the attempt that is
 * streaming, which closes the upstream. It calls back from `abort()` instead of listening to its
 * own signal: Node creates a controller's signal when it is first read, and a signal with a
 * listener costs a few µs a stream (Node 20) that most streams, never aborted, need not pay.
 * Only `abort()` can abort a controller's signal, so nothing is missed.
 */
export class StreamController extends AbortController {
  #onAbort: ((reason: unknown) => void) | undefined;

  /** Calls `onAbort` with the signal's reason when the controller aborts (at most once). */
  whenAborted(onAbort: (reason: unknown) => void): void {
    this.#onAbort = onAbort;
  }

  override abort(reason?: unknown): void {
    if (this.signal.aborted) return;
    super.abort(reason);
    const onAbort = this.#onAbort;
    this.#onAbort = undefined;
    onAbort?.(this.signal.reason);
  }
}
