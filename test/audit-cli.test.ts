import { spawnSync } from 'node:child_process';
import { closeSync, linkSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCsvColumns, createRouter, exportAudit, type AuditRecord } from '../src/index.js';
import { jsonlAudit, readAuditFile } from '../src/node/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';
import { parseCsv } from './helpers/rfc4180.js';

mockServer();
const root = join(import.meta.dirname, '..');
const directory = mkdtempSync(join(tmpdir(), 'sovroute-cli-'));
const log = join(directory, 'audit.jsonl');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The log's lines, without the empty string after the last newline. */
const logLines = () => readFileSync(log, 'utf8').split('\n').slice(0, -1);
/** A file of these lines, one per line, as a log is written. */
function logFile(name: string, lines: string[]): string {
  const path = join(directory, name);
  writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
  return path;
}

/** The CLI as a user runs it, from source. */
function sovroute(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// A model string an attacker controls: commas, quotes, a line break and a formula.
const hostileModel = '=HYPERLINK("http://evil.example","click"), "quoted"\nsecond line';
let records: AuditRecord[];

beforeAll(async () => {
  const router = createRouter({ providers: testProviders(), policy: 'eu-hosted', apiKey: 'test-cli', audit: [jsonlAudit(log)] });
  const messages = [{ role: 'user' as const, content: 'Hello' }];
  await router.chat.completions.create({ model: 'auto', messages });
  await router.chat.completions.create({ model: 'us-ai/gpt-4o', messages }).catch(() => undefined);
  await router.chat.completions.create({ model: hostileModel, messages }).catch(() => undefined);
  await router.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages, simulate: { fault: 'server_error' }, route: { allow_fallbacks: true } }).catch(() => undefined);
  await router.chat.completions.create({ model: 'eu-hosted/cheapest', messages });
  await router.close();
  records = await readAuditFile(log);
}, 60_000);

