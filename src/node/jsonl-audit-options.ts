import { InvalidRequestError } from '../errors.js';

export interface JsonlAuditOptions {
  /**
   * When appended records are forced to disk with fsync:
   * - `'always'`: after every append, before the write counts as done. Nothing acknowledged is
   *   lost, even on power loss. Records arriving during an fsync are appended together next
   *   (group commit), so the cost is one fsync per batch, not per record.
   * - `'batch'`: at most `fsyncIntervalMs` after an append, and on `flush()` / `close()`. A
   *   process crash loses nothing; a power loss at most the last interval.
   * - `'never'`: left to the operating system. A process crash loses nothing; a power loss
   *   may lose what the OS had not written yet. `flush()` waits only for the appends.
   * @default 'batch'
   */
  fsync?: 'never' | 'batch' | 'always';
  /** With `fsync: 'batch'`, the longest an appended record waits for its fsync. @unit milliseconds @default 1000 */
  fsyncIntervalMs?: number;
}

export type ResolvedJsonlAuditOptions = Required<JsonlAuditOptions>;

const policies = ['always', 'batch', 'never'] as const;
// The longest delay a Node timer keeps; a longer one fires at once.
const maxTimerMs = 2_147_483_647;

const shown = (value: unknown) => (typeof value === 'string' ? `'${value}'` : String(value));

/**
 * Checks `jsonlAudit`'s arguments when the sink is created, so a typo fails at startup rather
 * than at the first request (or never, as an fsync policy that silently meant 'never' would).
 */
export function resolveJsonlAuditOptions(path: unknown, options: JsonlAuditOptions): ResolvedJsonlAuditOptions {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidRequestError(`jsonlAudit: path must be the path of the log file, e.g. '/var/log/sovroute/audit.jsonl'; got ${shown(path)}`, 'path');
  }
  const { fsync = 'batch', fsyncIntervalMs = 1000 } = options;
  if (!policies.includes(fsync)) {
    throw new InvalidRequestError(`jsonlAudit: fsync must be 'always', 'batch' or 'never'; got ${shown(fsync)}`, 'fsync');
  }
  if (typeof fsyncIntervalMs !== 'number' || !(fsyncIntervalMs >= 1 && fsyncIntervalMs <= maxTimerMs)) {
    throw new InvalidRequestError(`jsonlAudit: fsyncIntervalMs must be a number of milliseconds from 1 to ${maxTimerMs}; got ${shown(fsyncIntervalMs)}`, 'fsyncIntervalMs');
  }
  return { fsync, fsyncIntervalMs };
}
