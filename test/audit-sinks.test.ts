import { describe, expect, it } from 'vitest';
import {
  callbackAudit,
  createRouter,
  memoryAudit,
  verifyAudit,
  type AuditError,
  type AuditRecord,
  type AuditSink,
  type RouterOptions,
} from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

mockServer();
const messages = [{ role: 'user' as const, content: 'Summarise the incident report.' }];

interface Reported {
  error: AuditError;
  record: AuditRecord | null;
  sink: AuditSink | null;
}

function router(audit: NonNullable<RouterOptions['audit']>) {
  return createRouter({ providers: testProviders(), policy: 'eu-hosted', apiKey: 'test-sinks', retry: { retries: 0 }, audit });
}

/** A few requests of every shape; returns what the caller saw, minus what differs per call. */
async function traffic(routed: ReturnType<typeof router>) {
  const seen: unknown[] = [];
  const strip = (value: { route?: { audit_id?: string; overhead_ms?: number; attempts?: { latency_ms: number }[] } }) => {
    const { audit_id: _id, overhead_ms: _overhead, attempts, ...route } = value.route ?? {};
    return { ...value, route: { ...route, attempts: attempts?.map(({ latency_ms: _latency, ...attempt }) => attempt) } };
  };
  for (let seed = 0; seed < 3; seed++) seen.push(strip(await routed.chat.completions.create({ model: 'auto', messages, seed })));
  const stream = await routed.chat.completions.create({ model: 'auto', messages, stream: true });
  for await (const chunk of stream) seen.push(chunk.route ? strip(chunk) : chunk);
  seen.push(await routed.chat.completions.create({ model: 'us-ai/gpt-4o', messages }).catch((error: { toJSON(): unknown }) => error.toJSON()));
  const response = await routed.fetch('http://sovroute.local/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: 'Bearer test-sinks' },
    body: JSON.stringify({ model: 'auto', messages, seed: 9 }),
  });
  seen.push(response.status, strip((await response.json()) as never));
  return seen;
}

