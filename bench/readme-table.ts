import { readFileSync } from 'node:fs';
import type { BenchResults } from './rows.js';
import { renderTable } from './table.js';

/*
 * `npx tsx bench/readme-table.ts [bench-results.json] [--all]` prints the table for README's
 * performance paragraph (the targets) or, with --all, for docs/performance.md (every row), from
 * what `npm run bench -- --json` wrote.
 */

const path = process.argv.slice(2).find((argument) => !argument.startsWith('--')) ?? 'bench-results.json';
const results = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
console.log(renderTable(results, { all: process.argv.includes('--all') }));
