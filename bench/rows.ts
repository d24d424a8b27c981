/*
 * The one shape every benchmark reports in, so that `npm run bench` can print, check and save
 * rows from any part of it (bench/run.ts, bench/throughput.ts, bench/heap.ts, and, when they
 * exist, bench/scale.ts `scaleBenchRows()` and bench/bundle-size.ts `bundleRows()`), and
 * bench/readme-table.ts can render them as the table in docs/performance.md.
 */

/**
 * One measurement.
 *
 * - `label`: what was measured and by whom, e.g. `non-stream call, sovroute`.
 * - `value`, `unit`: the measurement (`µs`, `req/s`, `KB`, `ms`, `µs CPU`, `KB min+gz`, `×`).
 * - `baseline`: the same quantity, in the same unit, for what it is compared with, measured in
 *   the same run (e.g. `{ label: 'openai SDK', value: 612 }`).
 * - `ratio`: `value / baseline.value`.
 * - `target`, `pass`: a performance target this row is checked against (e.g. `≤ 0.6× SDK`) and
 *   whether it was met; rows with `pass` are listed again as acceptance lines.
 * - `section`: the group the row is printed under; rows from other files get their file's.
 */
export interface BenchRow {
  label: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number };
  ratio?: number;
  target?: string;
  pass?: boolean;
  section?: string;
}

/** A row compared with a baseline; with `atMost`, checked against `value / baseline ≤ atMost`. */
export function compared(
  section: string,
  label: string,
  unit: string,
  value: number,
  baseline: { label: string; value: number },
  atMost?: number,
): BenchRow {
  const ratio = value / baseline.value;
  const row: BenchRow = { section, label, value, unit, baseline, ratio };
  if (atMost !== undefined) {
    row.target = `≤ ${atMost.toFixed(1)}× ${baseline.label}`;
    row.pass = ratio <= atMost;
  }
  return row;
}

/** A row checked against `value / baseline ≥ atLeast` (throughput: more is better). */
export function comparedAtLeast(section: string, label: string, unit: string, value: number, baseline: { label: string; value: number }, atLeast: number): BenchRow {
  const ratio = value / baseline.value;
  return { section, label, value, unit, baseline, ratio, target: `≥ ${atLeast.toFixed(1)}× ${baseline.label}`, pass: ratio >= atLeast };
}

/** Whether an imported value is a list of rows (checked, since it comes from another file). */
export function isBenchRows(value: unknown): value is BenchRow[] {
  return (
    Array.isArray(value) &&
    value.every(
      (row) =>
        typeof row === 'object' &&
        row !== null &&
        typeof (row as BenchRow).label === 'string' &&
        typeof (row as BenchRow).value === 'number' &&
        typeof (row as BenchRow).unit === 'string',
    )
  );
}

const decimals = (value: number) => (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
/** A value with sensible precision, e.g. `612`, `48.3`, `0.85`. */
export const formatValue = (value: number) => (Number.isFinite(value) ? value.toFixed(decimals(value)) : String(value));

/** One row as a console line: value, baseline, ratio, and the target with PASS or FAIL. */
export function formatRow(row: BenchRow): string {
  let line = `  ${row.label.padEnd(50)} ${formatValue(row.value).padStart(9)} ${row.unit.padEnd(6)}`;
  if (row.baseline) line += `  vs ${row.baseline.label} ${formatValue(row.baseline.value)}`;
  if (row.ratio !== undefined) line += `  = ${row.ratio.toFixed(2)}×`;
  if (row.target) line += `   target ${row.target}: ${row.pass ? 'PASS' : 'FAIL'}`;
  return line;
}

/**
 * A row with a target as an acceptance line: PASS or FAIL, then what the target is about. A
 * target stated in the row's own unit (`≤ 2 ms CPU`, `≤ 40 KB min+gz`) is about the value; any
 * other (`≤ 0.5× SDK`, `at most linear`) about the ratio to the baseline.
 */
export function formatAcceptance(row: BenchRow): string {
  const aboutValue = row.ratio === undefined || (row.target?.endsWith(` ${row.unit}`) ?? false);
  const measured = aboutValue ? `${formatValue(row.value)} ${row.unit}` : `${row.ratio!.toFixed(2)}×`;
  return `  ${row.pass ? 'PASS' : 'FAIL'}  ${`${row.label} ${row.target ?? ''}`.padEnd(60)} ${measured}`;
}

/** What `npm run bench --json` writes: the rows, and where and when they were measured. */
export interface BenchResults {
  /** ISO 8601, when the run ended. */
  date: string;
  node: string;
  machine: { cpu: string; cores: number; platform: string; loadAtStart: number };
  /** The sizes the run used (calls, streams, callers, windows, requests held). */
  settings: Record<string, unknown>;
  seconds: number;
  rows: BenchRow[];
  /** Targets whose benchmark file is missing, with the reason. */
  notMeasured: string[];
}
