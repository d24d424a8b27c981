import { describe, expect, it } from 'vitest';
import { createRouter, verifyAudit, type AuditError, type AuditRecord, type AuditSink, type RouterOptions } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

/* With a full audit queue (audit.onFull 'wait', the default), requests wait for room: never lost, never hung. */

mockServer();
const messages = [{ role: 'user' as const, content: 'List the open audit findings.' }];

function router(audit: Exclude<NonNullable<RouterOptions['audit']>, unknown[]>) {
  return createRouter({ providers: testProviders(), policy: 'eu-hosted', apiKey: 'test-backpressure', retry: { retries: 0 }, audit });
}

/** A sink whose writes finish only when the test says so. */
function gatedSink() {
  const stored: AuditRecord[] = [];
  const gates: (() => void)[] = [];
  const sink: AuditSink = {
    write: (record) =>
      new Promise<void>((resolve) =>
        gates.push(() => {
          stored.push(record);
          resolve();
        }),
      ),
  };
  return { sink, stored, open: () => gates.splice(0).forEach((release) => release()) };
}

const turns = async (count: number) => {
  for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
};

/** Settles `promise` into a flag, to see whether a caller has its answer yet. */
function watch(promise: Promise<unknown>) {
  const state = { settled: false };
  void promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

describe('audit backpressure', () => {
  it('a request whose record finds the queue full gets its answer (or its error) once the record is queued', async () => {
    const { sink, stored, open } = gatedSink();
    const routed = router({ sinks: [sink], queueLimit: 1 });
    const first = await routed.chat.completions.create({ model: 'auto', messages });
    await turns(3); // the first record is being written, and fills the queue
    const answer = routed.chat.completions.create({ model: 'auto', messages, seed: 1 });
    const failure = routed.chat.completions.create({ model: 'us-ai/gpt-4o', messages });
    const [answered, failed] = [watch(answer), watch(failure)];
    await turns(10);
    expect([answered.settled, failed.settled]).toEqual([false, false]);
    while (stored.length < 3) {
      open();
      await turns(3);
    }
    const second = await answer;
    const refused = (await failure.catch((error: unknown) => error)) as { auditId: string };
    await routed.close();
    // Chained in the order the requests completed (the refusal first): all three, one chain.
    expect(stored.map((record) => record.id).sort()).toEqual([first.route.audit_id, second.route.audit_id, refused.auditId].sort());
    expect(verifyAudit(stored, { expectedFirstPrev: null })).toEqual({ ok: true });
  });

  it('a stream ends only once its record is queued', async () => {
    const { sink, stored, open } = gatedSink();
    const routed = router({ sinks: [sink], queueLimit: 1 });
    await routed.chat.completions.create({ model: 'auto', messages });
    await turns(3);
    const stream = await routed.chat.completions.create({ model: 'auto', messages, stream: true });
    const chunks: { route?: { audit_id?: string } }[] = [];
    const read = (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })();
    const ended = watch(read);
    await turns(20);
    // Every content chunk arrived; the final one, with usage and route, waits for room.
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.some((chunk) => chunk.route)).toBe(false);
    expect(ended.settled).toBe(false);
    open();
    await read;
    expect(chunks.at(-1)!.route!.audit_id).toBe(stream.requestId);
    open();
    await turns(3);
    open();
    await routed.close();
    expect(stored.map((record) => record.id)).toContain(stream.requestId);
  });

  it('a sink that keeps failing slows requests down for maxWaitMs, never hangs them, and loses nothing', async () => {
    const errors: { error: AuditError; record: AuditRecord | null }[] = [];
    const stored: AuditRecord[] = [];
    let failing = true;
    const flaky: AuditSink = {
      write(record) {
        if (failing) throw new Error('log volume unavailable');
        stored.push(record);
      },
    };
    const routed = router({
      sinks: [flaky],
      queueLimit: 2,
      maxWaitMs: 50,
      retry: { minDelayMs: 10, maxDelayMs: 10 },
      onError: (error, record) => errors.push({ error, record }),
    });
    const ids = (await Promise.all([0, 1, 2, 3, 4].map((seed) => routed.chat.completions.create({ model: 'auto', messages, seed })))).map(
      (response) => response.route.audit_id!,
    );
    // Three requests waited their maxWaitMs, then completed with their records queued beyond the
    // limit, said once per batch of them (one batch, unless a busy machine spreads their waits).
    const overflow = errors.filter((entry) => entry.error.reason === 'queue_full');
    expect(overflow.length).toBeGreaterThanOrEqual(1);
    for (const entry of overflow) {
      expect(entry.record).toBeNull();
      expect(entry.error.message).toMatch(/^\d+ request\(s\) waited 50 ms \(audit.maxWaitMs\) .* queued beyond the limit.*log volume unavailable/);
    }
    expect(overflow.reduce((sum, entry) => sum + Number(/^(\d+) request/.exec(entry.error.message)![1]), 0)).toBe(3);
    failing = false;
    await routed.close();
    expect(stored.map((record) => record.id)).toEqual(ids);
    expect(verifyAudit(stored, { expectedFirstPrev: null })).toEqual({ ok: true });
  });

  it('close() lets every waiting request finish, and hands what no sink stored to onError', async () => {
    const errors: { error: AuditError; record: AuditRecord | null }[] = [];
    const hanging: AuditSink = { write: () => new Promise(() => undefined) };
    const routed = router({ sinks: [hanging], queueLimit: 1, drainTimeoutMs: 20, onError: (error, record) => errors.push({ error, record }) });
    const calls = [0, 1, 2].map((seed) => routed.chat.completions.create({ model: 'auto', messages, seed }));
    await turns(10);
    await expect(routed.close()).rejects.toThrow(/not stored after 20 ms.*held back by a full queue/);
    const ids = (await Promise.all(calls)).map((response) => response.route.audit_id);
    expect(errors.filter((entry) => entry.error.reason === 'not_stored').map((entry) => entry.record!.id)).toEqual(ids);
  });
});