describe('sovroute audit verify', () => {
  it('exits 0 and counts the records of an intact log', () => {
    const run = sovroute('audit', 'verify', log);
    expect(run).toMatchObject({ status: 0, stdout: `ok: 5 records, last hash ${records.at(-1)!.hash}\n` });
    expect(sovroute('audit', 'verify', log, '--expect-last-hash', records.at(-1)!.hash).status).toBe(0);
  });

  it('refuses an --expect-last-hash that is not a whole hash (exit 2) instead of reporting records removed', () => {
    // The first 12 digits, as a shortened hash is often quoted: a usage error, not a tampered log.
    const run = sovroute('audit', 'verify', log, '--expect-last-hash', records.at(-1)!.hash.slice(0, 12));
    expect(run).toMatchObject({ status: 2, stdout: '', stderr: expect.stringMatching(/--expect-last-hash takes the hash \(64 hex digits\)/) });
  });

  it('takes a hash written in capitals (as some tools print it) for --expect-last-hash and --continues', () => {
    const last = records.at(-1)!.hash.toUpperCase();
    expect(sovroute('audit', 'verify', log, '--expect-last-hash', last)).toMatchObject({ status: 0, stdout: `ok: 5 records, last hash ${records.at(-1)!.hash}\n` });
    const headless = logFile('headless-upper.jsonl', logLines().slice(2));
    expect(sovroute('audit', 'verify', headless, '--continues', records[1]!.hash.toUpperCase())).toMatchObject({ status: 0 });
  });

  it('exits 1 naming the record and the reason when a field was edited', () => {
    const lines = readFileSync(log, 'utf8').split('\n');
    const tampered = join(directory, 'tampered.jsonl');
    writeFileSync(tampered, [lines[0], lines[1]!.replace('"outcome":"denied"', '"outcome":"success"'), ...lines.slice(2)].join('\n'));
    const run = sovroute('audit', 'verify', tampered);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^broken at record 1: record 1 \(req_\w+\) was edited: its content does not match its hash \(line 2\)\n$/);
  });

  it('exits 1 when records were cut off the end of the log', () => {
    const cut = join(directory, 'cut.jsonl');
    writeFileSync(cut, readFileSync(log, 'utf8').split('\n').slice(0, 3).join('\n'));
    const run = sovroute('audit', 'verify', cut, '--expect-last-hash', records.at(-1)!.hash);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^broken at record 3: .*removed from the end/);
  });

  it('skips a torn line with a warning naming it, and still checks the chain across it and after it', () => {
    const lines = logLines();
    // A write of record 3 cut short by a crash, then the next router appended from record 2's hash.
    const torn = logFile('torn.jsonl', [...lines.slice(0, 3), lines[3]!.slice(0, 80), ...lines.slice(3)]);
    const run = sovroute('audit', 'verify', torn, '--expect-last-hash', records.at(-1)!.hash);
    expect(run).toMatchObject({ status: 0, stdout: `ok: 5 records, 1 torn line skipped, last hash ${records.at(-1)!.hash}\n` });
    expect(run.stderr).toBe(`sovroute: warning: ${torn}: line 4 is torn: it is not JSON, so a write was cut short there (e.g. by a crash); skipped, and the chain checked across it\n`);

    // An edit after the torn line is still found.
    // A duration no call here took: a fast call's could have been exactly 1 ms, leaving the line as it was.
    const editedLine = lines[4]!.replace(/"duration_ms":[\d.]+/, '"duration_ms":86400000');
    expect(editedLine).not.toBe(lines[4]);
    const edited = logFile('torn-edited.jsonl', [...lines.slice(0, 3), lines[3]!.slice(0, 80), lines[3]!, editedLine]);
    expect(sovroute('audit', 'verify', edited)).toMatchObject({ status: 1, stdout: expect.stringMatching(/^broken at record 4: record 4 \(req_\w+\) was edited.*\(line 6\)\n$/) });
    // A record lost in the tear (the next one does not link to the last whole record) is a break.
    const lost = logFile('torn-lost.jsonl', [...lines.slice(0, 3), lines[3]!.slice(0, 80), lines[4]!]);
    expect(sovroute('audit', 'verify', lost)).toMatchObject({ status: 1, stdout: expect.stringMatching(/^broken at record 3: record 3 does not follow record 2.*\(line 5\)\n$/) });
  });

  it('reads a torn last line of any length in bounded memory: a warning and exit 0, not a crash', () => {
    // What a power loss can leave after the last record: a run of zero bytes, here 600 MB (sparse), longer than a string can be.
    const zeros = logFile('zero-tail.jsonl', logLines());
    truncateSync(zeros, statSync(zeros).size + 600 * 1024 * 1024);
    const run = sovroute('audit', 'verify', zeros, '--expect-last-hash', records.at(-1)!.hash);
    expect(run).toMatchObject({ status: 0, stdout: `ok: 5 records, 1 torn line skipped, last hash ${records.at(-1)!.hash}\n` });
    expect(run.stderr).toMatch(/^sovroute: warning: .*: line 6 is torn/);
    expect(run.stderr).not.toMatch(/RangeError|    at /);
  }, 60_000);

  it('exits 1 when records were deleted from the start, unless told the file continues an earlier one', () => {
    const lines = logLines();
    const headless = logFile('headless.jsonl', lines.slice(2));
    const run = sovroute('audit', 'verify', headless);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      `broken at record 0: record 0 does not start a log: its prev is ${records[1]!.hash}, not null; records were deleted from the start, or this log continues an earlier one (line 1); to verify a file that continues an earlier log, pass --continues <that log's last hash>, or --segment\n`,
    );
    const continued = sovroute('audit', 'verify', headless, '--continues', records[1]!.hash);
    expect(continued).toMatchObject({ status: 0, stdout: `ok: 3 records, starting mid-chain after ${records[1]!.hash}, last hash ${records.at(-1)!.hash}\n` });
    expect(sovroute('audit', 'verify', headless, '--segment')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^ok: 3 records, starting mid-chain after [0-9a-f]{64}, /) });
    expect(sovroute('audit', 'verify', headless, '--continues', records[0]!.hash)).toMatchObject({ status: 1, stdout: expect.stringMatching(/expected to continue from/) });
    expect(sovroute('audit', 'verify', log, '--continues', records[0]!.hash).status).toBe(1);
    expect(sovroute('audit', 'verify', headless, '--continues', 'abc')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--continues takes the hash \(64 hex digits\)/) });
  });

  it('exits 2 with the usage for a missing file or a bad command line', () => {
    expect(sovroute('audit', 'verify', join(directory, 'missing.jsonl'))).toMatchObject({ status: 2, stderr: expect.stringMatching(/ENOENT/) });
    expect(sovroute('audit', 'verify')).toMatchObject({ status: 2, stderr: expect.stringMatching(/audit verify takes one file\n\nUsage: sovroute audit verify /) });
    expect(sovroute('audit', 'export', log, '--format', 'xlsx')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--format csv or --format jsonl/) });
    expect(sovroute('audit', 'export', log, '--format', 'csv', '--outcome', 'maybe')).toMatchObject({ status: 2, stderr: expect.stringMatching(/outcome "maybe" is not one of/) });
  });

  it('exits 2 with the usage for an empty --postgres (an unset variable), naming the flag', () => {
    const html = join(directory, 'empty-postgres.html');
    for (const [command, ...rest] of [['verify'], ['export', '--format', 'csv'], ['migrate'], ['report', '--html', html]] as const) {
      expect(sovroute('audit', command, ...rest, '--postgres', '')).toMatchObject({
        status: 2,
        stderr: expect.stringMatching(new RegExp(`--postgres needs the database's URL[^]*\n\nUsage: sovroute audit ${command} `)),
      });
    }
  });
});

