import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord, AuditSink } from '../src/index.js';
import { builtCli, loadBuilt, loadBuiltNode } from './helpers/built-package.js';

/*
 * The audit trail loses nothing: not in a burst of requests that outruns the sink, not when a
 * writer is killed inside an append, twice in a row. Through the package as users get it.
 */

const directory = mkdtempSync(join(tmpdir(), 'sovroute-no-loss-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
let files = 0;
const newFile = () => join(directory, `audit-${++files}.jsonl`);

const messages = [{ role: 'user' as const, content: 'Summarise the audit policy.' }];
const jurisdiction = { operator: { name: 'Example Cloud SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
const models = [{ id: 'llama-3.3-70b-instruct', price: { input: 0.3, output: 0.9, currency: 'EUR' as const }, capabilities: ['chat' as const] }];

/** A router on the built package with a `test-` key: the pseudo-LLM answers, nothing leaves the process. */
async function builtRouter(audit: object) {
  const { createRouter, openaiCompatible } = await loadBuilt();
  const providers = [openaiCompatible({ id: 'eu-cloud', baseURL: 'https://upstream.test/v1', apiKey: 'sk-unused', jurisdiction, models })];
  return createRouter({ providers, policy: 'eu-hosted', apiKey: 'test-no-loss', audit: audit as never });
}

/** The records of a JSONL log, torn lines (not JSON) left out. */
const records = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as AuditRecord];
      } catch {
        return [];
      }
    });

function verifyCli(path: string, ...args: string[]) {
  return spawnSync(process.execPath, [builtCli, 'audit', 'verify', path, ...args], { encoding: 'utf8' });
}

/**
 * A jsonlAudit sink that notes, at its first write, how many callers already had their answer:
 * with backpressure, no more than the queue holds.
 */
async function observedSink(path: string, answered: () => number) {
  const { jsonlAudit } = await loadBuiltNode();
  const sink = jsonlAudit(path);
  const seen = { answeredAtFirstWrite: -1, largestBatch: 0 };
  const observed: AuditSink = {
    ...sink,
    writeBatch(batch) {
      if (seen.answeredAtFirstWrite < 0) seen.answeredAtFirstWrite = answered();
      seen.largestBatch = Math.max(seen.largestBatch, batch.length);
      return sink.writeBatch!(batch);
    },
  };
  return { sink: observed, seen };
}

describe('a burst of requests from a loop that never yields', () => {
  it.each([
    ['the default queue limit', undefined, 10_000],
    ['a queue limit of 100', 100, 100],
  ])('30,000 calls with %s: 30,000 records in the file, one chain, callers held back while the queue is full', async (_, queueLimit, limit) => {
    const path = newFile();
    let answered = 0;
    const { sink, seen } = await observedSink(path, () => answered);
    const router = await builtRouter({ sinks: [sink], ...(queueLimit === undefined ? {} : { queueLimit }) });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const promises: Promise<{ route: { audit_id?: string } }>[] = [];
    for (let index = 0; index < 30_000; index++) {
      promises.push(router.chat.completions.create({ model: 'auto', messages, seed: index }).then((response) => ((answered += 1), response)));
    }
    const ids = (await Promise.all(promises)).map((response) => response.route.audit_id!);
    await router.close();

    // Backpressure engaged: when the sink first wrote, only the callers whose records fit the
    // queue had their answer; the others waited for room. Without it, all 30,000 would have.
    expect(seen.answeredAtFirstWrite).toBeGreaterThan(0);
    expect(seen.answeredAtFirstWrite).toBeLessThanOrEqual(limit);
    expect(seen.largestBatch).toBeLessThanOrEqual(limit);
    expect(errors).not.toHaveBeenCalled();
    const stored = records(path);
    expect(stored).toHaveLength(30_000);
    expect(new Set(stored.map((record) => record.id))).toEqual(new Set(ids));
    const run = verifyCli(path, '--expect-last-hash', stored.at(-1)!.hash);
    expect(run.stdout).toBe(`ok: 30000 records, last hash ${stored.at(-1)!.hash}\n`);
    expect(run.status).toBe(0);
  }, 180_000);

  it("onFull 'drop' with a tiny queue: records are dropped, gap records say where and which, the chain verifies", async () => {
    const path = newFile();
    const { jsonlAudit } = await loadBuiltNode();
    const router = await builtRouter({ sinks: [jsonlAudit(path)], queueLimit: 10, onFull: 'drop' });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const promises: Promise<{ route: { audit_id?: string } }>[] = [];
    for (let index = 0; index < 2_000; index++) promises.push(router.chat.completions.create({ model: 'auto', messages, seed: index }));
    const ids = (await Promise.all(promises)).map((response) => response.route.audit_id!);
    await router.close();

    const stored = records(path);
    const requests = stored.filter((record) => record.outcome !== 'dropped');
    const gaps = stored.filter((record) => record.outcome === 'dropped');
    expect(gaps.length).toBeGreaterThan(0);
    const dropped = gaps.flatMap((gap) => gap.dropped!.ids);
    expect(gaps.reduce((sum, gap) => sum + gap.dropped!.count, 0)).toBe(dropped.length);
    // Every request is in the log: as its own record, or named by the gap record in its place.
    expect([...requests.map((record) => record.id), ...dropped].sort()).toEqual([...ids].sort());
    expect(requests.length).toBeGreaterThanOrEqual(10);
    expect(dropped.length).toBeGreaterThan(1_000);
    // In completion order, each gap stands where its records would have been.
    const order = new Map(ids.map((id, index) => [id, index]));
    const position = (record: AuditRecord) => (record.outcome === 'dropped' ? order.get(record.dropped!.ids[0]!)! : order.get(record.id)!);
    const positions = stored.map(position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));

    // One line on stderr for the burst, not one per dropped record.
    expect(errors.mock.calls.length).toBeLessThanOrEqual(2);
    expect(String(errors.mock.calls[0]![0])).toMatch(/is dropped \(audit.onFull 'drop'\) and a gap record takes its place/);

    const run = verifyCli(path, '--expect-last-hash', stored.at(-1)!.hash);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      `ok: ${stored.length} records, ${dropped.length} records dropped by the writer, declared by ${gaps.length} gap record${gaps.length === 1 ? '' : 's'}, last hash ${stored.at(-1)!.hash}\n`,
    );
    const gapLines = readFileSync(path, 'utf8').split('\n').flatMap((line, index) => (line.includes('"outcome":"dropped"') ? [index + 1] : []));
    expect(run.stderr.trim().split('\n')).toEqual(
      gapLines.map((line, index) => {
        const count = gaps[index]!.dropped!.count;
        return `sovroute: warning: ${path}: line ${line} is a gap record: ${count} record${count === 1 ? '' : 's'} dropped there because the audit queue was full (audit.onFull 'drop')`;
      }),
    );
  }, 120_000);
});

