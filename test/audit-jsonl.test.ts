import { appendFileSync, existsSync, mkdirSync, symlinkSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { spawn, spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, verifyAudit, type AuditError, type AuditRecord, type AuditSink } from '../src/index.js';
import { exportAuditFile, jsonlAudit, readAuditFile, verifyAuditFile, type JsonlAuditOptions } from '../src/node/index.js';
import { processStart } from '../src/node/writer-lock.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

mockServer();
const directory = mkdtempSync(join(tmpdir(), 'sovroute-jsonl-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const messages = [{ role: 'user' as const, content: 'Draft the quarterly summary.' }];
let files = 0;
const newFile = () => join(directory, `nested-${++files}`, 'audit.jsonl');

function router(sink: AuditSink) {
  return createRouter({ providers: testProviders(), policy: 'eu-hosted', apiKey: 'test-jsonl', audit: [sink] });
}

async function requests(routed: ReturnType<typeof router>, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let seed = 0; seed < count; seed++) {
    const model = seed % 3 === 2 ? 'us-ai/gpt-4o' : 'auto';
    ids.push(await routed.chat.completions.create({ model, messages, seed }).then((response) => response.route.audit_id!, (error: { auditId: string }) => error.auditId));
  }
  return ids;
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('jsonlAudit', () => {
  it('appends the records of requests that end together with one write, and they verify', async () => {
    const path = newFile();
    const sink = jsonlAudit(path, { fsync: 'never' });
    const writeBatch = sink.writeBatch!.bind(sink);
    const batches: number[] = [];
    sink.writeBatch = (records) => {
      batches.push(records.length);
      return writeBatch(records);
    };
    const routed = router(sink);
    // Ten concurrent requests, answered by the pseudo-LLM in the same turn of the event loop.
    await Promise.all(Array.from({ length: 10 }, (_, seed) => routed.chat.completions.create({ model: 'auto', messages, seed })));
    await routed.close();
    expect(batches).toEqual([10]);
    expect(lines(path)).toHaveLength(10);
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true });
  });

  it('one router then a second on the same file make one chain that verifies', async () => {
    const path = newFile();
    const first = router(jsonlAudit(path));
    const before = await requests(first, 3);
    await first.close();
    const second = router(jsonlAudit(path));
    const after = await requests(second, 4);
    await second.close();

    const records = await readAuditFile(path);
    expect(records.map((record) => record.id)).toEqual([...before, ...after]);
    expect(records[3]!.prev).toBe(records[2]!.hash);
    expect(verifyAudit(records, { expectedLastHash: records.at(-1)!.hash })).toEqual({ ok: true });
    expect(await verifyAuditFile(path, { expectedFirstPrev: null })).toEqual({ ok: true, count: 7, firstPrev: null, lastHash: records.at(-1)!.hash, torn: [] });
  });

  it('writes one JSON object per line, appended, never rewriting what is there', async () => {
    const path = newFile();
    const routed = router(jsonlAudit(path));
    await requests(routed, 2);
    await routed.flush();
    const written = readFileSync(path, 'utf8');
    await requests(routed, 1);
    await routed.close();
    const now = readFileSync(path, 'utf8');
    expect(now.startsWith(written)).toBe(true);
    expect(lines(path).map((line) => (JSON.parse(line) as AuditRecord).outcome)).toEqual(['success', 'success', 'success']);
  });

  it('continues from the last record of a large log, reading only its end', async () => {
    const path = newFile();
    const seed = router(jsonlAudit(path));
    await requests(seed, 1);
    await seed.close();
    const last = readFileSync(path, 'utf8');
    // 3 GiB of hole, then the record: reading the whole file would fail (over 2 GiB).
    truncateSync(path, 0);
    truncateSync(path, 3 * 1024 ** 3);
    appendFileSync(path, `\n${last}`);

    const routed = router(jsonlAudit(path));
    await requests(routed, 1);
    await routed.close();
    const handle = await open(path, 'r');
    const tail = Buffer.alloc(last.length * 3);
    const { size } = await handle.stat();
    await handle.read(tail, 0, tail.length, size - tail.length);
    await handle.close();
    const [previous, next] = tail.toString('utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as AuditRecord);
    expect(next!.prev).toBe(previous!.hash);
  });

  it('starts on a new line after a torn last line, continues from the last whole record, and verify reports the tear', async () => {
    const path = newFile();
    const first = router(jsonlAudit(path));
    await requests(first, 2);
    await first.close();
    const whole = lines(path).map((line) => JSON.parse(line) as AuditRecord);
    appendFileSync(path, '{"id":"req_torn","ts":"2025-');

    const second = router(jsonlAudit(path));
    await requests(second, 1);
    await second.close();
    const after = readFileSync(path, 'utf8').split('\n');
    expect(after[2]).toBe('{"id":"req_torn","ts":"2025-');
    expect((JSON.parse(after[3]!) as AuditRecord).prev).toBe(whole[1]!.hash);
    const records = [...whole, JSON.parse(after[3]!) as AuditRecord];
    // The torn line is reported and skipped; the chain links across it and verifies.
    expect(await verifyAuditFile(path, { expectedFirstPrev: null, expectedLastHash: records[2]!.hash })).toEqual({
      ok: true,
      count: 3,
      firstPrev: null,
      lastHash: records[2]!.hash,
      torn: [3],
    });
    let exported = '';
    expect(await exportAuditFile(path, { format: 'jsonl' }, (text) => void (exported += text))).toEqual({ count: 3, torn: [3] });
    expect(exported).toBe(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    await expect(readAuditFile(path)).rejects.toThrow(/line 3 is torn: it is not JSON, so a write was cut short there/);
  });

  it('appends on a new line after a torn tail even when no whole record came before it', async () => {
    const path = newFile();
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, '{"id":"req_torn","ts');
    const routed = router(jsonlAudit(path));
    await requests(routed, 1);
    await routed.close();
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')[0]).toBe('{"id":"req_torn","ts');
    expect(await verifyAuditFile(path, { expectedFirstPrev: null })).toMatchObject({ ok: true, count: 1, torn: [1] });
  });

  it('a record missing only its final newline still counts as the last record', async () => {
    const path = newFile();
    const first = router(jsonlAudit(path));
    await requests(first, 2);
    await first.close();
    writeFileSync(path, readFileSync(path, 'utf8').trimEnd());
    const second = router(jsonlAudit(path));
    await requests(second, 1);
    await second.close();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, count: 3 });
  });

  it('retries a failed append without writing any record twice', async () => {
    const path = newFile();
    const sink = jsonlAudit(path);
    const reported: string[] = [];
    const routed = createRouter({
      providers: testProviders(),
      apiKey: 'test-jsonl',
      audit: { sinks: [sink], onError: (error) => reported.push(error.reason), retry: { minDelayMs: 1, maxDelayMs: 1 } },
    });
    await requests(routed, 1);
    await routed.flush();
    // The next append fails part-way, as a full disk makes it: half of it reaches the file.
    const handle = await open(path, 'r');
    const prototype = Object.getPrototypeOf(handle) as { appendFile(data: string): Promise<void> };
    await handle.close();
    const real = prototype.appendFile;
    let failures = 0;
    vi.spyOn(prototype, 'appendFile').mockImplementation(async function (this: unknown, data: string) {
      if (failures++ > 0) return real.call(this, data);
      appendFileSync(path, data.slice(0, Math.floor(data.length * 0.6)));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    // Three requests ending together: one batch, of which the first record reaches the file whole.
    const ids = await Promise.all([0, 1, 2].map((seed) => routed.chat.completions.create({ model: 'auto', messages, seed }).then((response) => response.route.audit_id!)));
    await routed.close();

    expect(reported).toContain('write_failed');
    expect(failures).toBe(2);
    const stored = readFileSync(path, 'utf8').split('\n').filter((line) => line.startsWith('{') && line.endsWith('}'));
    const storedIds = stored.map((line) => (JSON.parse(line) as AuditRecord).id);
    for (const id of ids) expect(storedIds.filter((entry) => entry === id)).toHaveLength(1);
  });

  it.each<[NonNullable<JsonlAuditOptions['fsync']>, (syncs: number, appends: number) => void]>([
    ['always', (syncs, appends) => expect(syncs).toBeGreaterThanOrEqual(appends)],
    ['batch', (syncs) => expect(syncs).toBeGreaterThanOrEqual(1)],
    ['never', (syncs) => expect(syncs).toBe(0)],
  ])('fsync %s: syncs as documented, and flush() leaves the log complete', async (fsync, expectSyncs) => {
    const path = newFile();
    const probe = await open(join(directory, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { sync(): Promise<void>; appendFile(data: string): Promise<void> };
    await probe.close();
    const syncs = vi.spyOn(prototype, 'sync');
    const appends = vi.spyOn(prototype, 'appendFile');
    const routed = router(jsonlAudit(path, { fsync, fsyncIntervalMs: 60_000 }));
    await requests(routed, 3);
    await routed.flush();
    expectSyncs(syncs.mock.calls.length, appends.mock.calls.length);
    expect(lines(path)).toHaveLength(3);
    await routed.close();
  });

  it('follows a log rotated by renaming (logrotate without copytruncate) or deleted: later records go to a new file at the path, not to the old one', async () => {
    const path = newFile();
    const routed = router(jsonlAudit(path));
    await requests(routed, 2);
    await routed.flush();
    renameSync(path, `${path}.1`);
    await requests(routed, 2);
    await routed.flush();
    const rotated = await readAuditFile(`${path}.1`);
    expect(rotated).toHaveLength(2);
    expect(await verifyAuditFile(`${path}.1`, { expectedFirstPrev: null })).toMatchObject({ ok: true });
    // The file at the path continues the chain of the rotated one.
    expect(await verifyAuditFile(path, { expectedFirstPrev: rotated.at(-1)!.hash })).toMatchObject({ ok: true, count: 2 });
    const second = await readAuditFile(path);
    // Deleted (logrotate's compress step deletes the rotated file; so does an operator's rm).
    rmSync(path);
    await requests(routed, 1);
    await routed.close();
    expect(await verifyAuditFile(path, { expectedFirstPrev: second.at(-1)!.hash })).toMatchObject({ ok: true, count: 1 });
  });

  it('refuses a missing path or an unknown fsync policy when created, naming the option and what it allows', () => {
    expect(() => jsonlAudit('')).toThrow("jsonlAudit: path must be the path of the log file, e.g. '/var/log/sovroute/audit.jsonl'; got ''");
    expect(() => jsonlAudit(undefined as never)).toThrow(/jsonlAudit: path must be the path of the log file.*got undefined/);
    expect(() => jsonlAudit(newFile(), { fsync: 'sometimes' as never })).toThrow(`jsonlAudit: fsync must be 'always', 'batch' or 'never'; got 'sometimes'`);
    for (const fsyncIntervalMs of [0, -1, Number.NaN, 2 ** 31]) {
      expect(() => jsonlAudit(newFile(), { fsyncIntervalMs })).toThrow(/jsonlAudit: fsyncIntervalMs must be a number of milliseconds from 1 to 2147483647/);
    }
    expect(() => jsonlAudit('')).toThrow(expect.objectContaining({ name: 'InvalidRequestError', code: 'invalid_request', param: 'path' }));
  });

  it('creates missing directories', async () => {
    const path = join(directory, 'a', 'b', 'c', 'audit.jsonl');
    const routed = router(jsonlAudit(path));
    await requests(routed, 1);
    await routed.close();
    expect(existsSync(path)).toBe(true);
  });

  it('says which part of a path is a file when the log cannot be created under it', async () => {
    const file = join(directory, 'plain-file');
    writeFileSync(file, 'not a directory');
    const sink = jsonlAudit(join(file, 'logs', 'audit.jsonl'));
    await expect(sink.lastHash!()).rejects.toThrow(`cannot create ${join(file, 'logs', 'audit.jsonl')}: ${file} is a file, not a directory`);
    await sink.close!();
  });
});

describe('one writer per audit file', () => {
  // A short drain only where the record can never be stored (the close then waits that long); a
  // record that is stored ends the wait at once, so a loaded machine gets all the time it needs.
  const lockedRouter = (path: string, errors: AuditError[], drainTimeoutMs = 10_000) =>
    createRouter({
      providers: testProviders(),
      policy: 'eu-hosted',
      apiKey: 'test-jsonl',
      audit: { sinks: [jsonlAudit(path)], onError: (error) => errors.push(error), retry: { minDelayMs: 1, maxDelayMs: 5 }, drainTimeoutMs },
    });

  it('refuses a second sink on the same file reached through a symbolic link or a linked directory', async () => {
    const real = join(directory, 'linked-real');
    mkdirSync(real);
    symlinkSync(real, join(directory, 'linked-dir'));
    const first = jsonlAudit(join(real, 'audit.jsonl'));
    await first.lastHash!();
    symlinkSync(join(real, 'audit.jsonl'), join(real, 'current.jsonl'));
    for (const other of [join(directory, 'linked-dir', 'audit.jsonl'), join(real, 'current.jsonl')]) {
      const second = jsonlAudit(other);
      await expect(second.lastHash!()).rejects.toThrow(/another jsonlAudit in this process writes|is being written by/);
      await second.close!();
    }
    await first.close!();
  });

  it('refuses a second sink on a file another one in this process writes, until the first closes', async () => {
    const path = newFile();
    const firstErrors: AuditError[] = [];
    const secondErrors: AuditError[] = [];
    const first = lockedRouter(path, firstErrors);
    await requests(first, 2);
    await first.flush();
    expect(existsSync(`${path}.lock`)).toBe(true);
    // Made once the first holds the file: made together, either sink may claim it first (each
    // claims it when it starts, to read where the chain ends, and file system calls finish in
    // any order). Its first flush waits out the drain before it rejects; its last needs time to
    // store on a loaded machine.
    const second = lockedRouter(path, secondErrors, 1_000);
    await requests(second, 1);
    await expect(second.flush()).rejects.toThrow();
    expect(secondErrors.at(-1)!.message).toMatch(/another jsonlAudit in this process writes .*close its router first/);
    expect(lines(path)).toHaveLength(2); // nothing of the second router's got in

    await first.close(); // frees the file: the second sink, retrying, may claim it at once
    await second.flush(); // its record goes in once the file is free
    await second.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(firstErrors).toEqual([]);
    expect(lines(path)).toHaveLength(3);
    // It could not learn where the file's chain ended, said so, and the log shows the break there.
    expect(secondErrors[0]).toMatchObject({ reason: 'resume_failed', message: expect.stringMatching(/may show a break here/) });
    expect(await verifyAuditFile(path, { expectedFirstPrev: null })).toMatchObject({ ok: false, index: 2 });
  });

  it('refuses a file that a running process on this host claims, naming it', async () => {
    const path = newFile();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.lock`, `${hostname()} ${process.ppid}\n`);
    const errors: AuditError[] = [];
    const routed = lockedRouter(path, errors, 200);
    await requests(routed, 1);
    await expect(routed.flush()).rejects.toThrow();
    expect(errors.at(-1)!.message).toMatch(new RegExp(`being written by process ${process.ppid} on this host .*give each process its own audit file`));
    expect(existsSync(path)).toBe(false);
    await expect(routed.close()).rejects.toThrow(/not stored/);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${hostname()} ${process.ppid}\n`); // not taken
  });

  it.each<[string, () => string]>([
    ['a process that is gone', () => `${hostname()} ${spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout}`],
    // A replaced container: a new hostname on the same volume, its predecessor's lock unverifiable.
    ['another host', () => `replaced-container-7f3a ${process.ppid}`],
    // A container restarted as the same pid: same pid, an earlier start.
    ...(process.platform === 'linux' ? [['an earlier process with this pid', () => `${hostname()} ${process.pid} ${Number(processStart(process.pid)!) - 360_000}`] as [string, () => string]] : []),
  ])('takes over a lock left by %s', async (_name, holder) => {
    const path = newFile();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.lock`, `${holder()}\n`);
    const errors: AuditError[] = [];
    const routed = lockedRouter(path, errors);
    await requests(routed, 1);
    await routed.close();
    expect(errors).toEqual([]);
    expect(lines(path)).toHaveLength(1);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it.runIf(process.platform === 'linux')('refuses a lock of this very process held by another copy of the library or thread', async () => {
    const started = processStart(process.pid)!;
    const path = newFile();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.lock`, `${hostname()} ${process.pid} ${started}\n`);
    const errors: AuditError[] = [];
    const refused = lockedRouter(path, errors, 200);
    await requests(refused, 1);
    await expect(refused.flush()).rejects.toThrow();
    expect(errors.at(-1)!.message).toMatch(/another thread or copy of sovroute in this process/);
    await expect(refused.close()).rejects.toThrow(/not stored/);

  });

  it('lets exactly one of several processes take over a stale lock at once', async () => {
    const lockModule = pathToFileURL(join(import.meta.dirname, '../src/node/writer-lock.ts')).href;
    // Each writer loads the lock code, says it is ready, and tries the lock only when told to, so
    // all of them try at once however slowly each one started; it holds what it got until its
    // standard input ends, so a late writer cannot rightly take over from one that already exited.
    const script = `const { acquireWriterLock } = await import(${JSON.stringify(lockModule)});
      const { createInterface } = await import('node:readline');
      const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
      process.stdout.write('ready\\n');
      await lines.next();
      const outcome = await acquireWriterLock(process.argv[1]).then(() => 'claimed', () => 'refused');
      process.stdout.write(outcome + '\\n');
      await lines.next();`;
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    // A lock naming a process that is gone, and an old empty one (a writer that died creating it).
    for (const stale of [`${hostname()} ${gone}\n`, '', `${hostname()} ${gone}\n`, '']) {
      const path = newFile();
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.lock`, stale);
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(`${path}.lock`, hourAgo, hourAgo);
      const writers = Array.from({ length: 4 }, () => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        const said = (word: RegExp) =>
          new Promise<string>((resolve) => {
            const check = () => {
              const match = word.exec(out);
              if (match) resolve(match[0]);
            };
            child.stdout.on('data', (chunk: Buffer) => {
              out += chunk.toString();
              check();
            });
            check();
          });
        return { child, ready: said(/ready/), outcome: said(/claimed|refused/), closed: new Promise((resolve) => child.on('close', resolve)) };
      });
      await Promise.all(writers.map((writer) => writer.ready));
      for (const writer of writers) writer.child.stdin.write('go\n');
      const outcomes = await Promise.all(writers.map((writer) => writer.outcome));
      for (const writer of writers) writer.child.stdin.end('done\n');
      await Promise.all(writers.map((writer) => writer.closed));
      expect(outcomes.filter((outcome) => outcome === 'claimed'), `${JSON.stringify(stale)}: ${outcomes.join(', ')}`).toHaveLength(1);
      // No takeover turn or aside file is left behind.
      expect(readdirSync(dirname(path)).filter((name) => name.includes('.lock.'))).toEqual([]);
    }
  }, 60_000);
});

