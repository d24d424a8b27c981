import { hostname } from 'node:os';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * The claim of one writer on an audit file: `<file>.lock`, holding the writer's host and pid.
 * Two writers appending to one file would each continue the chain from the same last record and
 * fork it, and the log would no longer verify; the usual way to get there is a cluster of worker
 * processes given one path. The second writer is refused with what to do instead.
 *
 * A lock left by a process that is gone (pid not running) is taken over. So is one written on
 * another host: whether its writer still runs cannot be checked from here, and honouring it would
 * stop a replaced container (a new hostname on the same volume) from writing at all. Two hosts
 * writing one file on a shared volume are not detected.
 */
export interface WriterLock {
  release(): Promise<void>;
}

/** Files this process holds, by absolute path: a second sink here on the same file is refused too. */
const held = new Set<string>();

export async function acquireWriterLock(path: string): Promise<WriterLock> {
  const file = resolve(path);
  if (held.has(file)) {
    throw new Error(`another jsonlAudit in this process writes ${path}; close its router first, or give each router its own file`);
  }
  // Reserved before the first await: two sinks opening at once in this process see each other.
  held.add(file);
  try {
    await claim(file, path);
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
      await unlink(`${file}.lock`).catch(() => undefined);
    },
  };
}

/** Creates `<file>.lock` for this process, taking over one whose writer is gone. */
async function claim(file: string, path: string): Promise<void> {
  const lockPath = `${file}.lock`;
  const me = `${hostname()} ${process.pid}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(`${me}\n`, 'utf8');
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const holder = (await readFile(lockPath, 'utf8').catch(() => '')).trim();
    if (holder === '' && (await claimedJustNow(lockPath))) {
      throw new Error(`${path} is being claimed by another writer right now (${lockPath}); give each process its own audit file`);
    }
    const [host, pidText] = holder.split(' ');
    const pid = Number(pidText);
    const sameHost = host === hostname();
    if (sameHost && Number.isInteger(pid) && pid !== process.pid && running(pid)) {
      throw new Error(
        `${path} is being written by process ${pid} on this host (${lockPath}); ` +
          `give each process its own audit file (e.g. audit-\${process.pid}.jsonl), or remove the lock file if that process is gone`,
      );
    }
    // Left by a process that is gone, an earlier run of this pid, or another host: take it over.
    await unlink(lockPath).catch(() => undefined);
  }
}

/** An empty lock file is a claim between its creation and its first write, unless it is old. */
async function claimedJustNow(lockPath: string): Promise<boolean> {
  const info = await stat(lockPath).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs < 2_000;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