/**
 * A writer in a child process that appends one record with a prompt of `size` characters
 * (`content: 'full'`), and kills itself with SIGKILL once part of that record is in the file:
 * an append of more than 512 KiB goes out in pieces, so it dies inside the append.
 */
function killedWriter(path: string, size: number): Promise<NodeJS.Signals | null> {
  const dist = (file: string) => pathToFileURL(join(builtCli, '..', '..', file)).href;
  const script = `
    import { statSync } from 'node:fs';
    const [path, size] = process.argv.slice(1);
    const { createRouter, openaiCompatible } = await import(${JSON.stringify(dist('index.js'))});
    const { jsonlAudit } = await import(${JSON.stringify(dist('node/index.js'))});
    const sizeOf = () => { try { return statSync(path).size; } catch { return 0; } };
    const before = sizeOf();
    const providers = [openaiCompatible(${JSON.stringify({ id: 'eu-cloud', baseURL: 'https://upstream.test/v1', apiKey: 'sk-unused', jurisdiction, models })})];
    const router = createRouter({ providers, policy: 'eu-hosted', apiKey: 'test-killed', audit: { sinks: [jsonlAudit(path)], content: 'full' } });
    const watch = () => (sizeOf() > before + 1 ? process.kill(process.pid, 'SIGKILL') : setImmediate(watch));
    setImmediate(watch);
    await router.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'x'.repeat(Number(size)) }] });
    await router.close();
    process.stdout.write('not killed');
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, path, String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.on('error', reject);
    child.on('exit', (_, signal) => (output === '' ? resolve(signal) : reject(new Error(output))));
  });
}

describe('a writer killed inside its append', () => {
  it('two torn lines in a row: the next writer resumes the chain, and audit verify accepts the file, naming both', async () => {
    const path = newFile();
    const { jsonlAudit } = await loadBuiltNode();
    const first = await builtRouter([jsonlAudit(path)]);
    for (let seed = 0; seed < 3; seed++) await first.chat.completions.create({ model: 'auto', messages, seed });
    await first.close();
    const whole = records(path);

    // Killed inside its append; then, restarted, killed inside its first append too.
    const size = 3 * 1024 * 1024;
    expect(await killedWriter(path, size)).toBe('SIGKILL');
    const afterFirstKill = statSync(path).size;
    expect(await killedWriter(path, size)).toBe('SIGKILL');
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    // Three records, then two torn lines: each a cut-short piece of a record, the last one unterminated.
    expect(lines).toHaveLength(5);
    expect(text.length).toBeGreaterThan(afterFirstKill);
    for (const torn of lines.slice(3)) {
      expect(torn.startsWith('{"id":"req_')).toBe(true);
      expect(() => JSON.parse(torn)).toThrow();
    }

    const next = await builtRouter([jsonlAudit(path)]);
    for (let seed = 3; seed < 5; seed++) await next.chat.completions.create({ model: 'auto', messages, seed });
    await next.close();
    const stored = records(path);
    expect(stored).toHaveLength(5);
    // The chain resumed from the last whole record, across both torn lines.
    expect(stored[3]!.prev).toBe(whole[2]!.hash);

    const run = verifyCli(path, '--expect-last-hash', stored[4]!.hash);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`ok: 5 records, 2 torn lines skipped, last hash ${stored[4]!.hash}\n`);
    const warning = (line: number) =>
      `sovroute: warning: ${path}: line ${line} is torn: it is not JSON, so a write was cut short there (e.g. by a crash); skipped, and the chain checked across it`;
    expect(run.stderr).toBe(`${warning(4)}\n${warning(5)}\n`);
  }, 120_000);
});
