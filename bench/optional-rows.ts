import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isBenchRows, type BenchRow } from './rows.js';

/** Rows from a benchmark in another file, or why there are none. */
export type OptionalRows = { rows: BenchRow[] } | { missing: string };

export interface OptionalRowsOptions {
  /**
   * Run the benchmark in a Node process of its own, started with `--expose-gc`: for CPU and
   * memory measurements, which the heap the rest of the run left behind (hundreds of MB of
   * fixtures, routers and buffers) would otherwise charge with its garbage collection, by an
   * amount that depends on what ran before, not on what is measured.
   */
  ownProcess?: boolean;
}

/**
 * Runs `exportName()` from `file` when the file exists and returns its rows, each given the
 * file's name as its section when it has none. A missing file, a missing export or rows of the
 * wrong shape come back as `missing` with the reason, printed as "not measured: …", so the
 * benchmark runs on without it.
 */
export async function optionalRows(file: string, exportName: string, options: OptionalRowsOptions = {}): Promise<OptionalRows> {
  const name = `bench/${basename(file)}`;
  if (!existsSync(file)) return { missing: `${name} missing` };
  const result = options.ownProcess ? await inOwnProcess(file, exportName) : await rowsOf(file, exportName);
  if ('missing' in result) return { missing: `${name} ${result.missing}` };
  return { rows: result.rows.map((row) => ({ ...row, section: row.section ?? name })) };
}

/** `exportName()`'s rows, or why not (without the file's name). */
export async function rowsOf(file: string, exportName: string): Promise<OptionalRows> {
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const run = module[exportName];
  if (typeof run !== 'function') return { missing: `does not export ${exportName}()` };
  let rows: unknown;
  try {
    rows = await run();
  } catch (error) {
    return { missing: `${exportName}() failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isBenchRows(rows)) return { missing: `${exportName}() did not return rows ({ label, value, unit, … }[])` };
  return { rows };
}

/** The same, in a child process (bench/rows-process.ts) that sends its result back. */
function inOwnProcess(file: string, exportName: string): Promise<OptionalRows> {
  const child = fork(fileURLToPath(new URL('./rows-process.ts', import.meta.url)), [file, exportName], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve) => {
    let result: OptionalRows | undefined;
    child.once('message', (message) => {
      result = message as OptionalRows;
    });
    child.once('error', (error) => resolve({ missing: `could not start a process of its own: ${error.message}` }));
    child.once('exit', (code, signal) => resolve(result ?? { missing: `${exportName}() ended its process (${signal ?? `exit code ${code}`}) without rows` }));
  });
}
