import { describe, expect, it, vi } from 'vitest';
import { createRouter, memoryAudit } from '../src/index.js';
import { deployment } from './helpers/fault-deployments.js';
import { useFaultServer } from './helpers/fault-server.js';

/*
 * POST /v1/responses through router.fetch when the Responses code cannot be loaded (a chunk a
 * deployment left out), the HTTP handler itself loaded: the call ends as router.responses.create
 * does, a 500 naming what is missing, with its one audit record.
 */

vi.mock('../src/responses/responses-endpoint.js', () => {
  throw new Error('chunk missing');
});

const faults = useFaultServer();

describe('POST /v1/responses whose code cannot be loaded', () => {
  it('answers a 500 envelope naming the Responses API, and leaves one audit record', async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: [deployment(faults.upstream('primary'), { price: 0.1 })], audit: [audit], keys: { 'sk-team': { label: 'team' } } });
    const response = await router.fetch(
      new Request('http://sovroute.local/v1/responses', {
        method: 'POST',
        headers: { authorization: 'Bearer sk-team', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'model-a', input: 'Say hello.' }),
      }),
    );
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error).toMatchObject({ type: 'server_error', message: expect.stringContaining('internal error: the Responses API could not be loaded: ') });
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ endpoint: 'responses', outcome: 'error', key_id: 'team' });
  });
});
