import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible, RouterError, type AuditRecord, type AuditSink } from '../src/index.js';

/*
 * router.close() on shutdown: the requests already under way end and leave their records before
 * the audit trail closes, and a request that arrives after is refused, never sent unrecorded.
 */

let server: Server;
let baseURL: string;
let hits = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      hits += 1;
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
        );
      }, 200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const jurisdiction = { operator: { name: 'Example Cloud SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
const messages = [{ role: 'user' as const, content: 'hello' }];

/** A sink of the application's own: it notes each record and whether it came before its close. */
function appSink() {
  const records: AuditRecord[] = [];
  let closed = false;
  const lateWrites: string[] = [];
  const sink: AuditSink = {
    write(record) {
      if (closed) lateWrites.push(record.id);
      records.push(record);
    },
    async close() {
      closed = true;
    },
  };
  return { records, lateWrites, sink };
}

function routerWith(audit: AuditSink) {
  return createRouter({
    providers: [openaiCompatible({ id: 'eu', baseURL, apiKey: 'sk-close', jurisdiction, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
    audit: { sinks: [audit] },
  });
}

describe('router.close()', () => {
  it('lets a request under way end and stores its record before it closes the trail', async () => {
    const audit = appSink();
    const router = routerWith(audit.sink);
    const answer = router.chat.completions.create({ model: 'm', messages });
    // The request is at the upstream (which answers after 200 ms) when the router closes.
    while (hits === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await router.close();
    expect(audit.records).toHaveLength(1);
    expect(audit.lateWrites).toEqual([]);
    expect(audit.records[0]).toMatchObject({ outcome: 'success', provider: 'eu' });
    expect((await answer).route.audit_id).toBe(audit.records[0]!.id);
  });

  it('refuses a request that arrives after, with a 503 that says why, and sends nothing', async () => {
    const audit = appSink();
    const router = routerWith(audit.sink);
    await router.close();
    const before = hits;
    const error = await router.chat.completions.create({ model: 'm', messages }).catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 503, code: 'audit_failed', message: expect.stringMatching(/router is closed/) });
    const fetched = await router.fetch('http://router.local/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'm', messages }) });
    expect(fetched.status).toBe(503);
    expect(hits).toBe(before);
    expect(audit.records).toHaveLength(0);
  });
});

describe('router.close() called twice', () => {
  it('resolves both calls once the request under way ends, not after the drain timeout', async () => {
    const router = createRouter({
      providers: [openaiCompatible({ id: 'eu', baseURL, apiKey: 'sk-close', jurisdiction, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
      audit: { sinks: [appSink().sink], drainTimeoutMs: 60_000 },
    });
    const seen = hits;
    const answer = router.chat.completions.create({ model: 'm', messages });
    while (hits === seen) await new Promise((resolve) => setTimeout(resolve, 5));
    // Both settle with the request (the upstream answers after 200 ms); the test's own timeout would catch a 60 s wait.
    await Promise.all([router.close(), router.close()]);
    expect((await answer).provider).toBe('eu');
  }, 10_000);
});
