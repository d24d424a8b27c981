import { RouterError } from '../errors.js';

/**
 * Why a record is not stored (yet): `write_failed` (a sink threw; the record is retried),
 * `queue_full` (the sink's queue was full; the record is not queued for it), `not_stored`
 * (`flush()` or `close()` gave up waiting), `resume_failed` (a sink could not tell where its
 * log ends, or its log ends elsewhere than the chain continues), `closed` (the router was
 * closed before the request ended).
 */
export type AuditFailure = 'write_failed' | 'queue_full' | 'not_stored' | 'resume_failed' | 'closed';

/** An audit record could not be stored (yet). Reported to `audit.onError`; never thrown at a request. */
export class AuditError extends RouterError {
  override name = 'AuditError';
  readonly reason: AuditFailure;
  constructor(message: string, reason: AuditFailure, cause?: unknown) {
    super(message, { code: 'audit_failed', cause });
    this.reason = reason;
  }
}

/** The default `onError`: audit failures must never pass silently; they go to the router's logger. */
export function logAuditError(error: AuditError, logger: { error(message: string): void } = { error: (message) => console.error(`sovroute: ${message}`) }): void {
  logger.error(error.message);
}
