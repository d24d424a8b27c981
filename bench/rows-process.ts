import { rowsOf } from './optional-rows.js';

/*
 * A benchmark's rows measured in a process of its own (`optionalRows(…, { ownProcess: true })`):
 * `node --expose-gc --import tsx bench/rows-process.ts <file> <exportName>` sends them, or why
 * there are none, to its parent, then exits; run by hand, it prints them as JSON.
 */

const [file, exportName] = process.argv.slice(2);
const result = await rowsOf(file!, exportName!).catch((error: unknown) => ({ missing: `could not be loaded: ${error instanceof Error ? error.message : String(error)}` }));
if (process.send) process.send(result, () => process.exit(0));
else console.log(JSON.stringify(result, null, 2));
