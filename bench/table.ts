import { formatValue, type BenchResults, type BenchRow } from './rows.js';

/*
 * The markdown table of a bench run, for README's and docs/performance.md's "What routing costs":
 * the acceptance rows (those with a target) by default, or every row.
 */

const cell = (text: string) => text.replaceAll('|', '\\|');
const withUnit = (value: number, unit: string) => (unit === '×' ? `${formatValue(value)}×` : `${formatValue(value)} ${unit}`);

function line(row: BenchRow): string {
  const baseline = row.baseline ? `${row.baseline.label} ${withUnit(row.baseline.value, row.unit)}` : '';
  const ratio = row.ratio !== undefined ? `${row.ratio.toFixed(2)}×` : '';
  const target = row.target ? `${row.target}: ${row.pass ? 'met' : '**not met**'}` : '';
  return `| ${cell(row.label)} | ${cell(withUnit(row.value, row.unit))} | ${cell(baseline)} | ${ratio} | ${cell(target)} |`;
}

/** Renders a run as a dated markdown table; `all` includes the rows without a target. */
export function renderTable(results: BenchResults, { all = false }: { all?: boolean } = {}): string {
  const { machine } = results;
  const rows = all ? results.rows : results.rows.filter((row) => row.pass !== undefined);
  return [
    `Measured ${results.date.slice(0, 10)} with \`npm run bench\` on Node ${results.node.replace(/^v/, '')}, ${machine.cores} × ${machine.cpu} (${machine.platform}, load ${machine.loadAtStart.toFixed(1)} at the start).`,
    '',
    '| Measurement | Value | Baseline (same run) | Ratio | Target |',
    '| --- | --: | --: | --: | --- |',
    ...rows.map(line),
    ...results.notMeasured.map((reason) => `| ${cell(reason)} | | | | not measured |`),
  ].join('\n');
}
