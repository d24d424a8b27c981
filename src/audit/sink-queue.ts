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
  /** How many records, from the head, the write under way holds; 0 between writes. */
  #writing = 0;
  #writeEnded: (() => void)[] = [];
  /** What `abandon()` took from the queue while a write was under way: reported once it ends. */
  #abandoned: AuditRecord[] = [];
  /** Records handed to `onError` as not stored because the router closed. */
  notStored = 0;
  /** Why those records were not stored, when no write error says it: the write was still under way, or they waited behind one. */
  lostWhile: 'still writing' | 'queued behind a write still under way when the wait ended' = 'still writing';
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

  /**
   * Stops delivering; every record still queued goes to `onError` as not stored. A write under
   * way may still store its records (a sink's `close` can wait for it, as pg's pool does), so
   * while it lasts nothing is reported: once it ends, what it did not store is, in chain order;
   * `giveUp()` reports the rest if it never ends.
   */
  abandon(): void {
    this.#closed = true;
    this.retryNow();
    this.#abandoned = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    if (this.#writing === 0) this.#reportAbandoned(0);
    this.#settle();
  }

  /** Resolves once no write is under way. */
  writeEnded(): Promise<void> {
    if (this.#writing === 0) return Promise.resolve();
    return new Promise((resolve) => this.#writeEnded.push(resolve));
  }

  /** Counts a write still under way after the router closed as one that stored nothing. */
  giveUp(): void {
    this.#reportAbandoned(0);
  }

  /** Reports the abandoned records after the first `stored` (which the last write stored) as not stored. */
  #reportAbandoned(stored: number): void {
    const records = this.#abandoned;
    this.#abandoned = [];
    for (const record of records.slice(stored)) {
      this.notStored += 1;
      this.report(new AuditError(`the router closed before audit sink ${this.label} stored record ${record.id}`, 'not_stored', this.lastError), record);
    }
  }

  #ended(): void {
    this.#writing = 0;
    for (const resolve of this.#writeEnded.splice(0)) resolve();
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
        this.#writing = batch.length;
        try {
          if (this.sink.writeBatch) await this.sink.writeBatch(batch);
          else await this.sink.write(batch[0]!);
          this.#ended();
          if (this.#closed) {
            // Abandoned meanwhile: this batch is stored, what followed it is not.
            this.lastError = undefined;
            this.lostWhile = 'queued behind a write still under way when the wait ended';
            this.#reportAbandoned(batch.length);
            return;
          }
          this.#advance(batch.length);
          this.#failures = 0;
          this.lastError = undefined;
          this.failingSince = undefined;
          this.#progress();
        } catch (error) {
          this.#ended();
          if (this.#closed) {
            this.lastError = error;
            this.#reportAbandoned(0);
            return;
          }
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
