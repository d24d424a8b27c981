import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible, type AuditSink } from '../src/index.js';
import { jsonlAudit, serve } from '../src/node/index.js';
import { postgresAudit } from '../src/postgres/index.js';

const provider = openaiCompatible({
  id: 'eu-local',
  baseURL: 'http://127.0.0.1:9/v1',
  jurisdiction: { operator: { name: 'Local SAS', country: 'FR', parents: [] }, hosting: ['FR'] },
  models: [{ id: 'm' }],
});

describe('GET /readyz', () => {
  it('answers 200 while serving and 503 once the server is closing', async () => {
    const router = createRouter({ providers: [provider], keys: { 'test-a': { label: 'a' } } });
    const server = await serve(router, { port: 0 });
    const { port } = server.address() as AddressInfo;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);

    // A request under way when the server starts closing (its headers half sent) is still answered.
    const received = new Promise((resolve) => server.once('connection', (serverSide) => serverSide.once('data', resolve)));
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    await received;
    const closed = new Promise((resolve) => server.close(resolve));
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.write('Connection: close\r\n\r\n');
    await once(socket, 'end');
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toContain('{"status":"unavailable"}');
    await closed;
    await router.close();
  });
});

/** Asks /readyz until `done` accepts its answer, for at most `timeoutMs`. */
async function readyzUntil(port: number, done: (status: number, body: Record<string, unknown>) => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    const body = (await response.json()) as Record<string, unknown>;
    if (done(response.status, body) || Date.now() > deadline) return { status: response.status, body };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const chat = (port: number) =>
  fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-a' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello' }] }),
  });

describe('GET /readyz while an audit sink cannot store records', () => {
  it('answers 503 naming the sink and since when, while its file cannot be written, and 200 again once it stores them', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sovroute-readyz-')), 'audit.jsonl');
    const errors: string[] = [];
    const router = createRouter({
      providers: [provider],
      keys: { 'test-a': { label: 'a' } },
      audit: { sinks: [jsonlAudit(path)], retry: { minDelayMs: 20, maxDelayMs: 20 }, drainTimeoutMs: 1_000, onError: (error) => void errors.push(error.message) },
    });
    const server = await serve(router, { port: 0 });
    const { port } = server.address() as AddressInfo;
    try {
      expect(await readyzUntil(port, (status) => status === 200)).toEqual({ status: 200, body: { status: 'ready' } });
      expect((await chat(port)).status).toBe(200);
      await router.flush();

      // The log is rotated away and a directory takes its path: no append can open a file there.
      renameSync(path, `${path}.1`);
      mkdirSync(path);
      const before = Date.now();
      expect((await chat(port)).status).toBe(200);
      const failing = await readyzUntil(port, (status) => status === 503);
      expect(failing).toEqual({
        status: 503,
        body: { status: 'unavailable', audit: { failing: [{ sink: `jsonl:${path}`, since: expect.any(String), waiting: 1 }] } },
      });
      const since = Date.parse((failing.body.audit as { failing: { since: string }[] }).failing[0]!.since);
      expect(since).toBeGreaterThanOrEqual(before - 1);
      expect(since).toBeLessThanOrEqual(Date.now());
      expect(errors.length).toBeGreaterThan(0);

      // The path is a file's again: the record is stored at the next retry and the server is ready.
      rmdirSync(path);
      expect(await readyzUntil(port, (status) => status === 200)).toEqual({ status: 200, body: { status: 'ready' } });
      expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      // Had the file stayed a directory, close() would reject: what failed is asserted above.
      await router.close().catch(() => undefined);
    }
  });

  it('names a PostgreSQL sink that cannot reach its database, and a sink named by a URL, without the passwords', async () => {
    const sink = postgresAudit({ connectionString: 'postgres://writer:hunter2-secret@127.0.0.1:1/audit', table: 'audit.sovroute_audit' });
    const shipper: AuditSink = {
      name: 'https://shipper:tok3n-secret@logs.example/ingest',
      write: () => {
        throw new Error('log pipeline unavailable');
      },
    };
    const router = createRouter({
      providers: [provider],
      keys: { 'test-a': { label: 'a' } },
      audit: { sinks: [sink, shipper], retry: { minDelayMs: 20, maxDelayMs: 20 }, drainTimeoutMs: 50, onError: () => undefined },
    });
    const server = await serve(router, { port: 0 });
    const { port } = server.address() as AddressInfo;
    try {
      expect((await chat(port)).status).toBe(200);
      const failing = await readyzUntil(port, (_, body) => (body as { audit?: { failing: unknown[] } }).audit?.failing.length === 2);
      expect(failing).toEqual({
        status: 503,
        body: {
          status: 'unavailable',
          audit: {
            failing: [
              { sink: 'postgres:audit.sovroute_audit', since: expect.any(String), waiting: 1 },
              { sink: 'https://***@logs.example/ingest', since: expect.any(String), waiting: 1 },
            ],
          },
        },
      });
      expect(JSON.stringify(failing.body)).not.toMatch(/hunter2|tok3n/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await router.close().catch(() => undefined);
      await sink.close();
    }
  });
});

describe('GET /readyz naming a failing sink whose name holds a credential elsewhere than user:password@', () => {
  it('hides a token in its query, a password written unencoded (with / or @ in it) and a bearer token, keeping the rest readable', async () => {
    const failingSink = (name: string): AuditSink => ({
      name,
      write: () => {
        throw new Error('log pipeline unavailable');
      },
    });
    const sinks = [
      failingSink('https://logs.example/ingest?tenant=eu&api_key=k3y-secret&sig=s1g-secret'),
      failingSink('https://shipper:pa55/w@rd-secret@logs.example/ingest'),
      failingSink('webhook Bearer abcdefgh12345678-secret'),
    ];
    const router = createRouter({
      providers: [provider],
      keys: { 'test-a': { label: 'a' } },
      audit: { sinks, retry: { minDelayMs: 20, maxDelayMs: 20 }, drainTimeoutMs: 50, onError: () => undefined },
    });
    const server = await serve(router, { port: 0 });
    const { port } = server.address() as AddressInfo;
    try {
      expect((await chat(port)).status).toBe(200);
      const failing = await readyzUntil(port, (_, body) => (body as { audit?: { failing: unknown[] } }).audit?.failing.length === 3);
      expect(failing.status).toBe(503);
      const names = (failing.body.audit as { failing: { sink: string }[] }).failing.map((entry) => entry.sink);
      expect(JSON.stringify(names)).not.toMatch(/secret|k3y|s1g|pa55|w@rd/);
      expect(names[0]).toMatch(/^https:\/\/logs\.example\/ingest\?tenant=eu&api_key=\*\*\*&sig=\*\*\*$/);
      expect(names[1]).toBe('https://***@logs.example/ingest');
      expect(names[2]).toMatch(/^webhook Bearer /);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await router.close().catch(() => undefined);
    }
  });
});
