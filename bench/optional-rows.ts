import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isBenchRows, type BenchRow } from './rows.js';

/** Rows from a benchmark in another file, or why there are none. */
export type OptionalRows = { rows: BenchRow[] } | { missing: string };

/**
 * Runs `exportName()` from `file` when the file exists and returns its rows, each given the
 * file's name as its section when it has none. A missing file, a missing export or rows of the
 * wrong shape come back as `missing` with the reason, printed as "not measured: …", so the
 * benchmark runs on without it.
 */
export async function optionalRows(file: string, exportName: string): Promise<OptionalRows> {
  const name = `bench/${basename(file)}`;
  if (!existsSync(file)) return { missing: `${name} missing` };
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const run = module[exportName];
  if (typeof run !== 'function') return { missing: `${name} does not export ${exportName}()` };
  let rows: unknown;
  try {
    rows = await run();
  } catch (error) {
    return { missing: `${name} ${exportName}() failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isBenchRows(rows)) return { missing: `${name} ${exportName}() did not return rows ({ label, value, unit, … }[])` };
  return { rows: rows.map((row) => ({ ...row, section: row.section ?? name })) };
}
