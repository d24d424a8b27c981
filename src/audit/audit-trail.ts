import { AuditError } from './audit-error.js';
import { hashRecord } from './hash-chain.js';
import { SinkQueue } from './sink-queue.js';
import type { AuditContentMode, AuditRecord, AuditRecordBody, ResolvedAuditOptions } from './types.js';

/** A finished request's record before it is chained. */
export type UnchainedRecord = AuditRecordBody;

/**
 * Chains records in the order requests complete and hands them to every sink, all off the
 * response path: `append` only queues, hashing runs on the next turn of the event loop, and a
 * slow or failing sink never delays or fails a response.
 */
export interface AuditTrail {
  readonly enabled: boolean;
  readonly content: AuditContentMode;
  append(record: UnchainedRecord): void;
  /** Records not stored yet: waiting to be chained, plus the longest sink queue. */
  depth(): number;
  /** Waits until every record appended so far is stored by every sink, or rejects after `drainTimeoutMs`. */
  flush(): Promise<void>;
  /** Flushes, then closes the sinks; records still not stored go to `onError`. */
  close(): Promise<void>;
}

export function createAuditTrail(options: ResolvedAuditOptions): AuditTrail {
  const queues = options.sinks.map((sink, index) => new SinkQueue(sink, sink.name ?? `#${index}`, options));
  let prev: string | null = null;
  let pending: UnchainedRecord[] = [];
  let scheduled: ReturnType<typeof setImmediate> | undefined;
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

  function chain(): void {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (!resumed) return;
    const chained = pending.map((unchained) => {
      const record = { ...unchained, prev } as AuditRecord;
      record.hash = hashRecord(record);
      prev = record.hash;
      return record;
    });
    pending = [];
    for (const queue of queues) queue.push(chained);
  }

  async function drain(): Promise<void> {
    await resuming;
    chain();
    await Promise.all(queues.map((queue) => queue.drained()));
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
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(notStoredError()), options.drainTimeoutMs);
    });
    return Promise.race([drain(), deadline]).finally(() => clearTimeout(timer));
  }

  function notStoredError(): AuditError {
    const waiting = queues.filter((queue) => queue.size > 0);
    const details = waiting.map((queue) => {
      const last = queue.lastError instanceof Error ? queue.lastError.message : queue.lastError === undefined ? 'still writing' : String(queue.lastError);
      return `sink ${queue.label}: ${queue.size} waiting (${last})`;
    });
    if (!resumed) details.push(`${pending.length} waiting for a sink to tell where its log ends`);
    return new AuditError(
      `audit records not stored after ${options.drainTimeoutMs} ms (audit.drainTimeoutMs): ${details.join('; ') || 'a sink is still flushing'}`,
      'not_stored',
      waiting[0]?.lastError,
    );
  }

  async function close(): Promise<void> {
    let failure: unknown;
    try {
      await flush();
    } catch (error) {
      failure = error;
    }
    for (const record of pending.splice(0)) {
      const unsent = { ...record, prev: null, hash: '' } as AuditRecord;
      queues[0]?.report(new AuditError(`the router closed before record ${record.id} could be chained`, 'not_stored'), unsent);
    }
    for (const queue of queues) queue.abandon();
    const closed = await Promise.allSettled(queues.map((queue) => queue.sink.close?.()));
    const rejected = closed.find((result) => result.status === 'rejected');
    if (failure === undefined && rejected) failure = rejected.reason;
    if (failure !== undefined) throw failure;
  }

  return {
    enabled: queues.length > 0,
    content: options.content,
    append(unchained) {
      if (!resumed && pending.length >= options.queueLimit) {
        const queue = queues.find((candidate) => candidate.sink.lastHash)!;
        const unsent = { ...unchained, prev: null, hash: '' } as AuditRecord;
        const error = new AuditError(`${pending.length} records wait for audit sink ${queue.label} to tell where its log ends (audit.queueLimit); record ${unchained.id} is dropped`, 'queue_full');
        // Reported on the next turn: onError never runs on the response path.
        setImmediate(() => queue.report(error, unsent));
        return;
      }
      pending.push(unchained);
      // Hashing waits for the next turn of the event loop: the caller gets its response first.
      if (scheduled === undefined && resumed) scheduled = setImmediate(chain);
    },
    depth: () => pending.length + queues.reduce((longest, queue) => Math.max(longest, queue.size), 0),
    flush,
    close: () => (closing ??= close()),
  };
}
