import { hostname } from 'node:os';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * The claim of one writer on an audit file: `<file>.lock`, holding the writer's host, pid and
 * process start. Two writers appending to one file would each continue the chain from the same
 * last record and fork it, and the log would no longer verify; the usual way to get there is a
 * cluster of worker processes given one path. The second writer is refused with what to do.
 *
 * A lock left by a process that is gone (its pid not running, or running since a later start:
 * the pid was reused) is taken over, one taker at a time. So is one written on another host:
 * whether its writer still runs cannot be checked from here, and honouring it would stop a
 * replaced container (a new hostname on the same volume) from writing at all. Two hosts writing
 * one file on a shared volume are not detected. Where the lock cannot be created (a directory the
 * process may not write to, around a file it may), the file is written without a claim.
 */
export interface WriterLock {
  release(): Promise<void>;
}

/**
 * Files claimed in this process, by absolute path, shared by every copy of this module loaded in
 * it (the ESM and the CommonJS build). Worker threads have their own, and see each other's
 * claims in the lock file: same pid, same start.
 */
const held: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('sovroute.audit-writers')] ??= new Set<string>()) as Set<string>;

/** This process's start, in seconds since the epoch: with the pid, it names the process. */
const started = () => Math.round(Date.now() / 1000 - process.uptime());

export async function acquireWriterLock(path: string): Promise<WriterLock> {
  const file = resolve(path);
  if (held.has(file)) {
    throw new Error(`another jsonlAudit in this process writes ${path}; close its router first, or give each router its own file`);
  }
  // Reserved before the first await: two sinks opening at once in this process see each other.
  held.add(file);
  const lockPath = `${file}.lock`;
  const me = `${hostname()} ${process.pid} ${started()}`;
  let claimed: boolean;
  try {
    claimed = await claim(lockPath, path, me);
  } catch (error) {
    held.delete(file);
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      held.delete(file);
      // Only our own claim: one taken over meanwhile belongs to its new writer.
      if (claimed && (await readFile(lockPath, 'utf8').catch(() => '')).trim() === me) await unlink(lockPath).catch(() => undefined);
    },
  };
}

/** Creates the lock for `me`, taking over one whose writer is gone. False when it cannot be created at all. */
async function claim(lockPath: string, path: string, me: string): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(`${me}\n`, 'utf8');
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return false;
      if (code !== 'EEXIST' || attempt > 2) throw error;
    }
    const holder = (await readFile(lockPath, 'utf8').catch(() => '')).trim();
    if (holder === '' && (await youngerThan(lockPath, 2_000))) {
      throw new Error(`${path} is being claimed by another writer right now (${lockPath}); give each process its own audit file`);
    }
    if (holderRuns(holder)) {
      const pid = holder.split(' ')[1];
      throw new Error(
        `${path} is being written by ${pid === String(process.pid) ? 'another thread or copy of sovroute in this process' : `process ${pid} on this host`} (${lockPath}); ` +
          `give each process its own audit file (e.g. audit-\${process.pid}.jsonl), or remove the lock file if that writer is gone`,
      );
    }
    await takeOver(lockPath, path, holder);
  }
}

/** Whether the writer named in a lock still runs, as far as this host can tell. */
function holderRuns(holder: string): boolean {
  const [host, pidText, startText] = holder.split(' ');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid)) return false;
  if (pid === process.pid) return Math.abs(Number(startText) - started()) <= 2; // this process, or an earlier one with its pid
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock, one taker at a time: without the turn, two takers could each remove the
 * lock the other had just created, and both write.
 */
async function takeOver(lockPath: string, path: string, stale: string): Promise<void> {
  const turn = `${lockPath}.takeover`;
  let handle;
  try {
    handle = await open(turn, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A taker that died holding its turn leaves it behind: an old turn is void.
    if (await youngerThan(turn, 10_000)) throw new Error(`${path} is being taken over by another writer right now (${lockPath}); give each process its own audit file`);
    await unlink(turn).catch(() => undefined);
    return takeOver(lockPath, path, stale);
  }
  try {
    // Still the lock we judged stale, not one another taker created meanwhile.
    if ((await readFile(lockPath, 'utf8').catch(() => '')).trim() === stale) await unlink(lockPath).catch(() => undefined);
  } finally {
    await handle.close();
    await unlink(turn).catch(() => undefined);
  }
}

async function youngerThan(file: string, ms: number): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs < ms;
}
