import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { link, open, readFile, realpath, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The claim of one writer on an audit file: `<file>.lock`, holding the writer's host, pid and
 * the process's start. Two writers appending to one file would each continue the chain from the
 * same last record and fork it, and the log would no longer verify; the usual way to get there
 * is a cluster of worker processes given one path. The second writer is refused with what to do.
 *
 * A lock is created whole (written aside, then linked into place), so none is ever seen empty.
 * One left by a writer that is gone is taken over: its pid no longer runs, or (on Linux, where a
 * process's start can be read) runs as another process since. So is one written on another host:
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
 * it (the ESM and the CommonJS build). Worker threads have their own, and see each other's claims
 * in the lock file: same pid, same start.
 */
const held: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('sovroute.audit-writers')] ??= new Set<string>()) as Set<string>;

export async function acquireWriterLock(path: string): Promise<WriterLock> {
  const file = await canonical(resolve(path));
  if (held.has(file)) {
    throw new Error(`another jsonlAudit in this process writes ${path}; close its router first, or give each router its own file`);
  }
  // Reserved before the next await: two sinks opening at once in this process see each other.
  held.add(file);
  const lockPath = `${file}.lock`;
  const me = `${hostname()} ${process.pid} ${processStart(process.pid) ?? '-'}`;
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
      // Only our own claim: one taken over meanwhile belongs to its new writer.
      if (claimed && (await readFile(lockPath, 'utf8').catch(() => '')).trim() === me) await unlink(lockPath).catch(() => undefined);
      held.delete(file);
    },
  };
}

/**
 * The file's own path, symbolic links resolved (of the file, or of its directory when the file is
 * not there yet): two paths to one file are one claim, and the lock lies next to the file itself.
 */
async function canonical(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    return join(await realpath(dirname(file)).catch(() => dirname(file)), basename(file));
  }
}

/** Creates the lock for `me`, taking over one whose writer is gone. False when none can be created. */
async function claim(lockPath: string, path: string, me: string): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const created = await createWhole(lockPath, me);
    if (created !== 'exists') return created === 'created';
    // The lock is judged through one open descriptor: its identity and its holder are of the same
    // file, and while the descriptor is open the file's inode cannot be freed, so no lock created
    // meanwhile can carry its number (ext4 hands a freed inode number straight to the next file,
    // and change times are only as fine as the kernel's clock tick, so a number and a time read
    // after the file was gone could otherwise match its successor's).
    const judged = await open(lockPath, 'r').catch(() => undefined);
    if (judged === undefined) continue; // removed meanwhile: try again
    let took: boolean;
    try {
      const identity = await judged.stat();
      const holder = (await judged.readFile('utf8')).trim();
      if (holderRuns(holder)) {
        const pid = holder.split(' ')[1];
        throw new Error(
          `${path} is being written by ${pid === String(process.pid) ? 'another thread or copy of sovroute in this process' : `process ${pid} on this host`} (${lockPath}); ` +
            `give each process its own audit file (e.g. audit-\${process.pid}.jsonl), or remove the lock file if that writer is gone`,
        );
      }
      took = await takeOver(lockPath, identity);
    } finally {
      await judged.close().catch(() => undefined);
    }
    if (!took) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`could not claim ${path}: its lock (${lockPath}) kept changing; give each process its own audit file`);
}

/** Writes the lock aside and links it into place: it appears whole, or not at all. */
async function createWhole(lockPath: string, content: string): Promise<'created' | 'exists' | 'unwritable'> {
  const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(aside, `${content}\n`, { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'unwritable';
    throw error;
  }
  try {
    await link(aside, lockPath);
    return 'created';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
    throw error;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

/**
 * Removes the stale lock `judged`, and only it, one taker at a time: the turn to remove it is a
 * file named after it, created by one taker only; the lock is removed only while it is still that
 * very file (same inode, same change time), since a lock is replaced only after it was removed.
 * The caller holds the judged file open, so its inode number is not reused while this runs.
 * False when another taker has the turn. A turn left by a taker that died holding it is void
 * after ten seconds.
 */
async function takeOver(lockPath: string, judged: Stats): Promise<boolean> {
  const turn = `${lockPath}.takeover-${judged.ino}-${Math.trunc(judged.ctimeMs)}`;
  try {
    await writeFile(turn, '', { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const info = await stat(turn).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > 10_000) await unlink(turn).catch(() => undefined);
    return false;
  }
  try {
    const now = await stat(lockPath).catch(() => undefined);
    if (now !== undefined && now.ino === judged.ino && now.ctimeMs === judged.ctimeMs) await unlink(lockPath).catch(() => undefined);
    return true;
  } finally {
    await unlink(turn).catch(() => undefined);
  }
}

/** Whether the writer named in a lock still runs, as far as this host can tell. */
function holderRuns(holder: string): boolean {
  const [host, pidText, start] = holder.split(' ');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  const now = processStart(pid);
  if (now !== undefined) return start === undefined || start === '-' || start === now; // a later start: the pid was reused
  if (process.platform === 'linux') return false; // no such process
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When a process started, in clock ticks since boot, from `/proc/<pid>/stat` (Linux): with the
 * pid it names one process, whatever the wall clock does. Undefined elsewhere, or when no such
 * process runs.
 */
export function processStart(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces), from the 3rd on; the 22nd is the start.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
