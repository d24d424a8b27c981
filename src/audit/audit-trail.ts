import { hashRecord } from './hash-chain.js';
import type { AuditRecord, AuditSink } from './types.js';

/** A finished request's record before it is chained. */
export type UnchainedRecord = Omit<AuditRecord, 'prev' | 'hash'>;

/**
 * Chains records in completion order and hands them to every sink off the response path: a
 * slow or failing sink never delays or fails a response.
 */
export interface AuditTrail {
  readonly enabled: boolean;
  append(record: UnchainedRecord): AuditRecord;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createAuditTrail(sinks: readonly AuditSink[]): AuditTrail {
  let prev: string | null = null;
  const pending = new Set<Promise<void>>();

  function deliver(sink: AuditSink, record: AuditRecord) {
    const task = Promise.resolve()
      .then(() => sink.write(record))
      .catch(() => undefined)
      .finally(() => pending.delete(task));
    pending.add(task);
  }

  return {
    enabled: sinks.length > 0,
    append(unchained) {
      const record = { ...unchained, prev } as AuditRecord;
      record.hash = hashRecord(record);
      prev = record.hash;
      for (const sink of sinks) deliver(sink, record);
      return record;
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
      await Promise.all(sinks.map((sink) => sink.flush?.()));
    },
    async close() {
      await this.flush();
      await Promise.all(sinks.map((sink) => sink.close?.()));
    },
  };
}