describe('audit sinks', () => {
  it('a sink that throws on every write changes no response, and every failure reaches onError', async () => {
    const reported: Reported[] = [];
    const failing = callbackAudit(() => {
      throw new Error('log pipeline unavailable');
    });
    const kept = memoryAudit();
    const withFailingSink = router({
      sinks: [failing, kept],
      onError: (error, record, sink) => reported.push({ error, record, sink }),
      retry: { minDelayMs: 1, maxDelayMs: 2 },
      drainTimeoutMs: 200,
    });
    const baseline = await traffic(router([memoryAudit()]));
    expect(await traffic(withFailingSink)).toEqual(baseline);

    // The other sink is not held back by the failing one.
    await expect(withFailingSink.flush()).rejects.toThrow(/not stored after 200 ms .*callback: \d+ waiting \(log pipeline unavailable\)/);
    expect(kept.records).toHaveLength(6);
    expect(verifyAudit(kept.records)).toEqual({ ok: true });

    const failures = reported.filter((entry) => entry.error.reason === 'write_failed');
    expect(failures.length).toBeGreaterThan(1);
    expect(failures.every((entry) => entry.sink === failing && entry.record?.id === kept.records[0]!.id)).toBe(true);
    expect(failures[0]!.error.message).toMatch(/audit sink callback failed to store record req_\w+ \(attempt 1, \d+ waiting\); retrying in 1 ms: log pipeline unavailable/);

    // Closing hands every record the sink never stored to onError: none is lost silently.
    await expect(withFailingSink.close()).rejects.toThrow(/not stored/);
    const abandoned = reported.filter((entry) => entry.error.reason === 'not_stored').map((entry) => entry.record!.id);
    expect(abandoned).toEqual(kept.records.map((record) => record.id));
  });

  it('never makes a response wait for a sink that does not answer', async () => {
    const hanging: AuditSink = { write: () => new Promise(() => undefined) };
    const routed = router({ sinks: [hanging], onError: () => undefined, drainTimeoutMs: 50 });
    const response = await routed.chat.completions.create({ model: 'auto', messages });
    expect(response.choices[0]!.message.content).toMatch(/^Pseudo-LLM reply/);
    const stream = await routed.chat.completions.create({ model: 'auto', messages, stream: true });
    let chunks = 0;
    for await (const _chunk of stream) chunks += 1;
    expect(chunks).toBeGreaterThan(2);
    await expect(routed.flush()).rejects.toThrow(/not stored after 50 ms/);
  });

  it('retries a failed write until it succeeds, storing each record once and in chain order', async () => {
    const stored: AuditRecord[] = [];
    let calls = 0;
    const flaky = callbackAudit(async (record) => {
      calls += 1;
      if (calls <= 2) throw new Error(`disk busy (${calls})`);
      stored.push(record);
    });
    const kept = memoryAudit();
    const reported: Reported[] = [];
    const routed = router({ sinks: [flaky, kept], onError: (error, record, sink) => reported.push({ error, record, sink }), retry: { minDelayMs: 1, maxDelayMs: 1 } });
    for (let seed = 0; seed < 4; seed++) await routed.chat.completions.create({ model: 'auto', messages, seed });
    await routed.flush();
    expect(stored).toEqual(kept.records);
    expect(verifyAudit(stored)).toEqual({ ok: true });
    expect(reported.map((entry) => entry.error.message.replace(/req_\w+/, 'req'))).toEqual([
      expect.stringMatching(/record req \(attempt 1, \d waiting\); retrying in 1 ms: disk busy \(1\)/),
      expect.stringMatching(/record req \(attempt 2, \d waiting\); retrying in 1 ms: disk busy \(2\)/),
    ]);
  });

  it('flush() retries at once instead of waiting out the backoff', async () => {
    let failed = false;
    const stored: AuditRecord[] = [];
    const once = callbackAudit((record) => {
      if (!failed) {
        failed = true;
        throw new Error('transient');
      }
      stored.push(record);
    });
    // The backoff alone would outlast drainTimeoutMs: only an immediate retry lets flush() succeed.
    const routed = router({ sinks: [once], onError: () => undefined, retry: { minDelayMs: 60_000 }, drainTimeoutMs: 5_000 });
    await routed.chat.completions.create({ model: 'auto', messages });
    await new Promise((resolve) => setImmediate(resolve));
    await routed.flush();
    expect(stored).toHaveLength(1);
  });

  it('close() counts as lost only the records a write still under way did not store: a sink whose close lets that write finish loses none', async () => {
    const stored: string[] = [];
    let writing: (() => void) | undefined;
    // Its write waits on something (a lock, a slow disk) that closing the sink lets go of.
    const slow: AuditSink = {
      name: 'slow',
      write: (record) => new Promise<void>((resolve) => (writing = () => (stored.push(record.id), resolve()))),
      close: async () => writing?.(),
    };
    const reported: Reported[] = [];
    const routed = router({ sinks: [slow], drainTimeoutMs: 50, onError: (error, record, sink) => reported.push({ error, record, sink }) });
    const id = (await routed.chat.completions.create({ model: 'auto', messages })).route.audit_id!;
    const closed = await routed.close().then(() => 'closed', (error: Error) => error);
    expect(stored).toEqual([id]);
    expect(reported).toEqual([]);
    expect(closed).toBe('closed');
  });

  it('close() reports a record queued behind a write still under way as lost, and the written one not, when the write ends as its sink closes', async () => {
    const stored: string[] = [];
    let writing: (() => void) | undefined;
    const slow: AuditSink = {
      name: 'slow',
      write: (record) => new Promise<void>((resolve) => (writing ??= () => (stored.push(record.id), resolve()))),
      close: async () => writing?.(),
    };
    const reported: Reported[] = [];
    const routed = router({ sinks: [slow], drainTimeoutMs: 50, onError: (error, record, sink) => reported.push({ error, record, sink }) });
    const first = (await routed.chat.completions.create({ model: 'auto', messages })).route.audit_id!;
    await new Promise((resolve) => setImmediate(resolve));
    const second = (await routed.chat.completions.create({ model: 'auto', messages, seed: 1 })).route.audit_id!;
    const closed = await routed.close().then(() => undefined, (error: Error) => error);
    expect(stored).toEqual([first]);
    expect(reported.map((entry) => [entry.error.reason, entry.record?.id])).toEqual([['not_stored', second]]);
    // The write under way ended (and stored its record): the lost one waited behind it, nothing was still writing.
    expect(closed?.message).toMatch(/not stored after 50 ms \(audit.drainTimeoutMs\): sink slow: 1 not stored \(queued behind a write still under way when the wait ended\)$/);
  });

  it("with onFull 'drop', reports records that do not fit a full queue, and those still queued at close", async () => {
    const reported: Reported[] = [];
    const hanging: AuditSink = { write: () => new Promise(() => undefined) };
    const routed = router({ sinks: [hanging], queueLimit: 2, onFull: 'drop', onError: (error, record) => reported.push({ error, record, sink: null }), drainTimeoutMs: 20 });
    const ids: string[] = [];
    for (let seed = 0; seed < 5; seed++) ids.push((await routed.chat.completions.create({ model: 'auto', messages, seed })).route.audit_id!);
    // The sink's write never ends: it is still writing when close() gives up.
    await expect(routed.close()).rejects.toThrow(/sink #0: \d+ not stored \(still writing\)/);
    const byReason = (reason: string) => reported.filter((entry) => entry.error.reason === reason).map((entry) => entry.record!);
    expect(byReason('queue_full').map((record) => record.id)).toEqual(ids.slice(2));
    // Still queued at close: the two records, then the gap record(s) standing for the three dropped.
    const unstored = byReason('not_stored');
    expect(unstored.slice(0, 2).map((record) => record.id)).toEqual(ids.slice(0, 2));
    const gaps = unstored.slice(2);
    expect(gaps.every((record) => record.outcome === 'dropped')).toBe(true);
    expect(gaps.flatMap((record) => record.dropped!.ids)).toEqual(ids.slice(2));
    expect(reported.find((entry) => entry.error.reason === 'queue_full')!.error.message).toMatch(/has 2 records waiting \(audit.queueLimit\)/);
  });

  it('holds requests back until a sink tells where its log ends, within the queue limit', async () => {
    const reported: Reported[] = [];
    const stored: AuditRecord[] = [];
    let answer: (hash: string | null) => void = () => undefined;
    const resuming: AuditSink = { write: (record) => void stored.push(record), lastHash: () => new Promise((resolve) => (answer = resolve)) };
    const routed = router({ sinks: [resuming], queueLimit: 2, onError: (error, record) => reported.push({ error, record, sink: null }), drainTimeoutMs: 20 });
    const calls = [0, 1, 2].map((seed) => routed.chat.completions.create({ model: 'auto', messages, seed }));
    let thirdAnswered = false;
    void calls[2]!.then(() => (thirdAnswered = true));
    const ids = [(await calls[0]!).route.audit_id!, (await calls[1]!).route.audit_id!];
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    // Two records wait to be chained: the third request's answer waits for room.
    expect(thirdAnswered).toBe(false);
    await expect(routed.flush()).rejects.toThrow(/2 waiting for a sink to tell where its log ends; 1 more held back by a full queue/);
    answer('a'.repeat(64));
    ids.push((await calls[2]!).route.audit_id!);
    await routed.flush();
    expect(stored.map((record) => record.id)).toEqual(ids);
    expect(stored[0]!.prev).toBe('a'.repeat(64));
    expect(verifyAudit(stored, { expectedFirstPrev: 'a'.repeat(64) })).toEqual({ ok: true });
    expect(reported).toEqual([]);
  });

  it('reports a sink that cannot tell where its log ends, or ends elsewhere than the chain continues', async () => {
    const reported: Reported[] = [];
    const onError = (error: AuditError, record: AuditRecord | null, sink: AuditSink | null) => reported.push({ error, record, sink });
    const ahead = memoryAudit();
    const behind: AuditSink = { name: 'behind', write: () => undefined, lastHash: async () => 'b'.repeat(64) };
    const broken: AuditSink = { name: 'broken', write: () => undefined, lastHash: async () => Promise.reject(new Error('EACCES: permission denied')) };
    const seeded = router([ahead]);
    await seeded.chat.completions.create({ model: 'auto', messages });
    await seeded.close();
    const routed = router({ sinks: [ahead, behind, broken], onError });
    await routed.chat.completions.create({ model: 'auto', messages });
    await routed.flush();
    expect(ahead.records[1]!.prev).toBe(ahead.records[0]!.hash);
    expect(reported.map((entry) => [entry.error.reason, entry.sink])).toEqual([
      ['resume_failed', broken],
      ['resume_failed', behind],
    ]);
    expect(reported[0]!.error.message).toMatch(/audit sink broken could not tell where its log ends, so its log may show a break here: EACCES/);
    expect(reported[1]!.error.message).toMatch(/audit sink behind ends at hash b{64} but the chain continues from [0-9a-f]{64}/);
  });

  it('gives every sink every record, and close() drains and closes them all', async () => {
    const first = memoryAudit();
    const second = memoryAudit();
    const shipped: AuditRecord[] = [];
    let closed = 0;
    const shipping: AuditSink = { write: async (record) => void shipped.push(record), close: async () => void (closed += 1) };
    const routed = router([first, second, shipping]);
    for (let seed = 0; seed < 3; seed++) await routed.chat.completions.create({ model: 'auto', messages, seed });
    await routed.close();
    expect(first.records).toHaveLength(3);
    expect(second.records).toEqual(first.records);
    expect(shipped).toEqual(first.records);
    expect(closed).toBe(1);
  });

  it('continues the chain of a memory ring handed to a new router', async () => {
    const ring = memoryAudit();
    const first = router([ring]);
    await first.chat.completions.create({ model: 'auto', messages });
    await first.close();
    const next = router([ring]);
    await next.chat.completions.create({ model: 'auto', messages });
    await next.flush();
    expect(ring.records).toHaveLength(2);
    expect(ring.records[1]!.prev).toBe(ring.records[0]!.hash);
    expect(verifyAudit(ring.records)).toEqual({ ok: true });
  });

  it('keeps only the last records of a ring, oldest first', async () => {
    const ring = memoryAudit({ limit: 3 });
    const routed = router([ring]);
    const ids: string[] = [];
    for (let seed = 0; seed < 5; seed++) ids.push((await routed.chat.completions.create({ model: 'auto', messages, seed })).route.audit_id!);
    await routed.flush();
    expect(ring.records.map((record) => record.id)).toEqual(ids.slice(2));
    expect(verifyAudit(ring.records)).toEqual({ ok: true });
  });

  it('gives records as a snapshot that later writes leave as it was', async () => {
    const kept = memoryAudit();
    const routed = router([kept]);
    await routed.chat.completions.create({ model: 'auto', messages, seed: 1 });
    await routed.flush();
    const first = kept.records;
    await routed.chat.completions.create({ model: 'auto', messages, seed: 2 });
    await routed.flush();
    expect(first).toHaveLength(1);
    expect(kept.records).toHaveLength(2);
    expect(kept.records[0]).toBe(first[0]);
  });

  it('refuses a malformed audit option, naming it', () => {
    expect(() => router({ sinks: [{} as AuditSink] })).toThrow(/options\.audit/);
    expect(() => router({ sinks: [], content: 'everything' as never })).toThrow(/options\.audit/);
    expect(() => router({ sinks: [], queueLimit: 0 })).toThrow(/options\.audit/);
    expect(() => router({ sinks: [], onFull: 'block' as never })).toThrow(/options\.audit/);
    expect(() => router({ sinks: [], maxWaitMs: -1 })).toThrow(/options\.audit/);
  });
});
