import type { AuditRecord, AuditSink } from './types.js';

export interface MemoryAuditOptions {
  /** Records kept; the oldest fall out first. @default 10000 */
  limit?: number;
}

export interface MemoryAudit extends AuditSink {
  /** The records kept, oldest first: a snapshot, which later writes leave as it is. */
  readonly records: readonly AuditRecord[];
  clear(): void;
}

/**
 * An in-memory ring of audit records, for tests, dashboards and short-lived processes. A router
 * given a ring that already holds records continues their chain.
 */
export function memoryAudit(options: MemoryAuditOptions = {}): MemoryAudit {
  const limit = options.limit ?? 10_000;
  let ring: AuditRecord[] = [];
  // Index of the oldest record once the ring is full; writes overwrite it, O(1).
  let start = 0;
  let ordered: AuditRecord[] | undefined;
  return {
    name: 'memory',
    get records() {
      // A copy: the ring itself would go on growing (and wrapping) under the caller's reference.
      ordered ??= start === 0 ? ring.slice() : [...ring.slice(start), ...ring.slice(0, start)];
      return ordered;
    },
    write(record) {
      ordered = undefined;
      if (ring.length < limit) ring.push(record);
      else {
        ring[start] = record;
        start = (start + 1) % limit;
      }
    },
    async lastHash() {
      return ring.length === 0 ? null : ring[(start + ring.length - 1) % ring.length]!.hash;
    },
    clear() {
      ring = [];
      start = 0;
      ordered = undefined;
    },
  };
}
