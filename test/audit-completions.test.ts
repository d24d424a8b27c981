import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { euFacts } from './helpers/providers.js';

const upstream = mockServer();

function router() {
  const audit = memoryAudit();
  const routed = createRouter({
    apiKey: 'test-completions-secret',
    policy: 'eu-sovereign',
    audit: [audit],
    providers: [
      openaiCompatible({
        id: 'eu-text',
        baseURL: 'https://eu-text.test/v1',
        jurisdiction: euFacts,
        models: [{ id: 'text-model', price: { input: 1, output: 2, currency: 'EUR' }, capabilities: ['completions'] }],
      }),
    ],
  });
  return { routed, audit };
}

describe('legacy completions in the audit trail', () => {
  it('leave exactly one record per request, with the right outcome and no prompt text or key', async () => {
    const { routed, audit } = router();
    const response = await routed.completions.create({ model: 'text-model', prompt: 'Confidential: the merger closes Friday.' });
    await routed.completions.create({ model: 'text-model', prompt: 'x', max_tokens: -1 } as never).catch(() => undefined);
    await routed.completions.create({ model: 'no-such-model', prompt: 'x' }).catch(() => undefined);
    await routed.flush();
    expect(audit.records.map((record) => [record.endpoint, record.outcome])).toEqual([
      ['completions', 'success'],
      ['completions', 'invalid'],
      ['completions', 'invalid'],
    ]);
    expect(audit.records[0]!.id).toBe(response.route.audit_id);
    const stored = JSON.stringify(audit.records);
    expect(stored).not.toContain('merger');
    expect(stored).not.toContain('test-completions-secret');
    expect(upstream.requests).toHaveLength(0);
  });
});
