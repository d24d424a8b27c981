import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createRouter, openaiCompatible } from '../src/index.js';
import { postgresAudit } from '../src/postgres/index.js';
import { builtCli } from './helpers/built-package.js';
import { databaseUrl, postgresSkip, uniqueName } from './helpers/services.js';
import { writeSyntheticLog, type SyntheticTotals } from './helpers/synthetic-audit-log.js';

const root = join(import.meta.dirname, '..');
const directory = mkdtempSync(join(tmpdir(), 'sovroute-report-'));
const log = join(directory, 'audit.jsonl');
const html = join(directory, 'report.html');
const records = 100_000;
let totals: SyntheticTotals;
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

function runChromium(...args: string[]) {
  const profile = mkdtempSync(join(tmpdir(), 'sovroute-chromium-'));
  try {
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];
    return spawnSync(chromium!, [...flags, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The number in `data-value` (or `data-cost`…) of the element matching `pattern`'s capture. */
const attributeValues = (dom: string, pattern: RegExp) => [...dom.matchAll(pattern)].map((match) => Number(match[1]));

describe('sovroute audit report', () => {
  beforeAll(async () => {
    totals = await writeSyntheticLog(log, records);
  }, 120_000);

  it('renders a 100,000-record log to one HTML file in under 10 s, and says what it wrote', () => {
    const started = performance.now();
    const run = spawnSync(process.execPath, [builtCli, 'audit', 'report', log, '--html', html], { encoding: 'utf8' });
    const elapsed = performance.now() - started;
    expect(run.status, run.stderr).toBe(0);
    // The bound the report is held to, with the process start included.
    expect(elapsed).toBeLessThan(10_000);
    expect(run.stderr).toBe(`sovroute: wrote ${html} (100,000 of 100,000 records; chain intact)\n`);
    const text = readFileSync(html, 'utf8');
    // Self-contained: no script, nothing fetched.
    expect(text).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org)/i);
    expect(text).toContain('@page { size: A4');
  }, 60_000);

  it('opens in headless Chromium with the charts and tables holding the log’s totals', (context) => {
    if (chromium === undefined) {
      if (process.env.CI === 'true') throw new Error('chromium is not installed; .ci/run installs it');
      console.log('skipped: chromium is not installed (apt-get install chromium)');
      context.skip();
    }
    const dump = runChromium('--dump-dom', `file://${html}`);
    expect(dump.status, dump.stderr).toBe(0);
    const dom = dump.stdout;
    expect(attributeValues(dom, /id="total-records" data-value="(\d+)"/g)).toEqual([records]);
    expect(dom).toContain('id="chain-status" data-ok="true"');
    expect(dom).toContain(`<code id="first-hash">${totals.firstHash}</code>`);
    expect(dom).toContain(`<code id="last-hash">${totals.lastHash}</code>`);
    for (const [outcome, count] of Object.entries(totals.outcomes)) {
      expect(dom).toContain(`data-outcome="${outcome}">${count.toLocaleString('en')}<`);
    }
    // The timeline: ten days, one column each, adding up to every record.
    const columns = attributeValues(dom, /class="column" data-bucket="[^"]+" data-total="(\d+)"/g);
    expect(columns).toHaveLength(10);
    expect(columns.reduce((sum, value) => sum + value, 0)).toBe(records);
    // Spend by provider: each bar and table row holds what the log says each provider cost.
    const spendTable = /<table id="spend-provider">(.*?)<\/table>/s.exec(dom)![1]!;
    for (const [provider, cost] of Object.entries(totals.spendByProvider)) {
      const cell = new RegExp(`data-label="${provider}">.*?data-cost="([0-9.e-]+)"`, 's').exec(spendTable);
      expect(Number(cell![1])).toBeCloseTo(cost, 9);
    }
    expect(attributeValues(dom, /id="total-spend"><b data-currency="EUR" data-cost="([0-9.e-]+)"/g)[0]).toBeCloseTo(totals.spend, 9);
    expect(dom).toMatch(/<svg id="spend-provider-chart"/);
    // Jurisdiction tiers: openai is global, the others EU-sovereign; hosting countries as bars.
    expect(dom).toMatch(/<svg id="tier-chart"[^>]*>.*data-label="eu-sovereign" data-value="45000".*data-label="global" data-value="15000"/s);
    expect(dom).toMatch(/<svg id="country-chart"/);
    // Every denial is listed with its reason; fallbacks say where they went; both policy hashes show.
    const denials = /<table id="denials">.*?<tbody>(.*?)<\/tbody>/s.exec(dom)![1]!;
    expect(denials.match(/<tr>/g)).toHaveLength(totals.denials);
    expect(denials).toContain('openai is US-controlled');
    const fallbacks = /<table id="fallbacks">.*?<tbody>(.*?)<\/tbody>/s.exec(dom)![1]!;
    expect([...fallbacks.matchAll(/<td class="n">([\d,]+)<\/td>/g)].reduce((sum, match) => sum + Number(match[1]!.replace(/,/g, '')), 0)).toBe(totals.fallbacks);
    expect(fallbacks).toContain('openai → scaleway');
    expect(dom).toContain('a'.repeat(64));
    expect(dom).toContain('b'.repeat(64));
    expect(dom).toMatch(/<table id="policy-changes">/);

    const artifacts = join(root, 'test', 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    const screenshot = join(artifacts, 'audit-report.png');
    rmSync(screenshot, { force: true });
    const shot = runChromium('--window-size=1100,2400', `--screenshot=${screenshot}`, `file://${html}`);
    expect(shot.status, shot.stderr).toBe(0);
    expect(existsSync(screenshot)).toBe(true);
  }, 180_000);

  it('applies the filters audit export has, and exits 1 with the report written when the chain is broken', () => {
    const denied = join(directory, 'denied.html');
    const run = spawnSync(process.execPath, [builtCli, 'audit', 'report', log, '--html', denied, '--outcome', 'denied'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`(${totals.denials.toLocaleString('en')} of 100,000 records; chain intact)`);
    const lines = readFileSync(log, 'utf8').split('\n');
    const broken = join(directory, 'broken.jsonl');
    // Drop record 5: the chain breaks there.
    writeFileSync(broken, [...lines.slice(0, 5), ...lines.slice(6, 50)].join('\n') + '\n');
    const out = join(directory, 'broken.html');
    const brokenRun = spawnSync(process.execPath, [builtCli, 'audit', 'report', broken, '--html', out], { encoding: 'utf8' });
    expect(brokenRun.status).toBe(1);
    expect(readFileSync(out, 'utf8')).toContain('id="chain-status" data-ok="false">Chain broken at record 5');
  });
});

describe('sovroute audit report on a log holding a line that is JSON but no record', () => {
  it('writes the report saying the chain is broken there and exits 1, rather than failing to read the log', async () => {
    const small = join(directory, 'small.jsonl');
    await writeSyntheticLog(small, 5);
    const lines = readFileSync(small, 'utf8').split('\n').filter(Boolean);
    for (const [name, line] of [['empty', '{}'], ['no-ts', '{"note":"written by hand","outcome":"success"}'], ['number-ts', '{"ts":5,"outcome":"nonsense","provider":7}']]) {
      const edited = join(directory, `${name}.jsonl`);
      writeFileSync(edited, [...lines.slice(0, 3), line, ...lines.slice(3)].join('\n') + '\n');
      const out = join(directory, `${name}.html`);
      const run = spawnSync(process.execPath, [builtCli, 'audit', 'report', edited, '--html', out], { encoding: 'utf8' });
      expect(run.stderr).toBe(`sovroute: wrote ${out} (5 of 6 records; chain broken at record 3)\n`);
      expect(run.status).toBe(1);
      expect(readFileSync(out, 'utf8')).toContain('id="chain-status" data-ok="false">Chain broken at record 3: record 3 is not an audit record');
    }
  });
});

describe('sovroute audit report with a filter it cannot use', () => {
  it('exits 2 with a message naming audit report, not audit export', () => {
    const out = join(directory, 'never.html');
    const run = spawnSync(process.execPath, [builtCli, 'audit', 'report', log, '--html', out, '--from', 'last tuesday'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^sovroute: audit report: from "last tuesday" is not a date; use ISO 8601/);
    expect(run.stderr).not.toContain('audit export');
    expect(existsSync(out)).toBe(false);
  });
});

describe('sovroute audit report on a log that continues an earlier one (rotated)', () => {
  it('reports the chain intact with --continues <hash> or --segment, and without them says how to pass them', async () => {
    const whole = join(directory, 'whole.jsonl');
    await writeSyntheticLog(whole, 6);
    const lines = readFileSync(whole, 'utf8').split('\n').filter(Boolean);
    const rotatedLastHash = (JSON.parse(lines[2]!) as { hash: string }).hash;
    const current = join(directory, 'current.jsonl');
    writeFileSync(current, lines.slice(3).join('\n') + '\n');
    const out = join(directory, 'current.html');
    const run = (...extra: string[]) => spawnSync(process.execPath, [builtCli, 'audit', 'report', current, '--html', out, ...extra], { encoding: 'utf8' });
    for (const extra of [['--continues', rotatedLastHash], ['--segment']]) {
      const continued = run(...extra);
      expect(continued.stderr).toBe(`sovroute: wrote ${out} (3 of 3 records; chain intact)\n`);
      expect(continued.status).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain(`id="chain-status" data-ok="true">Chain intact: 3 records verified, starting mid-chain after ${rotatedLastHash}.`);
    }
    const plain = run();
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain("to report on a file that continues an earlier log, pass --continues <that log's last hash>, or --segment");
    expect(run('--continues', 'f'.repeat(64)).status).toBe(1);
  });
});

describe('sovroute audit report --html where no file can be written', () => {
  it('exits 2 naming it before reading the log, not after reading it all', () => {
    // A log that never ends (a pipe no one writes to): reading it first would never finish.
    const pipe = join(directory, 'endless.jsonl');
    spawnSync('mkfifo', [pipe]);
    const out = join(directory, 'no-such-directory', 'report.html');
    const run = spawnSync(process.execPath, [builtCli, 'audit', 'report', pipe, '--html', out], { encoding: 'utf8', timeout: 10_000 });
    expect(run.stderr).toBe(`sovroute: cannot write ${out}: no such file or directory (ENOENT)\n`);
    expect(run.status).toBe(2);
  });
});

describe('the --outcome filter of audit export and audit report', () => {
  it('lists dropped (gap records) among the outcomes it takes, in each command’s help', () => {
    for (const command of ['export', 'report']) {
      const help = spawnSync(process.execPath, [builtCli, 'audit', command, '--help'], { encoding: 'utf8' }).stdout;
      expect(help).toMatch(/--outcome <outcome>\[,\.\.\.\]\s+success, error, denied, invalid, aborted, dropped/);
    }
  });
});

describe('sovroute audit report --html onto its own log', () => {
  it('refuses, naming --html, and leaves the log as it was', async () => {
    const own = join(directory, 'own.jsonl');
    await writeSyntheticLog(own, 3);
    const before = readFileSync(own, 'utf8');
    const run = spawnSync(process.execPath, [builtCli, 'audit', 'report', own, '--html', own], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`sovroute: refusing to write the report onto ${own}: --html ${own} is the input file or a link to it; write the report to another file\n`);
    expect(readFileSync(own, 'utf8')).toBe(before);
  });
});

const postgres = await postgresSkip();

describe('sovroute audit report --postgres', () => {
  it.skipIf(postgres !== undefined)('reports on the chain postgresAudit keeps, verified whole', async () => {
    const schema = uniqueName('sovroute_report_test');
    const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    await admin.query(`CREATE SCHEMA "${schema}"`);
    try {
      const table = `${schema}.audit`;
      const sink = postgresAudit({ connectionString: databaseUrl, table });
      const provider = openaiCompatible({
        id: 'eu-local',
        baseURL: 'http://127.0.0.1:9/v1',
        jurisdiction: { operator: { name: 'Local SAS', country: 'FR', parents: [] }, hosting: ['FR'] },
        models: [{ id: 'm', price: { input: 1, output: 2, currency: 'EUR' } }],
      });
      const router = createRouter({ apiKey: 'test-pg', providers: [provider], audit: [sink] });
      for (let index = 0; index < 6; index++) await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      await router.close();
      await sink.close();
      const out = join(directory, 'postgres.html');
      // The password given as a parameter, as pg takes it: it must not reach the report.
      const url = new URL(databaseUrl);
      const password = decodeURIComponent(url.password) || 'report-secret';
      url.password = '';
      url.searchParams.set('password', password);
      const run = spawnSync(process.execPath, [builtCli, 'audit', 'report', '--postgres', url.toString(), '--table', table, '--html', out], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain('(6 of 6 records; chain intact)');
      const text = readFileSync(out, 'utf8');
      expect(text).toContain('data-outcome="success">6<');
      // A test key's calls: requests, simulated, no spend.
      expect(text).toContain('<tr data-label="eu-local"><td>eu-local</td><td class="n">6 (6 simulated)</td>');
      expect(text).toContain('id="simulated-requests" data-value="6"');
      expect(text).toContain(`${table} in postgres://`);
      expect(text).not.toContain(password);
      expect(run.stdout + run.stderr).not.toContain(password);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