describe('sovroute audit export', () => {
  it('--format csv writes a header row and one row per record that a strict RFC 4180 parser reads back', () => {
    const out = join(directory, 'audit.csv');
    expect(sovroute('audit', 'export', log, '--format', 'csv', '--out', out).status).toBe(0);
    const rows = parseCsv(readFileSync(out, 'utf8'));
    expect(rows[0]).toEqual(auditCsvColumns.map((column) => column.name));
    expect(rows).toHaveLength(1 + records.length);
    const cell = (row: string[], name: string) => row[auditCsvColumns.findIndex((column) => column.name === name)];
    rows.slice(1).forEach((row, index) => {
      const record = records[index]!;
      expect(cell(row, 'id')).toBe(record.id);
      expect(cell(row, 'outcome')).toBe(record.outcome);
      expect(cell(row, 'hash')).toBe(record.hash);
      expect(cell(row, 'prev')).toBe(record.prev ?? '');
      expect(cell(row, 'attempts')).toBe(String(record.attempts.length));
      expect(cell(row, 'cost')).toBe(record.cost === null ? '' : String(record.cost));
    });
    // The hostile model string survives whole, commas, quotes and line break included, and cannot run as a formula.
    const hostile = rows.find((row) => cell(row, 'outcome') === 'invalid')!;
    expect(cell(hostile, 'requested_model')).toBe(`'${hostileModel}`);
    // A multi-line error message (the hostile model string, quoted back) stays one field.
    expect(cell(hostile, 'error_message')).toContain('\n');
    const failed = rows.find((row) => cell(row, 'outcome') === 'error')!;
    expect(cell(failed, 'fallback_used')).toBe('true');
  });

  it('prints to stdout, and filters by outcome, provider and time', () => {
    const all = sovroute('audit', 'export', log, '--format', 'csv');
    expect(all.stdout).toBe(exportAudit(records, { format: 'csv' }));
    const denied = parseCsv(sovroute('audit', 'export', log, '--format', 'csv', '--outcome', 'denied,invalid').stdout);
    expect(denied.slice(1).map((row) => row[4])).toEqual(['denied', 'invalid']);
    const byProvider = sovroute('audit', 'export', log, '--format', 'jsonl', '--provider', 'hyperscaler-eu').stdout;
    expect(byProvider.trim().split('\n').map((line) => (JSON.parse(line) as AuditRecord).id)).toEqual(
      records.filter((record) => record.provider === 'hyperscaler-eu').map((record) => record.id),
    );
    const later = sovroute('audit', 'export', log, '--format', 'jsonl', '--from', '2999-01-01T00:00:00Z').stdout;
    expect(later).toBe('');
    const until = sovroute('audit', 'export', log, '--format', 'jsonl', '--to', records[2]!.ts).stdout;
    const before = records.filter((record) => record.ts < records[2]!.ts);
    expect(until).toBe(before.map((record) => `${JSON.stringify(record)}\n`).join(''));
  });

  it('skips a torn line with a warning, exporting every record', () => {
    const lines = logLines();
    const torn = logFile('torn-export.jsonl', [...lines.slice(0, 3), lines[3]!.slice(0, 80), ...lines.slice(3)]);
    const run = sovroute('audit', 'export', torn, '--format', 'jsonl');
    expect(run).toMatchObject({ status: 0, stdout: readFileSync(log, 'utf8') });
    expect(run.stderr).toBe(`sovroute: warning: ${torn}: line 4 is torn: it is not JSON, so a write was cut short there (e.g. by a crash); skipped\n`);
  });

  it('reads a log that starts with a byte order mark (saved by a Windows editor) as the same log: no record lost', () => {
    const bom = logFile('bom.jsonl', logLines());
    writeFileSync(bom, `\uFEFF${readFileSync(bom, 'utf8')}`);
    expect(sovroute('audit', 'verify', bom, '--expect-last-hash', records.at(-1)!.hash)).toMatchObject({ status: 0, stdout: `ok: 5 records, last hash ${records.at(-1)!.hash}\n`, stderr: '' });
    expect(sovroute('audit', 'export', bom, '--format', 'jsonl')).toMatchObject({ status: 0, stdout: readFileSync(log, 'utf8'), stderr: '' });
  });

  it('refuses to write the export onto its input: the same path, a symbolic link or a hard link', () => {
    const original = readFileSync(log, 'utf8');
    const copy = logFile('in-place.jsonl', logLines());
    const symbolic = join(directory, 'symbolic.jsonl');
    const hard = join(directory, 'hard.jsonl');
    symlinkSync(copy, symbolic);
    linkSync(copy, hard);
    for (const out of [copy, symbolic, hard]) {
      const run = sovroute('audit', 'export', copy, '--format', 'jsonl', '--out', out);
      expect(run).toMatchObject({ status: 2, stderr: `sovroute: refusing to export ${copy} onto itself: --out ${out} is the input file or a link to it; write the export to another file\n` });
      expect(readFileSync(copy, 'utf8')).toBe(original);
    }
    // Standard output appended to the input would read its own output forever.
    const append = openSync(copy, 'a');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', 'audit', 'export', copy, '--format', 'jsonl'], { cwd: root, encoding: 'utf8', stdio: ['ignore', append, 'pipe'] });
    closeSync(append);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/refusing to export .* onto itself: standard output is the input file/);
    expect(readFileSync(copy, 'utf8')).toBe(original);
  });

  it('exits 2 naming the output it cannot write, and leaves --out alone when the command cannot run', () => {
    const missing = join(directory, 'no-such-directory', 'x.csv');
    expect(sovroute('audit', 'export', log, '--format', 'csv', '--out', missing)).toMatchObject({
      status: 2,
      stderr: `sovroute: cannot write ${missing}: no such file or directory (ENOENT)\n`,
    });
    const previous = logFile('previous.csv', ['kept']);
    expect(sovroute('audit', 'export', log, '--format', 'csv', '--outcome', 'maybe', '--out', previous).status).toBe(2);
    expect(sovroute('audit', 'export', join(directory, 'missing.jsonl'), '--format', 'csv', '--out', previous)).toMatchObject({
      status: 2,
      stderr: `sovroute: cannot read ${join(directory, 'missing.jsonl')}: no such file or directory (ENOENT)\n`,
    });
    expect(readFileSync(previous, 'utf8')).toBe('kept\n');
  });

  it('--format jsonl writes the records as stored', () => {
    const out = join(directory, 'copy.jsonl');
    expect(sovroute('audit', 'export', log, '--format', 'jsonl', '--out', out).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(log, 'utf8'));
  });
});

