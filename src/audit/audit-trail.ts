import { cancelTurn, scheduleTurn, type TurnHandle } from '../internal/next-turn.js';
import { AuditBackpressure } from './audit-backpressure.js';
import { AuditError } from './audit-error.js';
import { AuditGap } from './audit-gap.js';
import { hashRecord } from './hash-chain.js';
import { SinkQueue } from './sink-queue.js';
import type { AuditContentMode, AuditRecord, AuditRecordBody, ResolvedAuditOptions } from './types.js';

/** The errors of `flush()` giving up after `drainTimeoutMs`, which `close()` rewords once it knows what was lost. */
const drainTimeouts = new WeakSet<AuditError>();

/** A finished request's record before it is chained. */
export type UnchainedRecord = AuditRecordBody;

/** A sink that cannot store records now: its last write failed, and it has not stored one since. */
export interface FailingSink {
  /** The sink's `name`, or `#<index>` among the sinks. */
  sink: string;
  /** When the first of its failed writes in a row failed. @unit epoch milliseconds */
  since: number;
  /** Records it has not stored yet. */
  waiting: number;
}

/**
 * Chains records in the order requests complete and hands them to every sink, off the response
 * path: `append` only queues, hashing runs on the next turn of the event loop, and a slow or
 * failing sink never fails a response. At most `queueLimit` records wait to be stored; what
 * happens to one more is `onFull`'s choice: its request waits for room (`'wait'`), or it is
 * dropped and a gap record takes its place in the chain (`'drop'`).
 */
export interface AuditTrail {
  readonly enabled: boolean;
  readonly content: AuditContentMode;
  /**
   * Takes a finished request's record. Returns undefined when it is queued at once, or a promise
   * that resolves once it is (`onFull: 'wait'` and the queue is full): the request completes then.
   */
  append(record: UnchainedRecord): Promise<void> | undefined;
  /** Records not stored yet: waiting for room, waiting to be chained, and the longest sink queue. */
  depth(): number;
  /** The sinks that cannot store records now (what a readiness probe reports); empty while all can. */
  failing(): FailingSink[];
  /** Waits until every record appended so far is stored by every sink, or rejects after `drainTimeoutMs`. */
  flush(): Promise<void>;
  /** Flushes, then closes the sinks; records still not stored go to `onError`. */
  close(): Promise<void>;
}

