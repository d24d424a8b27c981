import type { AuditRecord, AuditSink } from './types.js';

export interface MemoryAuditOptions {
  /** Records kept; the oldest fall out first. @default 10000 */
  limit?: number;
}

export interface MemoryAudit extends AuditSink {
  /** The records kept, oldest first. */
  readonly records: readonly AuditRecord[];
  clear(): void;
}

/** An in-memory ring of audit records, for tests, dashboards and short-lived processes. */
export function memoryAudit(options: MemoryAuditOptions = {}): MemoryAudit {
  const limit = options.limit ?? 10_000;
  let records: AuditRecord[] = [];
  return {
    get records() {
      return records;
    },
    write(record) {
      records.push(record);
      if (records.length > limit) records = records.slice(records.length - limit);
    },
    clear() {
      records = [];
    },
  };
}
