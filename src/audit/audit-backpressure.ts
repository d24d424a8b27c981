import type { AuditRecordBody } from './types.js';

interface Waiting {
  record: AuditRecordBody;
  resolve: () => void;
  /** When the request stops waiting and its record is queued beyond the limit. @unit epoch milliseconds */
  deadline: number;
}

/**
 * The requests whose records found the audit queue full (`audit.onFull: 'wait'`), oldest first.
 * Each one's record is held here, never dropped, and its request completes when the record is
 * let into the queue: as room appears, or after `maxWaitMs`, whichever comes first.
 */
export class AuditBackpressure {
  #entries: Waiting[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #maxWaitMs: number;
  readonly #overdue: (records: AuditRecordBody[]) => void;

  /** `overdue` takes the records of requests that waited `maxWaitMs`, in order. */
  constructor(maxWaitMs: number, overdue: (records: AuditRecordBody[]) => void) {
    this.#maxWaitMs = maxWaitMs;
    this.#overdue = overdue;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** Holds the record; resolves when it is let in. */
  wait(record: AuditRecordBody): Promise<void> {
    return new Promise((resolve) => {
      this.#entries.push({ record, resolve, deadline: Date.now() + this.#maxWaitMs });
      // Deadlines grow with arrival: one timer, for the oldest, is enough.
      if (this.#timer === undefined) this.#arm();
    });
  }

  /** Lets in up to `count` records, oldest first, handing each to `into` before its request goes on. */
  release(count: number, into: (record: AuditRecordBody) => void): void {
    const end = Math.min(this.#entries.length, this.#head + count);
    for (; this.#head < end; this.#head++) {
      const entry = this.#entries[this.#head]!;
      into(entry.record);
      entry.resolve();
    }
    this.#compact();
  }

  #compact(): void {
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  #arm(): void {
    const oldest = this.#entries[this.#head];
    if (oldest === undefined) return;
    // Kept referenced: a waiting request is work in progress, like the upstream call it made.
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, oldest.deadline - Date.now()));
  }

  #expire(): void {
    this.#timer = undefined;
    const now = Date.now();
    const records: AuditRecordBody[] = [];
    let count = 0;
    while (this.#head + count < this.#entries.length && this.#entries[this.#head + count]!.deadline <= now) count += 1;
    this.release(count, (record) => records.push(record));
    if (records.length > 0) this.#overdue(records);
    if (this.#timer === undefined) this.#arm();
  }
}
