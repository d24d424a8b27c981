import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible, verifyAudit, type AuditRecord, type AuditSink } from '../src/index.js';
import { exportPostgresAudit, migratePostgresAudit, postgresAudit, readPostgresAudit, verifyPostgresAudit, type PostgresPool } from '../src/postgres/index.js';
import { builtCli } from './helpers/built-package.js';
import { databaseUrl, postgresSkip, uniqueName } from './helpers/services.js';

/* postgresAudit against the real PostgreSQL: one chain for a fleet, append-only, verifiable. */

const skip = await postgresSkip();
const schema = uniqueName('sovroute_audit_test');
const dist = join(import.meta.dirname, '..', 'dist');
let admin: pg.Pool;

beforeAll(async () => {
  if (skip) return;
  admin = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
});

afterAll(async () => {
  if (skip) return;
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

const provider = openaiCompatible({
  id: 'eu-local',
  baseURL: 'http://127.0.0.1:9/v1',
  jurisdiction: { operator: { name: 'Local SAS', country: 'FR', parents: [] }, hosting: ['FR'] },
  models: [{ id: 'm', price: { input: 1, output: 2, currency: 'EUR' } }],
});

const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hello' }] });

async function runRequests(table: string, count: number, extraSinks: ReturnType<typeof memoryAudit>[] = []) {
  const sink = postgresAudit({ connectionString: databaseUrl, table });
  const router = createRouter({ apiKey: 'test-pg', providers: [provider], audit: [sink, ...extraSinks] });
  for (let index = 0; index < count; index++) {
    await router.chat.completions.create(ask(index % 3 === 2 ? 'nope' : 'm')).catch(() => undefined);
  }
  await router.close();
  await sink.close();
}

/**
 * A TCP proxy to the database that can go silent (every connection kept open, nothing passed on,
 * as behind a network partition) or drop every connection once a statement containing `cutAt`
 * is sent (as a restart does).
 */
async function databaseProxy() {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const state = { silent: false, cutAt: undefined as string | undefined };
  const server = createServer((client) => {
    const upstream = connect(Number(target.port) || 5432, target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => (client.destroy(), upstream.destroy()));
    }
    client.on('data', (data: Buffer) => {
      if (state.cutAt !== undefined && data.includes(state.cutAt)) {
        state.cutAt = undefined;
        for (const socket of sockets) socket.destroy();
        return;
      }
      if (!state.silent) upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => void (state.silent || client.write(data)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url: url.toString(),
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  });
}

describe.skipIf(skip !== undefined)('postgresAudit', () => {
  it('stores every record in one chain that verifies, and exports what verifyAudit accepts', async () => {
    const table = `${schema}.basic`;
    const local = memoryAudit();
    await runRequests(table, 30, [local]);
    const result = await verifyPostgresAudit({ connectionString: databaseUrl, table });
    expect(result).toMatchObject({ ok: true, count: 30, head: { seq: 30 } });

    // The same records as the process's own log, re-chained by the database.
    const stored: AuditRecord[] = [];
    for await (const { record } of readPostgresAudit({ connectionString: databaseUrl, table, batchSize: 7 })) stored.push(record);
    expect(stored.map((record) => record.id)).toEqual(local.records.map((record) => record.id));
    expect(stored.map((record) => record.outcome)).toEqual(local.records.map((record) => record.outcome));
    expect(stored[0]!.prev).toBeNull();
    expect(result.head.hash).toBe(stored.at(-1)!.hash);

    let jsonl = '';
    const exported = await exportPostgresAudit({ connectionString: databaseUrl, table }, { format: 'jsonl' }, (text) => {
      jsonl += text;
    });
    expect(exported).toEqual({ read: 30, exported: 30 });
    const lines = jsonl.trim().split('\n').map((line) => JSON.parse(line) as AuditRecord);
    expect(verifyAudit(lines, { expectedFirstPrev: null, expectedLastHash: result.head.hash! })).toEqual({ ok: true });
  });

  it('continues the chain across routers and restarts', async () => {
    const table = `${schema}.restarts`;
    await runRequests(table, 5);
    await runRequests(table, 5);
    expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 10 });
  });

  /** The records of `count` calls, kept in memory, for a test to write with a sink by hand. */
  async function recordsOf(count: number) {
    const local = memoryAudit();
    const router = createRouter({ apiKey: 'test-pg', providers: [provider], audit: [local] });
    for (let index = 0; index < count; index++) await router.chat.completions.create(ask('m'));
    await router.close();
    return local.records;
  }

  it('appends a batch of large records in statements of bounded size, so a burst of them cannot make one statement too large to build or send on every retry', async () => {
    const table = `${schema}.large`;
    // Three records of 8 MiB each (content: 'full' with long prompts): one statement would carry 24 MiB.
    const records = (await recordsOf(3)).map((record) => ({ ...record, note: 'x'.repeat(8 * 1024 * 1024) }) as AuditRecord);
    const real = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    let largest = 0;
    const pool: PostgresPool = {
      query: (text, values) => {
        const size = (values ?? []).flat().reduce<number>((total, value) => total + (typeof value === 'string' ? value.length : 0), 0);
        largest = Math.max(largest, size);
        return real.query(text, values);
      },
      connect: () => real.connect(),
    };
    const sink = postgresAudit({ pool, table });
    try {
      await sink.writeBatch!(records);
      expect(largest).toBeLessThanOrEqual(16 * 1024 * 1024 + 64 * 1024);
      expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 3 });
    } finally {
      await sink.close();
      await real.end();
    }
  });

  it('reports as lost, when close() stops waiting for an append the chain lock holds, only the records the database did not store', async () => {
    const table = `${schema}.held`;
    const sink = postgresAudit({ connectionString: databaseUrl, table });
    const lockHolder = await admin.connect();
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await lockHolder.query('COMMIT');
    };
    // The lock is let go as the router closes its sinks: the append it held then commits while the sink closes.
    const closing: AuditSink = { name: sink.name!, write: sink.write, writeBatch: sink.writeBatch!, close: async () => (await release(), await sink.close()) };
    const lost: { reason: string; id: string | undefined }[] = [];
    const router = createRouter({
      apiKey: 'test-pg',
      providers: [provider],
      audit: { sinks: [closing], drainTimeoutMs: 300, onError: (error, record) => void lost.push({ reason: error.reason, id: record?.id }) },
    });
    try {
      const stored = (await router.chat.completions.create(ask('m'))).route.audit_id!;
      await router.flush();
      await lockHolder.query('BEGIN');
      await lockHolder.query(`SELECT * FROM "${schema}".held_head FOR UPDATE`);
      const held = (await router.chat.completions.create(ask('m'))).route.audit_id!;
      // Its append is under way, waiting for the chain's lock.
      await vi.waitFor(
        async () => {
          const { rows } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%held_append%'`);
          expect(rows).toHaveLength(1);
        },
        { timeout: 5_000, interval: 20 },
      );
      // Queued behind it, never sent.
      const queued = (await router.chat.completions.create(ask('m'))).route.audit_id!;
      const closed = await router.close().then(() => undefined, (error: Error) => error);
      const ids: string[] = [];
      for await (const { record } of readPostgresAudit({ connectionString: databaseUrl, table })) ids.push(record.id);
      expect(ids).toEqual([stored, held]);
      expect(lost.filter((entry) => entry.reason === 'not_stored')).toEqual([{ reason: 'not_stored', id: queued }]);
      expect(closed?.message).toMatch(/not stored after 300 ms .*postgres:\S+held: 1 not stored/);
    } finally {
      await release();
      lockHolder.release();
      await sink.close();
    }
    expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 2 });
  });

  it('fails an append to a database that stops answering, stores it once it answers again, and lets router.close() finish while it is silent', async () => {
    const table = `${schema}.silent`;
    const proxy = await databaseProxy();
    const url = proxy.url;
    let failed!: () => void;
    const firstFailure = new Promise<void>((resolve) => (failed = resolve));
    const errors: string[] = [];
    const sink = postgresAudit({ connectionString: url.toString(), table, statementTimeoutMs: 500 });
    const audit = { sinks: [sink], drainTimeoutMs: 1_000, retry: { minDelayMs: 10, maxDelayMs: 50 }, onError: (error: Error) => (errors.push(error.message), failed()) };
    try {
      const router = createRouter({ apiKey: 'test-pg', providers: [provider], audit });
      await router.chat.completions.create(ask('nope')).catch(() => undefined);
      await router.flush();
      proxy.silent = true;
      await router.chat.completions.create(ask('nope')).catch(() => undefined);
      // The append waiting on the silent database fails, to be retried, instead of waiting forever.
      await firstFailure;
      proxy.silent = false;
      await router.flush();
      expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 2 });

      proxy.silent = true;
      await router.chat.completions.create(ask('nope')).catch(() => undefined);
      // close() gives up on the record it cannot store, says so, and returns.
      await expect(router.close()).rejects.toThrow(/not stored/);
      await sink.close();
      expect(errors.at(-1)).toMatch(/closed before .* stored record/);
    } finally {
      proxy.close();
    }
    expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 2 });
  }, 60_000);

  it('survives the database dropping its connection while the sink creates the table (a restart as the router starts), and stores the records on the next attempt', async () => {
    const table = `${schema}.dropped_migration`;
    const records = await recordsOf(2);
    for (const cutAt of ['CREATE TABLE IF NOT EXISTS', 'COMMIT']) {
      const proxy = await databaseProxy();
      proxy.cutAt = cutAt;
      const sink = postgresAudit({ connectionString: proxy.url, table });
      try {
        await expect(sink.writeBatch!(records)).rejects.toThrow(/could not append 2 record\(s\)/);
        await sink.writeBatch!(records);
        expect(await sink.head()).toMatchObject({ seq: 2 });
      } finally {
        await sink.close();
        proxy.close();
      }
    }
    expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 2 });
  });

  it('stores a batch retried after a lost commit only once', async () => {
    const table = `${schema}.retried`;
    const records = await recordsOf(4);
    const sink = postgresAudit({ connectionString: databaseUrl, table });
    await sink.writeBatch!(records.slice(0, 3));
    await sink.writeBatch!(records.slice(0, 4));
    expect(await sink.head()).toMatchObject({ seq: 4 });
    await sink.close();
    expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 4 });
  });

  it('verifies the chain as of its head while another instance appends to it, and still reports a head moved back', async () => {
    const table = `${schema}.live`;
    const records = await recordsOf(5);
    const writer = postgresAudit({ connectionString: databaseUrl, table });
    await writer.writeBatch!(records.slice(0, 3));
    // Another instance commits a batch right after the verification has read the head.
    let appended = false;
    const pool: PostgresPool = {
      async query(text, values) {
        const result = await admin.query(text, values);
        if (!appended && text.includes('_head')) {
          appended = true;
          await writer.writeBatch!(records.slice(3));
        }
        return result;
      },
      connect: () => admin.connect(),
    };
    expect(await verifyPostgresAudit({ pool, table })).toMatchObject({ ok: true, count: 3, head: { seq: 3 } });
    expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 5, head: { seq: 5 } });
    await writer.close();

    const { rows } = await admin.query<{ hash: string }>(`SELECT hash FROM "${schema}".live WHERE seq = 4`);
    await admin.query(`UPDATE "${schema}".live_head SET seq = 4, hash = $1`, [rows[0]!.hash]);
    const moved = await verifyPostgresAudit({ connectionString: databaseUrl, table });
    expect(moved).toMatchObject({ ok: false, seq: 5 });
    expect(moved.ok === false && moved.reason).toMatch(/head was edited/);
  });

  it('continues the chain of a table restored without its head, instead of failing every append on seq 1', async () => {
    const table = `${schema}.restored`;
    await runRequests(table, 3);
    // As after restoring only the records' table (pg_dump -t) into a new database.
    await admin.query(`DROP TABLE "${schema}".restored_head`);
    await runRequests(table, 2);
    expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 5, head: { seq: 5 } });
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even with session_replication_role = replica', async () => {
    const table = `${schema}.guarded`;
    await runRequests(table, 3);
    const client = await admin.connect();
    try {
      for (const statement of [
        `UPDATE "${schema}".guarded SET record = record WHERE seq = 1`,
        `DELETE FROM "${schema}".guarded WHERE seq = 3`,
        `TRUNCATE "${schema}".guarded`,
      ]) {
        await expect(client.query(statement)).rejects.toThrow(/append-only/);
        await client.query('SET session_replication_role = replica');
        await expect(client.query(statement)).rejects.toThrow(/append-only/);
        await client.query('SET session_replication_role = DEFAULT');
      }
    } finally {
      client.release();
    }
    expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 3 });
  });

  it('appends as a writer role holding only the documented grants, and that role cannot change a row', async () => {
    const table = `${schema}.granted`;
    const role = uniqueName('sovroute_writer');
    await runRequests(table, 1);
    await admin.query(`CREATE ROLE "${role}" LOGIN`);
    try {
      for (const grant of [
        `GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`,
        `GRANT SELECT, INSERT ON "${schema}".granted TO "${role}"`,
        `GRANT SELECT, UPDATE ON "${schema}".granted_head TO "${role}"`,
        `GRANT EXECUTE ON FUNCTION "${schema}".granted_append(text[], timestamptz[], text[], text[]) TO "${role}"`,
      ]) {
        await admin.query(grant);
      }
      const writerUrl = new URL(databaseUrl);
      writerUrl.username = role;
      writerUrl.password = '';
      const sink = postgresAudit({ connectionString: writerUrl.toString(), table, migrate: false });
      const router = createRouter({ apiKey: 'test-pg', providers: [provider], audit: { sinks: [sink], onError: (error) => void console.error(error.message) } });
      await router.chat.completions.create(ask('m'));
      await router.close();
      await sink.close();
      expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 2 });
      const writer = new pg.Client({ connectionString: writerUrl.toString() });
      await writer.connect();
      await expect(writer.query(`UPDATE "${schema}".granted SET record = record`)).rejects.toThrow(/permission denied|append-only/);
      await writer.end();
    } finally {
      await admin.query(`DROP OWNED BY "${role}"`);
      await admin.query(`DROP ROLE "${role}"`);
    }
  });

  it('reports a row edited into text that is not JSON as a broken link at its seq, instead of failing the verification', async () => {
    const table = `${schema}.garbled`;
    await runRequests(table, 5);
    await admin.query(`ALTER TABLE "${schema}".garbled DISABLE TRIGGER ALL`);
    await admin.query(`UPDATE "${schema}".garbled SET record = left(record, 20) WHERE seq = 3`);
    await admin.query(`ALTER TABLE "${schema}".garbled ENABLE ALWAYS TRIGGER sovroute_append_only`);
    const garbled = await verifyPostgresAudit({ connectionString: databaseUrl, table });
    expect(garbled).toMatchObject({ ok: false, seq: 3 });
    expect(garbled.ok === false && garbled.reason).toMatch(/not a JSON record/);

    const cli = await promisify(execFile)(process.execPath, [builtCli, 'audit', 'verify', '--postgres', databaseUrl, '--table', table]).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect((cli as { code?: number }).code).toBe(1);
    expect(cli.stdout).toMatch(/broken at seq 3/);

    // The report is written all the same, saying where the chain breaks, and exits 1 as verify does.
    const html = join(mkdtempSync(join(tmpdir(), 'sovroute-report-')), 'report.html');
    const report = await promisify(execFile)(process.execPath, [builtCli, 'audit', 'report', '--postgres', databaseUrl, '--table', table, '--html', html]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((report as { code?: number }).code).toBe(1);
    expect(report.stderr).toMatch(/wrote .*report\.html \(4 of 4 records; chain broken at record/);
    expect(readFileSync(html, 'utf8')).toContain('seq 3');
  });

  it('reports the row a superuser edited behind the triggers, and a removed tail', async () => {
    const table = `${schema}.tampered`;
    await runRequests(table, 8);
    const bypass = async (statement: string) => {
      await admin.query(`ALTER TABLE "${schema}".tampered DISABLE TRIGGER ALL`);
      await admin.query(statement);
      await admin.query(`ALTER TABLE "${schema}".tampered ENABLE ALWAYS TRIGGER sovroute_append_only`);
    };
    await bypass(`UPDATE "${schema}".tampered SET record = replace(record, '"outcome":"success"', '"outcome":"denied"') WHERE seq = 4`);
    const edited = await verifyPostgresAudit({ connectionString: databaseUrl, table });
    expect(edited).toMatchObject({ ok: false, seq: 4, index: 3 });
    expect(edited.ok === false && edited.reason).toMatch(/edited/);

    const cli = await promisify(execFile)(process.execPath, [builtCli, 'audit', 'verify', '--postgres', databaseUrl, '--table', table]).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect((cli as { code?: number }).code).toBe(1);
    expect(cli.stdout).toMatch(/broken at seq 4/);

    const tail = `${schema}.tail`;
    await runRequests(tail, 5);
    await admin.query(`ALTER TABLE "${schema}".tail DISABLE TRIGGER ALL`);
    await admin.query(`DELETE FROM "${schema}".tail WHERE seq = 5`);
    const cut = await verifyPostgresAudit({ connectionString: databaseUrl, table: tail });
    expect(cut).toMatchObject({ ok: false, seq: 5 });
    expect(cut.ok === false && cut.reason).toMatch(/removed from the end/);
  });

  it('writes a report on a chain with a removed tail that says the chain is broken, as verify does', async () => {
    const table = `${schema}.report_tail`;
    await runRequests(table, 5);
    await admin.query(`ALTER TABLE "${schema}".report_tail DISABLE TRIGGER ALL`);
    await admin.query(`DELETE FROM "${schema}".report_tail WHERE seq >= 4`);
    const html = join(mkdtempSync(join(tmpdir(), 'sovroute-report-')), 'report.html');
    const report = await promisify(execFile)(process.execPath, [builtCli, 'audit', 'report', '--postgres', databaseUrl, '--table', table, '--html', html]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((report as { code?: number }).code).toBe(1);
    expect(report.stderr).toMatch(/wrote .*report\.html \(3 of 3 records; chain broken at record 3\)/);
    expect(readFileSync(html, 'utf8')).toMatch(/removed from the end/);
  });

  it('refuses an empty --table (an unset variable) instead of migrating, verifying or exporting the default table', async () => {
    // Unqualified names land in this test's schema.
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    for (const command of [['migrate'], ['verify'], ['export', '--format', 'jsonl']]) {
      const run = await promisify(execFile)(process.execPath, [builtCli, 'audit', ...command, '--postgres', url.toString(), '--table', '']).catch(
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect((run as { code?: number }).code, `${command[0]}: ${run.stdout}`).toBe(2);
      expect(run.stderr).toMatch(/table "" must be a plain identifier/);
    }
    const { rows } = await admin.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'sovroute_audit'`, [schema]);
    expect(rows).toEqual([]);
  });

  it('leaves an earlier export at --out as it was when the export cannot read the chain at all', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sovroute-export-')), 'november.csv');
    writeFileSync(out, 'the export made last month\n');
    const unreachable = new URL(databaseUrl);
    unreachable.host = '127.0.0.1:1';
    for (const [url, table] of [
      [databaseUrl, `${schema}.never_created`],
      [unreachable.toString(), `${schema}.basic`],
    ] as const) {
      const run = await promisify(execFile)(process.execPath, [builtCli, 'audit', 'export', '--postgres', url, '--table', table, '--format', 'csv', '--out', out]).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect((run as { code?: number }).code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/does not exist|ECONNREFUSED/);
      expect(readFileSync(out, 'utf8')).toBe('the export made last month\n');
    }
    // An empty chain still makes its (empty) export.
    const empty = `${schema}.empty_export`;
    await promisify(execFile)(process.execPath, [builtCli, 'audit', 'migrate', '--postgres', databaseUrl, '--table', empty]);
    const jsonl = join(mkdtempSync(join(tmpdir(), 'sovroute-export-')), 'empty.jsonl');
    await promisify(execFile)(process.execPath, [builtCli, 'audit', 'export', '--postgres', databaseUrl, '--table', empty, '--format', 'jsonl', '--out', jsonl]);
    expect(readFileSync(jsonl, 'utf8')).toBe('');
  });

  it('reports a deleted head row as a broken chain, instead of verifying zero records as intact', async () => {
    const table = `${schema}.headless`;
    await runRequests(table, 4);
    await admin.query(`DELETE FROM "${schema}".headless_head`);
    const result = await verifyPostgresAudit({ connectionString: databaseUrl, table });
    expect(result).toMatchObject({ ok: false, seq: 1 });
    expect(result.ok === false && result.reason).toMatch(/head row is missing.*up to seq 4/);
    const cli = await promisify(execFile)(process.execPath, [builtCli, 'audit', 'verify', '--postgres', databaseUrl, '--table', table]).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect((cli as { code?: number }).code).toBe(1);
    expect(cli.stdout).toMatch(/head row is missing/);
    const html = join(mkdtempSync(join(tmpdir(), 'sovroute-report-')), 'report.html');
    const report = await promisify(execFile)(process.execPath, [builtCli, 'audit', 'report', '--postgres', databaseUrl, '--table', table, '--html', html]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((report as { code?: number }).code).toBe(1);
    expect(report.stderr).toMatch(/chain broken at record 0/);
  });

  it('says there is no audit chain under that name, and how to create one, when the table does not exist', async () => {
    const table = `${schema}.never_made`;
    const message = new RegExp(`no audit chain "${table}" in this database \\(relation ".*" does not exist\\): check the table name, or create it with sovroute audit migrate`);
    await expect(verifyPostgresAudit({ connectionString: databaseUrl, table })).rejects.toThrow(message);
    await expect(exportPostgresAudit({ connectionString: databaseUrl, table }, { format: 'csv' }, () => undefined)).rejects.toThrow(message);
    const cli = await promisify(execFile)(process.execPath, [builtCli, 'audit', 'verify', '--postgres', databaseUrl, '--table', table]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((cli as { code?: number }).code).toBe(2);
    expect(cli.stderr).toMatch(message);
  });

  it('creates the schema named in table when it is missing, as the documented audit.sovroute_audit needs on a fresh database', async () => {
    const fresh = `${schema}_fresh`;
    const table = `${fresh}.sovroute_audit`;
    try {
      await runRequests(table, 2);
      expect(await verifyPostgresAudit({ connectionString: databaseUrl, table })).toMatchObject({ ok: true, count: 2 });
      // Run again over the existing schema, as every instance's first append does.
      await migratePostgresAudit({ connectionString: databaseUrl, table });
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
    }
  });

  it('names the one row or the rows missing from the middle of the chain', async () => {
    const table = `${schema}.holes`;
    await runRequests(table, 8);
    await admin.query(`ALTER TABLE "${schema}".holes DISABLE TRIGGER ALL`);
    await admin.query(`DELETE FROM "${schema}".holes WHERE seq = 3`);
    const one = await verifyPostgresAudit({ connectionString: databaseUrl, table });
    expect(one.ok === false && one.reason).toBe('row 3 is missing: seq jumps from 2 to 4');
    await admin.query(`DELETE FROM "${schema}".holes WHERE seq IN (4, 5)`);
    const three = await verifyPostgresAudit({ connectionString: databaseUrl, table });
    expect(three.ok === false && three.reason).toBe('rows 3–5 are missing: seq jumps from 2 to 6');
  });

  it('keeps one chain for four processes writing at once, one of them killed with SIGKILL and restarted', async () => {
    const table = `${schema}.fleet`;
    const acked = new Set<string>();
    const start = (worker: number, count: number, killAfter?: number) =>
      new Promise<'done' | 'killed'>((resolve, reject) => {
        const child: ChildProcess = fork(join(import.meta.dirname, 'fixtures', 'postgres-audit-worker.mjs'), [dist, databaseUrl, table, String(count), String(worker)], {
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        });
        let stderr = '';
        child.stderr!.on('data', (part: Buffer) => (stderr += part.toString()));
        let batches = 0;
        child.on('message', (message: { acked?: (string | undefined)[]; done?: true }) => {
          if (message.acked) {
            for (const id of message.acked) if (id) acked.add(id);
            batches++;
            if (killAfter !== undefined && batches === killAfter) child.kill('SIGKILL');
          }
        });
        child.on('exit', (code, signal) => {
          if (signal === 'SIGKILL') resolve('killed');
          else if (code === 0) resolve('done');
          else reject(new Error(`worker ${worker} exited with ${code}: ${stderr}`));
        });
      });
    const outcomes = await Promise.all([start(0, 1000, 12), start(1, 1000), start(2, 1000), start(3, 1000)]);
    expect(outcomes).toEqual(['killed', 'done', 'done', 'done']);
    expect(await start(0, 1000)).toBe('done');

    const result = await verifyPostgresAudit({ connectionString: databaseUrl, table });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, [builtCli, 'audit', 'verify', '--postgres', databaseUrl, '--table', table]);
    expect(stdout).toMatch(new RegExp(`^ok: ${result.count} records in ${table}, head seq ${result.count}, hash [0-9a-f]{64}\n$`));
    const { rows } = await admin.query<{ id: string }>(`SELECT id FROM "${schema}".fleet`);
    const stored = new Set(rows.map((row) => row.id));
    expect(stored.size).toBe(result.count);
    expect([...acked].filter((id) => !stored.has(id))).toEqual([]);
    // Four full runs (3 + the restart) and the killed run's acknowledged part, at least.
    expect(result.count).toBeGreaterThanOrEqual(4000 + 12 * 25);
    const outcomesStored = await admin.query<{ outcome: string; count: string }>(
      `SELECT record::jsonb->>'outcome' AS outcome, count(*) FROM "${schema}".fleet GROUP BY 1 ORDER BY 1`,
    );
    expect(outcomesStored.rows.map((row) => row.outcome)).toEqual(['denied', 'error', 'invalid', 'success']);
  }, 180_000);
});
