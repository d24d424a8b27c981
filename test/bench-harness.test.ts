import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { optionalRows } from '../bench/optional-rows.js';
import { compared, comparedAtLeast, formatAcceptance, type BenchResults } from '../bench/rows.js';
import { renderTable } from '../bench/table.js';

/* `npm run bench` is measured, never asserted: these check the harness, not the numbers. */

const root = join(import.meta.dirname, '..');
const directory = mkdtempSync(join(tmpdir(), 'sovroute-bench-harness-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('bench harness', () => {
  it('type-checks (bench/tsconfig.json)', async () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const outcome = await promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', 'bench/tsconfig.json'], { cwd: root }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: unknown; stdout?: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(outcome).toEqual({ code: 0, stdout: '' });
  }, 180_000);

  it('checks a ratio against its target in the direction that is better', () => {
    const faster = compared('latency', 'call', 'µs', 300, { label: 'SDK', value: 600 }, 0.6);
    expect(faster).toMatchObject({ ratio: 0.5, target: '≤ 0.6× SDK', pass: true });
    expect(compared('latency', 'call', 'µs', 400, { label: 'SDK', value: 600 }, 0.6).pass).toBe(false);
    expect(comparedAtLeast('throughput', 'rps', 'req/s', 900, { label: 'SDK', value: 600 }, 1.5)).toMatchObject({ target: '≥ 1.5× SDK', pass: true });
    expect(comparedAtLeast('throughput', 'rps', 'req/s', 800, { label: 'SDK', value: 600 }, 1.5).pass).toBe(false);
    expect(compared('memory', 'heap', 'KB', 20, { label: 'fetch', value: 16 })).not.toHaveProperty('pass');
  });

  it('prints in each acceptance line the value its target is about: the measure for a target in its unit, else the ratio', () => {
    const audited = { label: 'audited call CPU', value: 1.14, unit: 'ms CPU', baseline: { label: 'without audit', value: 0.95 }, ratio: 1.2, target: '≤ 2 ms CPU', pass: true };
    expect(formatAcceptance(audited)).toMatch(/^ {2}PASS {2}audited call CPU ≤ 2 ms CPU +1\.14 ms CPU$/);
    const stream = compared('streams', '100-chunk stream, sovroute', 'µs', 480, { label: 'SDK', value: 900 }, 0.5);
    expect(formatAcceptance(stream)).toMatch(/^ {2}FAIL {2}100-chunk stream, sovroute ≤ 0\.5× SDK +0\.53×$/);
    const growth = { label: 'plan growth', value: 73, unit: '×', baseline: { label: 'candidates', value: 200 }, ratio: 0.37, target: 'at most linear', pass: true };
    expect(formatAcceptance(growth)).toMatch(/ 0\.37×$/);
    expect(formatAcceptance({ label: 'plan', value: 0.19, unit: 'ms', target: '≤ 1 ms', pass: true })).toMatch(/ 0\.19 ms$/);
  });

  it('reads rows from a benchmark file when it exists, and says why not otherwise', async () => {
    expect(await optionalRows(join(directory, 'scale.ts'), 'runScaleBench')).toEqual({ missing: 'bench/scale.ts missing' });

    const present = join(directory, 'present.mjs');
    writeFileSync(present, "export async function runScaleBench() { return [{ label: '50×300 plan', value: 0.4, unit: 'ms', target: '≤ 1 ms', pass: true }]; }\n");
    expect(await optionalRows(present, 'runScaleBench')).toEqual({
      rows: [{ label: '50×300 plan', value: 0.4, unit: 'ms', target: '≤ 1 ms', pass: true, section: 'bench/present.mjs' }],
    });
    expect(await optionalRows(present, 'measureBundle')).toEqual({ missing: 'bench/present.mjs does not export measureBundle()' });

    const wrongShape = join(directory, 'wrong.mjs');
    writeFileSync(wrongShape, "export function measureBundle() { return [{ name: 'bytes', bytes: 1 }]; }\n");
    expect(await optionalRows(wrongShape, 'measureBundle')).toMatchObject({ missing: expect.stringContaining('did not return rows') });
  });

  it('runs a benchmark in a process of its own, with gc exposed, when asked', async () => {
    const own = join(directory, 'own.mjs');
    writeFileSync(
      own,
      "export async function rows() { return [{ label: 'pid', value: process.pid, unit: '' }, { label: 'gc', value: typeof globalThis.gc === 'function' ? 1 : 0, unit: '' }]; }\n" +
        "export async function fails() { throw new Error('no upstream'); }\n" +
        'export async function exits() { process.exit(3); }\n',
    );
    const result = await optionalRows(own, 'rows', { ownProcess: true });
    expect(result).toEqual({
      rows: [
        { label: 'pid', value: expect.any(Number), unit: '', section: 'bench/own.mjs' },
        { label: 'gc', value: 1, unit: '', section: 'bench/own.mjs' },
      ],
    });
    expect((result as { rows: { value: number }[] }).rows[0]!.value).not.toBe(process.pid);
    expect(await optionalRows(own, 'fails', { ownProcess: true })).toEqual({ missing: 'bench/own.mjs fails() failed: no upstream' });
    expect(await optionalRows(own, 'exits', { ownProcess: true })).toEqual({ missing: 'bench/own.mjs exits() ended its process (exit code 3) without rows' });
    expect(await optionalRows(own, 'absent', { ownProcess: true })).toEqual({ missing: 'bench/own.mjs does not export absent()' });
  }, 60_000);

  it('renders the targets as a dated markdown table, every row with --all', () => {
    const results: BenchResults = {
      date: '2026-12-05T23:30:00.000Z',
      node: 'v20.20.2',
      machine: { cpu: 'Test CPU', cores: 2, platform: 'linux', loadAtStart: 0.5 },
      settings: {},
      seconds: 1,
      rows: [
        compared('latency', 'non-stream call, sovroute', 'µs', 400, { label: 'SDK', value: 500 }, 0.6),
        compared('latency', 'non-stream call, openai SDK', 'µs', 500, { label: 'fetch', value: 450 }),
      ],
      notMeasured: ['bundle ≤ 40 KB min+gz (not measured: bench/bundle-size.ts missing)'],
    };
    const targets = renderTable(results).split('\n');
    expect(targets[0]).toBe('Measured 2026-12-05 with `npm run bench` on Node 20.20.2, 2 × Test CPU (linux, load 0.5 at the start).');
    expect(targets.slice(2)).toEqual([
      '| Measurement | Value | Baseline (same run) | Ratio | Target |',
      '| --- | --: | --: | --: | --- |',
      '| non-stream call, sovroute | 400 µs | SDK 500 µs | 0.80× | ≤ 0.6× SDK: **not met** |',
      '| bundle ≤ 40 KB min+gz (not measured: bench/bundle-size.ts missing) | | | | not measured |',
    ]);
    expect(renderTable(results, { all: true })).toContain('| non-stream call, openai SDK | 500 µs | fetch 450 µs | 1.11× |  |');
  });
});
