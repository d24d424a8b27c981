import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, memoryAudit, RouterError, type AuditRecord } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

mockServer();
const root = join(import.meta.dirname, '..');
const messages = [{ role: 'user' as const, content: 'Write a long story.' }];
afterEach(() => vi.useRealTimers());

function router(streamIdleTimeoutMs: number) {
  const audit = memoryAudit();
  // A deadline beyond the longest wait below, so only the idle timer can end an unread stream.
  const routed = createRouter({ providers: testProviders(), policy: 'eu-hosted', apiKey: 'test-streams', streamIdleTimeoutMs, deadlineMs: 48 * 3_600_000, audit: [audit] });
  return { routed, audit };
}

describe('a stream the caller drops', () => {
  // Garbage collection is forced in a child process (node --expose-gc), so the test is deterministic.
  // fetch-signal: router.fetch with a signal that outlives the stream, as one shared by many calls.
  it.each(['api', 'fetch', 'fetch-signal'])('through %s: its record is written once the stream is garbage collected', (via) => {
    const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', './test/helpers/no-network.mjs', 'test/fixtures/drop-stream.ts', via], {
      cwd: root,
      encoding: 'utf8',
    });
    const { id, records } = JSON.parse(output) as { id: string; records: AuditRecord[] };
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      id,
      outcome: 'aborted',
      stream: true,
      error_message: expect.stringMatching(/dropped the stream after \d chunk\(s\)/),
      usage: { estimated: true },
    });
    expect(records[0]!.usage!.completion_tokens).toBeGreaterThan(0);
  }, 60_000);
});

describe('a stream the caller stops reading', () => {
  it('is closed after streamIdleTimeoutMs without a read; a later read throws aborted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { routed, audit } = router(1_000);
    const stream = await routed.chat.completions.create({ model: 'auto', messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await vi.advanceTimersByTimeAsync(999);
    await iterator.next(); // a read within the window keeps it open
    // Closed once a whole window passed without a read: between 1x and 2x the timeout after it.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stream.controller.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stream.controller.signal.aborted).toBe(true);
    const error = await iterator.next().catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error) && error.code).toBe('aborted');
    vi.useRealTimers();
    await routed.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'aborted', error_message: expect.stringMatching(/did not read the stream for 1000 ms \(streamIdleTimeoutMs\) after 2 chunk/) });
  });

  it('is not closed while the router waits on a slow upstream', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { routed, audit } = router(1_000);
    const stream = await routed.chat.completions.create({ model: 'auto', messages, stream: true, simulate: { chunk_delay_ms: 5_000 } });
    const iterator = stream[Symbol.asyncIterator]();
    // The role chunk and the first token, which came with it; the next token is 5 s away.
    await iterator.next();
    await iterator.next();
    const third = iterator.next();
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await third).done).toBe(false);
    vi.useRealTimers();
    await routed.flush();
    expect(audit.records).toHaveLength(0);
    await iterator.return?.();
  });

  it('stays open however long it waits when the timer is off (0)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { routed, audit } = router(0);
    const stream = await routed.chat.completions.create({ model: 'auto', messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    vi.useRealTimers();
    let rest = 0;
    while (!(await iterator.next()).done) rest += 1;
    expect(rest).toBeGreaterThan(1);
    await routed.flush();
    expect(audit.records.map((record) => record.outcome)).toEqual(['success']);
  });
});

describe('a stream closed before its first read', () => {
  it('leaves one aborted record and releases the upstream', async () => {
    const { routed, audit } = router(0);
    const stream = await routed.chat.completions.create({ model: 'auto', messages, stream: true });
    await stream[Symbol.asyncIterator]().return?.(undefined);
    expect(stream.controller.signal.aborted).toBe(true);
    await routed.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ id: stream.requestId, outcome: 'aborted', error_message: expect.stringMatching(/closed the stream after 0 chunk/) });
  });
});

describe('a stream aborted and never read again', () => {
  it('leaves one aborted record and nothing that keeps the process alive', () => {
    // A timer left running would hold the child for the 10-minute deadline; execFileSync's timeout fails the test first.
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--import', './test/helpers/no-network.mjs', 'test/fixtures/abort-stream.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(JSON.parse(output)).toEqual(['aborted']);
  }, 30_000);
});
