import type { AuditRecord, AuditSink } from './types.js';

/** Hands each audit record to a function, e.g. to ship it to a log pipeline. It may be async. */
export function callbackAudit(callback: (record: AuditRecord) => void | Promise<void>): AuditSink {
  return { write: callback };
}
