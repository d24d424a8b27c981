import { RouterError } from '../errors.js';

/**
 * Why a record is not stored (yet): `write_failed` (a sink threw; the record is retried),
 * `queue_full` (the queue was full: with `onFull: 'drop'` the record is dropped, a gap record
 * marking its place; with `'wait'` requests waited `maxWaitMs` and their records are queued
 * beyond the limit), `not_stored`
 * (`flush()` or `close()` gave up waiting), `resume_failed` (a sink could not tell where its
 * log ends, or its log ends elsewhere than the chain continues), `closed` (the request was
 * still open when `router.close()` stopped waiting for it, after `drainTimeoutMs`).
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

/** Within this long after a report, more of the same reason are counted, not written. @unit milliseconds */
const quietMs = 10_000;

/**
 * Writes audit failures to a line-oriented output, rate-limited per reason: the first one at
 * once, the rest of a burst (20,000 dropped records, a sink failing on every retry) counted and
 * summed up in one line when the quiet period ends, or when the process exits.
 */
export function createAuditErrorLog(write: (line: string) => void, intervalMs = quietMs): (error: AuditError) => void {
  const quiet = new Map<AuditFailure, { count: number; last: AuditError | undefined; timer: ReturnType<typeof setTimeout> }>();
  let exitHooked = false;

  function summarise(reason: AuditFailure): void {
    const entry = quiet.get(reason);
    if (!entry) return;
    clearTimeout(entry.timer);
    quiet.delete(reason);
    if (entry.count === 0) return;
    write(`${entry.count} more audit error(s) (${reason}) in the last ${Math.round(intervalMs / 1000)} s; the last: ${entry.last!.message}`);
    // A burst still going on starts the next quiet period now.
    open(reason);
  }

  function open(reason: AuditFailure): void {
    const timer = setTimeout(() => summarise(reason), intervalMs);
    // The count is written at exit if the process ends first; it must not keep it alive.
    timer.unref?.();
    quiet.set(reason, { count: 0, last: undefined, timer });
    if (!exitHooked) {
      exitHooked = true;
      globalThis.process?.once?.('exit', () => {
        for (const reason of [...quiet.keys()]) {
          const entry = quiet.get(reason)!;
          quiet.delete(reason);
          if (entry.count > 0) write(`${entry.count} more audit error(s) (${reason}); the last: ${entry.last!.message}`);
        }
      });
    }
  }

  return (error) => {
    const entry = quiet.get(error.reason);
    if (entry) {
      entry.count += 1;
      entry.last = error;
      return;
    }
    write(error.message);
    open(error.reason);
  };
}

/**
 * The default `onError`: audit failures must never pass silently, nor flood the error output.
 * They go to the router's `logger` (stderr, `sovroute: …`, without one).
 */
export function logAuditErrors(logger: { error(message: string): void }): (error: AuditError) => void {
  return createAuditErrorLog((line) => logger.error(line));
}