describe('sovroute audit … --postgres with a database it cannot reach', () => {
  it('exits 2 saying which database (password hidden) could not be reached and what to check', () => {
    // Nothing listens on port 1: the connection is refused at once, without leaving the host.
    const url = 'postgres://auditor:hunter2-secret@127.0.0.1:1/app';
    const runs = [
      sovroute('audit', 'verify', '--postgres', url),
      sovroute('audit', 'export', '--postgres', url, '--format', 'csv'),
      sovroute('audit', 'report', '--postgres', url, '--html', join(directory, 'unreachable.html')),
    ];
    for (const run of runs) {
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^sovroute: cannot reach the database postgres:\/\/auditor:\*\*\*@127\.0\.0\.1:1\/app: .*ECONNREFUSED.*; check the URL, and that PostgreSQL runs there and accepts connections\n$/);
      expect(run.stdout + run.stderr).not.toContain('hunter2');
    }
  });
});

describe('sovroute audit export and report with an empty --provider or --outcome', () => {
  it('exits 2 saying the value is empty, rather than exporting nothing (an unset variable)', () => {
    const log = logFile('empty-filter.jsonl', []);
    for (const [option, noun] of [['--provider', 'a provider id'], ['--outcome', 'an outcome']] as const) {
      for (const command of [['export', '--format', 'csv'], ['report', '--html', join(directory, 'empty-filter.html')]]) {
        const run = sovroute('audit', command[0]!, log, ...command.slice(1), option, '');
        expect(run.status).toBe(2);
        expect(run.stderr).toContain(`sovroute: ${option} needs ${noun} or a comma-separated list of them; got an empty value`);
        expect(run.stdout).toBe('');
      }
    }
  });
});
