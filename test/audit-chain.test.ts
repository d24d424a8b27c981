import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, RouterError, verifyAudit, type AuditRecord } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

mockServer();
const messages = [{ role: 'user' as const, content: 'Classify this ticket.' }];

/** 1,000 requests at once, finishing in a scrambled order; some are refused. */
async function concurrentRequests() {
  const audit = memoryAudit({ limit: 5_000 });
  const router = createRouter({ providers: testProviders(), policy: 'eu-hosted', apiKey: 'test-chain', audit: [audit] });
  const completed: string[] = [];
  await Promise.all(
    Array.from({ length: 1_000 }, (_, index) => {
      const params =
        index % 10 === 0
          ? { model: 'us-ai/gpt-4o', messages }
          : { model: 'auto', messages, seed: index, simulate: { latency_ms: (index * 7) % 13 } };
      return router.chat.completions.create(params).then(
        (response) => completed.push(response.route.audit_id!),
        (error: unknown) => completed.push(RouterError.isInstance(error) ? error.auditId! : 'unexpected'),
      );
    }),
  );
  await router.flush();
  return { records: audit.records, completed };
}

const copy = (records: readonly AuditRecord[]): AuditRecord[] => structuredClone([...records]);

describe('the first records of a new router', () => {
  it('are chained in the order their requests ended, before and after the trail is in place', async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: testProviders(), policy: 'eu-hosted', apiKey: 'test-chain', audit: [audit] });
    // Refused by the policy in the turn they are made, in this order: the router's first records.
    const refused = Array.from({ length: 5 }, () => router.chat.completions.create({ model: 'us-ai/gpt-4o', messages }).catch((error: unknown) => error as RouterError));
    const answered = await router.chat.completions.create({ model: 'auto', messages });
    const ids = (await Promise.all(refused)).map((error) => error.auditId);
    await router.flush();
    expect(audit.records.map((record) => record.id)).toEqual([...ids, answered.route.audit_id]);
    expect(verifyAudit(audit.records)).toEqual({ ok: true });
  });
});

describe('the hash chain under concurrency', async () => {
  const { records, completed } = await concurrentRequests();

  it('holds one record per request, in the order the requests completed, and verifies', () => {
    expect(records).toHaveLength(1_000);
    expect(records.map((record) => record.id)).toEqual(completed);
    // The order differs from the start order: the chain follows completion, not arrival.
    expect(records.map((record) => record.ts)).not.toEqual(records.map((record) => record.ts).sort());
    expect(verifyAudit(records)).toEqual({ ok: true });
    expect(verifyAudit(records, { expectedLastHash: records.at(-1)!.hash })).toEqual({ ok: true });
  });

  it('detects an edited field at its index', () => {
    const edited = copy(records);
    edited[417]!.cost = 0;
    edited[417]!.provider = 'eu-cloud';
    expect(verifyAudit(edited)).toEqual({ ok: false, index: 417, reason: expect.stringMatching(/record 417 .* was edited/) });
  });

  it('detects a deleted record at the index where it was', () => {
    const deleted = copy(records);
    deleted.splice(600, 1);
    expect(verifyAudit(deleted)).toEqual({ ok: false, index: 600, reason: expect.stringMatching(/deleted or inserted/) });
  });

  it('detects two swapped records at the first of them', () => {
    const swapped = copy(records);
    [swapped[250], swapped[251]] = [swapped[251]!, swapped[250]!];
    expect(verifyAudit(swapped)).toEqual({ ok: false, index: 250, reason: 'records 250 and 251 are in the wrong order (swapped)' });
    const far = copy(records);
    [far[100], far[900]] = [far[900]!, far[100]!];
    expect(verifyAudit(far)).toMatchObject({ ok: false, index: 100 });
  });

  it('detects a truncated tail given the expected last hash', () => {
    const expectedLastHash = records.at(-1)!.hash;
    expect(verifyAudit(records.slice(0, 990), { expectedLastHash })).toEqual({
      ok: false,
      index: 990,
      reason: expect.stringMatching(/removed from the end/),
    });
    // Without the expected end, a cut tail is still a valid chain: say so by passing it.
    expect(verifyAudit(records.slice(0, 990))).toEqual({ ok: true });
  });
});
