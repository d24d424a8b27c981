import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditRecord, AuditSink } from '../audit/types.js';
import { readTail } from './file-tail.js';
import { resolveJsonlAuditOptions, type JsonlAuditOptions } from './jsonl-audit-options.js';
import { acquireWriterLock, type WriterLock } from './writer-lock.js';

export interface JsonlAudit extends AuditSink {
  readonly path: string;
}

function recordHash(value: unknown): string | undefined {
  const hash = (value as { hash?: unknown } | null | undefined)?.hash;
  return typeof hash === 'string' ? hash : undefined;
}

/**
 * An append-only JSONL audit log: one record per line, in chain order, written one batch per
 * append. A router given an existing log continues its chain from the log's last record (read
 * from the end of the file, however large), so the file verifies as one chain across restarts.
 * One writer per file: a second sink on a file another open sink (in this process, or a running
 * process on this host) writes is refused, through `onError`, with what to do instead. The claim
 * is `<file>.lock`, removed by `close()`; one left by a process that is gone is taken over.
 *
 * A process that died mid-append can leave an unterminated last line (a torn line), and a
 * writer killed in its turn inside its first append one more: the next append starts on a new
 * line, the chain continues from the last whole record however many torn lines follow it, and
 * `sovroute audit verify` reports each torn line.
 *
 * A log rotated by renaming it (logrotate's default) or deleted is noticed at the next append,
 * which opens a new file at the path: its first record continues the chain of the rotated file,
 * so `sovroute audit verify <file> --continues <the rotated file's last hash>` checks the link.
 *
 * @example createRouter({ providers, audit: [jsonlAudit('/var/log/sovroute/audit.jsonl', { fsync: 'always' })] })
 */
export function jsonlAudit(path: string, options: JsonlAuditOptions = {}): JsonlAudit {
  const { fsync: policy, fsyncIntervalMs: intervalMs } = resolveJsonlAuditOptions(path, options);
  let handle: FileHandle | undefined;
  let lock: WriterLock | undefined;
  let opening: Promise<FileHandle> | undefined;
  let lastAppended: string | null = null;
  let tailProblem: string | undefined;
  let needsNewline = false;
  // Read the end of the file before the next append: at open, and after a failed append.
  let resync = true;
  let dirty = false;
  let syncTimer: ReturnType<typeof setTimeout> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  /** Which file the handle holds (device and inode, read once at open): the path is compared with it before each append. */
  let openedAs: { dev: number; ino: number } | undefined;

  function ensureOpen(): Promise<FileHandle> {
    if (handle) return Promise.resolve(handle);
    opening ??= (async () => {
      const directory = dirname(path);
      await mkdir(directory, { recursive: true }).catch(async (error: NodeJS.ErrnoException) => {
        const file = error.code === 'EEXIST' || error.code === 'ENOTDIR' ? await fileInPath(directory) : undefined;
        if (file !== undefined) throw new Error(`cannot create ${path}: ${file} is a file, not a directory`, { cause: error });
        throw error;
      });
      // One writer per file: a second would fork the chain.
      lock ??= await acquireWriterLock(path);
      const opened = await open(path, 'a+');
      const { size, dev, ino } = await opened.stat();
      if (size === 0 && policy !== 'never') await syncDirectory(directory);
      handle = opened;
      openedAs = { dev, ino };
      return opened;
    })().finally(() => {
      opening = undefined;
    });
    return opening;
  }

  async function syncTail(file: FileHandle): Promise<void> {
    // Torn lines (not JSON: appends cut short, by a kill or a crash, maybe several in a row) are
    // passed over; the chain continues from the last whole record. An unterminated last line
    // that is a whole record was written; only its newline is missing.
    const tail = await readTail(file);
    needsNewline = tail.unterminated;
    const hash = recordHash(tail.last);
    lastAppended = hash ?? null;
    tailProblem =
      hash === undefined && tail.last !== undefined
        ? `the last line of ${path} that is JSON is not an audit record, so the chain restarts; verify the file and repair or move it`
        : undefined;
    resync = false;
  }

  async function append(records: readonly AuditRecord[]): Promise<void> {
    if (closed) throw new Error(`jsonlAudit(${path}) is closed`);
    let file = await ensureOpen();
    if (!(await stillAtPath())) file = await reopen(file);
    if (resync) await syncTail(file);
    // A batch offered again after a failure may be partly in the file already: skip that part.
    const stored = lastAppended === null ? -1 : records.findIndex((record) => record.hash === lastAppended);
    let text = needsNewline ? '\n' : '';
    for (let index = stored + 1; index < records.length; index++) text += `${JSON.stringify(records[index])}\n`;
    if (stored + 1 < records.length) {
      try {
        await file.appendFile(text, 'utf8');
      } catch (error) {
        resync = true;
        throw error;
      }
      needsNewline = false;
      lastAppended = records.at(-1)!.hash;
      dirty = true;
    }
    if (policy === 'always') await syncNow();
    else if (policy === 'batch' && dirty && syncTimer === undefined) {
      syncTimer = setTimeout(() => {
        syncTimer = undefined;
        // A failure here leaves the data dirty: the next flush() syncs again and reports it.
        void serial(syncNow).catch(() => undefined);
      }, intervalMs);
      syncTimer.unref?.();
    }
  }

  /**
   * Whether the path still names the open file. Rotated by renaming (logrotate's default) or
   * deleted, it does not: appends would go to the rotated file, or to a deleted one, and be lost.
   */
  async function stillAtPath(): Promise<boolean> {
    const atPath = await stat(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : 'unknown'));
    if (atPath === 'unknown') return true;
    return atPath !== undefined && atPath.ino === openedAs?.ino && atPath.dev === openedAs.dev;
  }

  /** Closes the rotated file (synced first) and opens a new one at the path: the chain continues there. */
  async function reopen(file: FileHandle): Promise<FileHandle> {
    if (policy !== 'never') await syncNow();
    dirty = false;
    handle = undefined;
    resync = true;
    await file.close().catch(() => undefined);
    return ensureOpen();
  }

  async function syncNow(): Promise<void> {
    if (!dirty || !handle) return;
    dirty = false;
    try {
      await handle.sync();
    } catch (error) {
      dirty = true;
      throw error;
    }
  }

  /** Runs `task` after everything before it: appends and syncs never interleave. */
  function serial<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  async function flush(): Promise<void> {
    clearTimeout(syncTimer);
    syncTimer = undefined;
    await serial(async () => {
      if (policy !== 'never') await syncNow();
    });
  }

  return {
    name: `jsonl:${path}`,
    path,
    write: (record) => serial(() => append([record])),
    writeBatch: (records) => serial(() => append(records)),
    lastHash: () =>
      serial(async () => {
        const file = await ensureOpen();
        await syncTail(file);
        if (tailProblem) throw new Error(tailProblem);
        return lastAppended;
      }),
    flush,
    async close() {
      if (closed) return;
      await flush();
      closed = true;
      await handle?.close();
      handle = undefined;
      await lock?.release();
      lock = undefined;
    },
  };
}

/** The nearest part of `directory` that exists, when it is not a directory (mkdir's EEXIST/ENOTDIR name neither). */
async function fileInPath(directory: string): Promise<string | undefined> {
  for (let current = directory; ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info !== undefined) return info.isDirectory() ? undefined : current;
    if (dirname(current) === current) return undefined;
  }
}

/** A new file's directory entry must be durable too, or a power loss can lose the whole file. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every platform can open or sync a directory (Windows); the file itself is still synced.
  }
}
