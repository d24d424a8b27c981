import { describe, expect, it, vi } from 'vitest';
import type { AuditError } from './audit-error.js';
import type { UnchainedRecord } from './audit-trail.js';
import type { ResolvedAuditOptions } from './types.js';

/* The audit trail's chunk failing to load (a deployment that left it out): nothing hangs. */

vi.mock('./audit-trail.js', () => {
  throw new Error('chunk ./audit-trail.js is missing');
});

const { lazyAuditTrail } = await import('./lazy-audit-trail.js');

function options(onError: ResolvedAuditOptions['onError']): ResolvedAuditOptions {
  return {
    sinks: [{ name: 'shipper', write: async () => undefined }],
    content: 'none',
    candidates: 'summary',
    onError,
    queueLimit: 10,
    onFull: 'wait',
    maxWaitMs: 1_000,
    drainTimeoutMs: 1_000,
  } as unknown as ResolvedAuditOptions;
}

describe('an audit trail whose chunk cannot be loaded', () => {
  it('reports every record as not stored, lets no request wait, and rejects flush()', async () => {
    const reported: AuditError[] = [];
    const trail = lazyAuditTrail(options((error) => void reported.push(error)));
    // Appended before the load failed: the request's wait ends once it is known.
    const early = trail.append({ id: 'req-early' } as UnchainedRecord);
    expect(early).toBeInstanceOf(Promise);
    await expect(early).resolves.toBeUndefined();
    // Appended after: reported at once, nothing to wait for.
    expect(trail.append({ id: 'req-late' } as UnchainedRecord)).toBeUndefined();
    // (vitest words the failed import its own way; the missing chunk is its cause.)
    expect(reported.map((error) => error.reason)).toEqual(['not_stored', 'not_stored']);
    expect(reported[0]!.message).toMatch(/^the audit trail could not be loaded \(.*\); record req-early is not stored$/);
    expect(reported[1]!.message).toMatch(/; record req-late is not stored$/);
    await expect(trail.flush()).rejects.toMatchObject({ reason: 'not_stored' });
    await expect(trail.close()).resolves.toBeUndefined();
  });

  it('counts every sink as failing from the failed load on, so a readiness probe says no record is stored', async () => {
    const before = Date.now();
    const trail = lazyAuditTrail(options(() => undefined));
    expect(trail.failing()).toEqual([]);
    await trail.append({ id: 'req-early' } as UnchainedRecord);
    expect(trail.failing()).toEqual([{ sink: 'shipper', since: expect.any(Number), waiting: 0 }]);
    expect(trail.failing()[0]!.since).toBeGreaterThanOrEqual(before);
  });
});