export function createAuditTrail(options: ResolvedAuditOptions): AuditTrail {
  const queues = options.sinks.map((sink, index) => new SinkQueue(sink, sink.name ?? `#${index}`, options, admit));
  let prev: string | null = null;
  // Records let in, not yet chained; a gap stands for records dropped at its place.
  let pending: (UnchainedRecord | AuditGap)[] = [];
  // The gap still open for more drops: the last entry of `pending`, until it is chained.
  let gap: AuditGap | undefined;
  // Dropped records, reported to onError on the next turn (never on the response path).
  let dropped: { record: UnchainedRecord; error: AuditError; queue: SinkQueue }[] = [];
  const waiting = new AuditBackpressure(options.maxWaitMs, overdue);
  let scheduled: TurnHandle | undefined;
  let closing: Promise<void> | undefined;
  // Sinks that hold an earlier log say where it ends; until they have, records wait unchained.
  let resumed = !queues.some((queue) => queue.sink.lastHash);
  const resuming = resumed ? Promise.resolve() : resume();

  async function resume(): Promise<void> {
    const ends = await Promise.all(
      queues.map((queue) =>
        Promise.resolve()
          .then(() => queue.sink.lastHash?.() ?? null)
          .catch((error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            queue.report(new AuditError(`audit sink ${queue.label} could not tell where its log ends, so its log may show a break here: ${message}`, 'resume_failed', error), null);
            return null;
          }),
      ),
    );
    prev = ends.find((end) => end !== null) ?? null;
    ends.forEach((end, index) => {
      if (end === null || end === prev) return;
      const queue = queues[index]!;
      queue.report(
        new AuditError(
          `audit sink ${queue.label} ends at hash ${end} but the chain continues from ${prev}; verifying its log will show a break here`,
          'resume_failed',
        ),
        null,
      );
    });
    resumed = true;
    chain();
  }

  /** The fullest sink queue: the one that decides whether there is room. */
  function fullest(): SinkQueue | undefined {
    let most: SinkQueue | undefined;
    for (const queue of queues) if (most === undefined || queue.size > most.size) most = queue;
    return most;
  }

  /** Records waiting to be stored: unchained, or not yet written by the slowest sink. */
  function backlog(): number {
    return pending.length + (fullest()?.size ?? 0);
  }

  function schedule(): void {
    // Hashing waits for the next turn of the event loop: the caller gets its response first.
    if (scheduled === undefined && resumed) scheduled = scheduleTurn(chain);
  }

  /** Room appeared (a sink stored records): lets waiting requests' records in, oldest first. */
  function admit(): void {
    if (waiting.size === 0) return;
    const room = options.queueLimit - backlog();
    if (room <= 0) return;
    waiting.release(room, (record) => pending.push(record));
    schedule();
  }

  /** Requests that waited `maxWaitMs`: their records go in beyond the limit, and that is said once. */
  function overdue(records: UnchainedRecord[]): void {
    pending.push(...records);
    schedule();
    const queue = fullest()!;
    const last = queue.lastError instanceof Error ? `; its last error: ${queue.lastError.message}` : '';
    queue.report(
      new AuditError(
        `${records.length} request(s) waited ${options.maxWaitMs} ms (audit.maxWaitMs) for room among the ${options.queueLimit} records waiting for audit sink ${queue.label} (audit.queueLimit); their records are queued beyond the limit, in memory, until the sink catches up${last}`,
        'queue_full',
        queue.lastError,
      ),
      null,
    );
  }

  function drop(record: UnchainedRecord): void {
    const queue = fullest()!;
    const message = resumed
      ? `audit sink ${queue.label} has ${backlog()} records waiting (audit.queueLimit); record ${record.id} is dropped (audit.onFull 'drop') and a gap record takes its place in the log`
      : `${pending.length} records wait for audit sink ${queue.label} to tell where its log ends (audit.queueLimit); record ${record.id} is dropped (audit.onFull 'drop') and a gap record takes its place in the log`;
    dropped.push({ record, error: new AuditError(message, 'queue_full'), queue });
    if (gap !== undefined && gap.open && pending.at(-1) === gap) gap.add(record);
    else pending.push((gap = new AuditGap(record, options.queueLimit)));
    if (scheduled === undefined) scheduled = scheduleTurn(chain);
  }

  function chain(): void {
    if (scheduled !== undefined) cancelTurn(scheduled);
    scheduled = undefined;
    for (const { record, error, queue } of dropped.splice(0)) queue.report(error, { ...record, prev: null, hash: '' } as AuditRecord);
    if (!resumed) return;
    gap = undefined;
    const chained = pending.map((entry) => {
      // A request's record body is the trail's from `append` on: it is completed in place, not
      // copied (its keys end `prev`, `hash`, as a copy's would).
      const record = (entry instanceof AuditGap ? entry.record() : entry) as AuditRecord;
      record.prev = prev;
      record.hash = hashRecord(record);
      prev = record.hash;
      return record;
    });
    pending = [];
    for (const queue of queues) queue.push(chained);
  }

  async function drain(over: () => boolean): Promise<void> {
    await resuming;
    // Records let in while waiting for the queues are chained and waited for in turn, until
    // none is left or the flush gave up (under steady load that can be never).
    do {
      chain();
      await Promise.all(queues.map((queue) => queue.drained()));
      admit();
    } while ((pending.length > 0 || waiting.size > 0) && !over());
    await Promise.all(
      queues.map(async (queue) => {
        try {
          await queue.sink.flush?.();
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new AuditError(`audit sink ${queue.label} could not flush: ${message}`, 'not_stored', error);
        }
      }),
    );
  }

  function flush(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let over = false;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = notStoredError();
        drainTimeouts.add(error);
        reject(error);
      }, options.drainTimeoutMs);
    });
    return Promise.race([drain(() => over), deadline]).finally(() => {
      over = true;
      clearTimeout(timer);
    });
  }

  function notStoredError(): AuditError {
    const stuck = queues.filter((queue) => queue.size > 0);
    const details = stuck.map((queue) => {
      const last = queue.lastError instanceof Error ? queue.lastError.message : queue.lastError === undefined ? 'still writing' : String(queue.lastError);
      return `sink ${queue.label}: ${queue.size} waiting (${last})`;
    });
    if (!resumed) details.push(`${pending.length} waiting for a sink to tell where its log ends`);
    if (waiting.size > 0) details.push(`${waiting.size} more held back by a full queue (audit.queueLimit)`);
    return new AuditError(
      `audit records not stored after ${options.drainTimeoutMs} ms (audit.drainTimeoutMs): ${details.join('; ') || 'a sink is still flushing'}`,
      'not_stored',
      stuck[0]?.lastError,
    );
  }

  async function close(): Promise<void> {
    let failure: unknown;
    try {
      await flush();
    } catch (error) {
      failure = error;
    }
    const heldBack = waiting.size;
    // No request may wait on a closed trail: what is held back goes where the rest goes.
    waiting.release(waiting.size, (record) => pending.push(record));
    chain();
    const unchained = pending.length;
    for (const entry of pending.splice(0)) {
      const unsent = { ...(entry instanceof AuditGap ? entry.record() : entry), prev: null, hash: '' } as AuditRecord;
      queues[0]?.report(new AuditError(`the router closed before record ${unsent.id} could be chained`, 'not_stored'), unsent);
    }
    for (const queue of queues) queue.abandon();
    const closed = await Promise.allSettled(queues.map((queue) => queue.sink.close?.()));
    // A write under way when the wait ended may have stored its records since (a sink's close
    // can wait for it): those are not lost. One still under way a turn after its sink closed
    // may never end, and counts as storing nothing.
    await Promise.race([Promise.all(queues.map((queue) => queue.writeEnded())), new Promise<void>((resolve) => scheduleTurn(resolve))]);
    for (const queue of queues) queue.giveUp();
    // The wait's own words counted records that were stored since: say what was lost instead.
    if (drainTimeouts.has(failure as AuditError)) failure = lostError(heldBack, unchained);
    const rejected = closed.find((result) => result.status === 'rejected');
    if (failure === undefined && rejected) failure = rejected.reason;
    if (failure !== undefined) throw failure;
  }

  /** What `close()` lost after `flush()` gave up waiting; undefined when every record was stored after all. */
  function lostError(heldBack: number, unchained: number): AuditError | undefined {
    const lost = queues.filter((queue) => queue.notStored > 0);
    const details = lost.map((queue) => {
      const last = queue.lastError instanceof Error ? queue.lastError.message : queue.lastError === undefined ? queue.lostWhile : String(queue.lastError);
      return `sink ${queue.label}: ${queue.notStored} not stored (${last})`;
    });
    if (unchained > 0) details.push(`${unchained} waiting for a sink to tell where its log ends`);
    if (details.length === 0) return undefined;
    if (heldBack > 0) details.push(`${heldBack} of them held back by a full queue (audit.queueLimit)`);
    return new AuditError(`audit records not stored after ${options.drainTimeoutMs} ms (audit.drainTimeoutMs): ${details.join('; ')}`, 'not_stored', lost[0]?.lastError);
  }

  return {
    enabled: queues.length > 0,
    content: options.content,
    append(unchained) {
      // Behind others already waiting, a record waits too: records keep their order.
      if (waiting.size === 0 && backlog() < options.queueLimit) {
        pending.push(unchained);
        schedule();
        return undefined;
      }
      if (options.onFull === 'drop') {
        drop(unchained);
        return undefined;
      }
      return waiting.wait(unchained);
    },
    depth: () => waiting.size + backlog(),
    failing: () =>
      queues.flatMap((queue) => (queue.failingSince === undefined ? [] : [{ sink: queue.label, since: queue.failingSince, waiting: queue.size }])),
    flush,
    close: () => (closing ??= close()),
  };
}
