import { RouterError } from '../errors.js';

/**
 * The requests a router has open, so `router.close()` can let them end before it closes the
 * audit trail (each leaves its one record), and refuse what arrives after: a request sent once the
 * trail is closed would reach an upstream with no record of it.
 */
export class InFlightRequests {
  #count = 0;
  #closed = false;
  #idle: (() => void) | undefined;
  #drained: Promise<void> | undefined;

  /** A request opens its record: refused once the router is closing. */
  started(): void {
    if (this.#closed) {
      throw new RouterError('the router is closed (router.close() was called): this request was neither sent nor recorded; create a new router to send more', {
        code: 'audit_failed',
        status: 503,
      });
    }
    this.#count += 1;
  }

  /** A request's record is written (once per request). */
  ended(): void {
    this.#count -= 1;
    if (this.#count === 0) this.#idle?.();
  }

  /**
   * Refuses new requests from now on and resolves once the open ones have ended, or after
   * `timeoutMs` (a stream its caller stopped reading may never end by itself).
   */
  close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    // A second close() waits for the same requests as the first.
    this.#drained ??=
      this.#count === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(done, timeoutMs);
            function done() {
              clearTimeout(timer);
              resolve();
            }
            this.#idle = done;
          });
    return this.#drained;
  }
}
