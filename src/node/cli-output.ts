import { constants, fstatSync } from 'node:fs';
import { access, open, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A file error as a person reads it: `no such file or directory (ENOENT)`, without the path again. */
export function fileErrorReason(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return String(error);
  // Node's messages read "ENOENT: no such file or directory, open '/path'".
  const description = message.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+ '.*'$/s, '');
  return `${description} (${code})`;
}

/** Thrown for a file the CLI cannot read or write: exit code 2, no usage. */
export class FileError extends Error {
  override name = 'FileError';
}

type Identity = { dev: bigint; ino: bigint; real: string };

async function identity(path: string): Promise<Identity | undefined> {
  try {
    const stats = await stat(path, { bigint: true });
    return { dev: stats.dev, ino: stats.ino, real: await realpath(path) };
  } catch {
    return undefined;
  }
}

// Inode numbers can be 0 where a platform has none; the resolved path still compares.
const same = (a: Identity, b: Identity) => a.real === b.real || (a.ino !== 0n && a.dev === b.dev && a.ino === b.ino);

/**
 * Checks that `input` can be read and is not `output` (the same path, a symbolic or hard link to
 * it): writing an export onto its own input would truncate the log before it is read.
 */
export async function checkInput(input: string, output: { path: string; option?: '--html' } | { fd: number } | undefined): Promise<void> {
  let stats;
  try {
    stats = await stat(input, { bigint: true });
  } catch (error) {
    throw new FileError(`cannot read ${input}: ${fileErrorReason(error)}`);
  }
  if (stats.isDirectory()) throw new FileError(`cannot read ${input}: it is a directory; give the path of a JSONL audit log`);
  if (output === undefined) return;
  const source = { dev: stats.dev, ino: stats.ino, real: await realpath(input) };
  if ('path' in output) {
    const target = await identity(output.path);
    if (target && same(source, target)) {
      if (output.option === '--html') {
        throw new FileError(`refusing to write the report onto ${input}: --html ${output.path} is the input file or a link to it; write the report to another file`);
      }
      throw new FileError(`refusing to export ${input} onto itself: --out ${output.path} is the input file or a link to it; write the export to another file`);
    }
    return;
  }
  // Standard output redirected into the input (`>> audit.jsonl`) would read its own output forever.
  let target;
  try {
    target = fstatSync(output.fd, { bigint: true });
  } catch {
    return;
  }
  if (target.isFile() && target.ino !== 0n && target.dev === source.dev && target.ino === source.ino) {
    throw new FileError(`refusing to export ${input} onto itself: standard output is the input file or a link to it; write the export to another file`);
  }
}

/**
 * Fails as writing `path` later would (no such directory, no permission, a directory there), for
 * a command that writes only after a long read: the user learns it before the read, not after.
 */
export async function checkWritable(path: string): Promise<void> {
  try {
    const stats = await stat(path).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    });
    if (stats?.isDirectory()) throw new FileError(`cannot write ${path}: it is a directory; give a file's path`);
    await access(stats ? path : dirname(path), constants.W_OK);
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(`cannot write ${path}: ${fileErrorReason(error)}`, { cause: error });
  }
}

/** The file an export goes to, opened only once the input is checked; its errors name the path. */
export interface OutputFile {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

export async function openOutput(path: string): Promise<OutputFile> {
  const fail = (error: unknown) => new FileError(`cannot write ${path}: ${fileErrorReason(error)}`);
  const handle = await open(path, 'w').catch((error: unknown) => {
    throw fail(error);
  });
  return {
    // writeFile on an open handle writes all of the text at the current position.
    write: (text) => handle.writeFile(text, 'utf8').catch((error: unknown) => {
      throw fail(error);
    }),
    close: () => handle.close().catch((error: unknown) => {
      throw fail(error);
    }),
  };
}
