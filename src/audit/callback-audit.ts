import type { AuditRecord, AuditSink } from './types.js';

/**
 * Hands each audit record to a function, e.g. to ship it to a log pipeline. It may be async; a
 * throw or a rejection is reported to `audit.onError` and the record is offered again later.
 */
export function callbackAudit(callback: (record: AuditRecord) => void | Promise<void>): AuditSink {
  return { name: 'callback', write: callback };
}
