import { AuditError } from './audit-error.js';
import type { AuditRecord, AuditSink, ResolvedAuditOptions } from './types.js';

/** Most records handed to one `writeBatch` call. */
const maxBatch = 512;

/**
 * One sink's queue: records are delivered in chain order, one `write` (or one `writeBatch` of
 * everything waiting) at a time, so a log never holds them out of order. A failed write is
 * reported and retried after a backoff that doubles up to a cap; later records wait behind it.
 */
export class SinkQueue {
  readonly sink: AuditSink;
  readonly label: string;
  readonly #options: ResolvedAuditOptions;
  readonly #progress: () => void;
  #items: AuditRecord[] = [];
  #head = 0;
  #running = false;
  #failures = 0;
  #closed = false;
  #wake: (() => void) | undefined;
  #idle: (() => void)[] = [];
  /** The last write error, for `flush()` to explain what it waited for. */
  lastError: unknown;
  /**
   * When the first of the failed writes in a row failed; undefined while writes succeed. Records
   * cannot be stored from then until a write succeeds. @unit epoch milliseconds
   */
  failingSince: number | undefined;

  /** `progress` is called each time stored records leave the queue, making room. */
  constructor(sink: AuditSink, label: string, options: ResolvedAuditOptions, progress: () => void) {
    this.sink = sink;
    this.label = label;
    this.#options = options;
    this.#progress = progress;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /**
   * Queues records in chain order; all of them can go out in the next batch. The trail keeps
   * the queue within `audit.queueLimit` (it holds back or drops what does not fit), so here
   * only a closed router refuses a record.
   */
  push(records: readonly AuditRecord[]): void {
    if (this.#closed) {
      for (const record of records) {
        this.report(new AuditError(`the router is closed; record ${record.id} was not given to audit sink ${this.label}`, 'closed'), record);
      }
      return;
    }
    for (const record of records) this.#items.push(record);
    void this.#pump();
  }

  /** Resolves once everything queued so far is written. */
  drained(): Promise<void> {
    if (this.size === 0 && !this.#running) return Promise.resolve();
    this.retryNow();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Ends a backoff wait early: `flush()` wants the retry now. */
  retryNow(): void {
    this.#wake?.();
  }

  /** Stops delivering; every record still queued goes to `onError` as not stored. */
  abandon(): void {
    this.#closed = true;
    this.retryNow();
    for (let index = this.#head; index < this.#items.length; index++) {
      const record = this.#items[index]!;
      this.report(new AuditError(`the router closed before audit sink ${this.label} stored record ${record.id}`, 'not_stored', this.lastError), record);
    }
    this.#items = [];
    this.#head = 0;
    this.#settle();
  }

  report(error: AuditError, record: AuditRecord | null): void {
    try {
      this.#options.onError(error, record, this.sink);
    } catch {
      // A failing error handler must not break delivery to the other sinks.
    }
  }

  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.size > 0 && !this.#closed) {
        const batch = this.sink.writeBatch ? this.#items.slice(this.#head, this.#head + maxBatch) : [this.#items[this.#head]!];
        try {
          if (this.sink.writeBatch) await this.sink.writeBatch(batch);
          else await this.sink.write(batch[0]!);
          if (this.#closed) return; // abandoned meanwhile: the queue was already emptied
          this.#advance(batch.length);
          this.#failures = 0;
          this.lastError = undefined;
          this.failingSince = undefined;
          this.#progress();
        } catch (error) {
          if (this.#closed) return;
          this.#failures += 1;
          this.lastError = error;
          this.failingSince ??= Date.now();
          const { minDelayMs, maxDelayMs } = this.#options.retry;
          const delay = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(this.#failures - 1, 30));
          const message = error instanceof Error ? error.message : String(error);
          this.report(
            new AuditError(
              `audit sink ${this.label} failed to store record ${batch[0]!.id} (attempt ${this.#failures}, ${this.size} waiting); retrying in ${delay} ms: ${message}`,
              'write_failed',
              error,
            ),
            batch[0]!,
          );
          await this.#sleep(delay);
        }
      }
    } finally {
      this.#running = false;
      this.#settle();
    }
  }

  #advance(count: number): void {
    this.#head += count;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  #settle(): void {
    if (this.size > 0 || this.#running) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      // Unref'd: a sink that keeps failing must not keep the process alive; close() drains it.
      const timer = setTimeout(done, milliseconds);
      timer.unref?.();
      this.#wake = done;
    });
  }
}
