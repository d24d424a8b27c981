import { describe, expect, it, vi } from 'vitest';
import { createRouter, memoryAudit, RouterError } from '../src/index.js';
import { deployment, messages } from './helpers/fault-deployments.js';
import { useFaultServer } from './helpers/fault-server.js';

/*
 * Legacy completions, embeddings, the Responses API and router.fetch load on their first call.
 * When such an import fails (a chunk a deployment left out), the call still ends as every
 * failure does: a RouterError (an OpenAI error envelope over HTTP) naming what could not be
 * loaded, and exactly one audit record. Chat completions, in the core, keep working.
 */

// vi.mock is hoisted above every declaration: each factory throws on its own.
vi.mock('../src/router/completions.js', () => {
  throw new Error('chunk missing');
});
vi.mock('../src/router/embeddings.js', () => {
  throw new Error('chunk missing');
});
vi.mock('../src/router/fetch-handler.js', () => {
  throw new Error('chunk missing');
});
vi.mock('../src/responses/responses-endpoint.js', () => {
  throw new Error('chunk missing');
});

const faults = useFaultServer();

function setUp() {
  const audit = memoryAudit();
  const router = createRouter({ providers: [deployment(faults.upstream('primary'), { price: 0.1 })], audit: [audit], keys: { 'sk-team': { label: 'team' } } });
  return { audit, router };
}

describe('an endpoint whose code cannot be loaded', () => {
  it.each([
    ['completions', 'legacy completions', (router: ReturnType<typeof createRouter>) => router.completions.create({ model: 'model-a', prompt: 'Say hello.' }, { apiKey: 'sk-team' })],
    ['embeddings', 'embeddings', (router: ReturnType<typeof createRouter>) => router.embeddings.create({ model: 'model-a', input: 'hello' }, { apiKey: 'sk-team' })],
    ['responses', 'the Responses API', (router: ReturnType<typeof createRouter>) => router.responses.create({ model: 'model-a', input: 'Say hello.' }, { apiKey: 'sk-team' })],
  ] as const)('%s: a RouterError naming what is missing, and one audit record', async (endpoint, what, call) => {
    const { audit, router } = setUp();
    const caught = await (call(router) as Promise<unknown>).then(() => undefined, (error: unknown) => error);
    expect(RouterError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({ status: 500, message: expect.stringContaining(`internal error: ${what} could not be loaded: `) });
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ endpoint, outcome: 'error', key_id: 'team', attempts: [] });

    // The core is not affected.
    expect((await router.chat.completions.create({ model: 'model-a', messages }, { apiKey: 'sk-team' })).provider).toBe('primary');
  });

  it('router.fetch: a 500 with an OpenAI error envelope, and one audit record', async () => {
    const { audit, router } = setUp();
    const response = await router.fetch(
      new Request('http://sovroute.local/v1/embeddings', { method: 'POST', headers: { authorization: 'Bearer sk-team', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'model-a', input: 'hello' }) }),
    );
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as { error: { message: string; type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'server_error', message: expect.stringContaining('internal error: the HTTP handler (router.fetch) could not be loaded: ') });
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ endpoint: 'embeddings', outcome: 'error', key_id: 'team' });
  });

  it("router.fetch without Authorization: recorded as no key, never as the router's own apiKey", async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: [deployment(faults.upstream('primary'), { price: 0.1 })], audit: [audit], apiKey: 'sk-own' });
    const response = await router.fetch(
      new Request('http://sovroute.local/v1/embeddings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'model-a', input: 'hello' }) }),
    );
    expect(response.status).toBe(500);
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ endpoint: 'embeddings', outcome: 'error', key_id: null });
  });

  it('router.fetch with a relative URL: still a 500 envelope and one audit record, not a thrown TypeError', async () => {
    const { audit, router } = setUp();
    const response = await router.fetch('/v1/embeddings', {
      method: 'POST',
      headers: { authorization: 'Bearer sk-team', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'model-a', input: 'hello' }),
    });
    expect(response.status).toBe(500);
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ endpoint: 'embeddings', outcome: 'error', key_id: 'team' });
  });
});
