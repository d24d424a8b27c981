import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, RouterError } from '../src/index.js';
import { anyUpstream } from './helpers/catalog.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

/* Scoped keys: `keys: { 'sk-team-a': { policy: 'eu-sovereign', label: 'team-a' } }`. */

const upstream = mockServer();
const messages = [{ role: 'user' as const, content: 'Hello' }];

function setup(policy: 'global' | 'eu-sovereign' | 'eu-hosted' = 'global') {
  const audit = memoryAudit();
  const router = createRouter({
    providers: testProviders(),
    policy,
    keys: {
      'sk-team-a': { policy: 'eu-sovereign', label: 'team-a' },
      'sk-team-b': { label: 'team-b' },
      'sk-wide': { policy: 'global', label: 'wide' },
    },
    audit: [audit],
  });
  const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: 'http://sovroute.local/v1', fetch: router.fetch, maxRetries: 0 });
  return { router, audit, client };
}

describe('keys', () => {
  it('refuses an unknown key through router.fetch with 401 invalid_api_key, which the SDK raises as AuthenticationError', async () => {
    const { client, router, audit } = setup();
    const error = await client('sk-stranger').chat.completions.create({ model: 'llama-3.3-70b-instruct', messages }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');

    const listing = await client('sk-stranger').models.list().catch((caught: unknown) => caught);
    expect(listing).toBeInstanceOf(OpenAI.AuthenticationError);
    const missing = await router.fetch('http://sovroute.local/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ model: 'llama-3.3-70b-instruct', messages }),
    });
    expect(missing.status).toBe(401);
    await router.flush();
    expect(audit.records.map((record) => record.outcome)).toEqual(['denied', 'denied']);
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses a request with no key through router.fetch, even when the router has its own apiKey', async () => {
    const router = createRouter({
      providers: testProviders(),
      apiKey: 'sk-router-internal',
      keys: { 'sk-team-a': { policy: 'eu-sovereign', label: 'team-a' } },
    });
    const anonymous = { method: 'POST', headers: { 'content-type': 'application/json' } };
    const chat = await router.fetch('http://sovroute.local/v1/chat/completions', {
      ...anonymous,
      body: JSON.stringify({ model: 'us-ai/gpt-4o', messages }),
    });
    expect(chat.status).toBe(401);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    const models = await router.fetch('http://sovroute.local/v1/models', { method: 'GET' });
    expect(models.status).toBe(401);
    expect(upstream.requests).toHaveLength(0);
  });

  it('tells a caller whose key came in another form (Basic, x-api-key) how to send it, rather than only that one is required', async () => {
    const { router } = setup();
    const body = JSON.stringify({ model: 'llama-3.3-70b-instruct', messages });
    for (const headers of [{ authorization: `Basic ${Buffer.from('sk-team-b:').toString('base64')}` }, { 'x-api-key': 'sk-team-b' }]) {
      const refused = await router.fetch('http://sovroute.local/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer <key>/);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses an unknown key in-process too', async () => {
    const { router } = setup();
    const error = await router.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages }, { apiKey: 'sk-stranger' }).catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error) && error.code).toBe('invalid_api_key');
  });

  it('narrows the router’s policy by the key’s own: team-a reaches only EU-sovereign deployments', async () => {
    upstream.use(...anyUpstream);
    const { client, router, audit } = setup('global');
    const response = await client('sk-team-a').chat.completions.create({ model: 'llama-3.3-70b-instruct', messages });
    expect((response as unknown as { provider: string }).provider).toBe('eu-cloud');
    expect(upstream.requests.map((sent) => new URL(sent.url).pathname)).toEqual(['/eu-cloud/v1/chat/completions']);

    expect(router.explain({ model: 'llama-3.3-70b-instruct', messages }, { apiKey: 'sk-team-a' }).policy).toBe('eu-sovereign');
    const models = (await client('sk-team-a').models.list()).data.map((model) => model.id);
    expect(models.every((id) => id.startsWith('eu-cloud/'))).toBe(true);

    // team-b has no policy of its own: the router's global policy applies, and the cheapest US deployment wins.
    const other = await client('sk-team-b').chat.completions.create({ model: 'llama-3.3-70b-instruct', messages, route: { objective: 'cheapest' } } as never);
    expect((other as unknown as { provider: string }).provider).toBe('us-ai');
    await router.flush();
    expect(audit.records.map((record) => [record.key_id, record.policy])).toEqual([
      ['team-a', 'eu-sovereign'],
      ['team-b', 'global'],
    ]);
  });

  it('never widens: a global key on an eu-sovereign router is still held to eu-sovereign', async () => {
    const { router } = setup('eu-sovereign');
    const decision = router.explain({ model: 'us-ai/gpt-4o', messages }, { apiKey: 'sk-wide' });
    expect(decision.policy).toBe('eu-sovereign');
    expect(decision.candidates[0]).toMatchObject({ eligible: false, reasons: expect.arrayContaining(['operator Example AI Inc is US-controlled']) });
    const error = await router.chat.completions.create({ model: 'us-ai/gpt-4o', messages }, { apiKey: 'sk-wide' }).catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error) && error.code).toBe('policy_violation');
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('key labels', () => {
  it('refuse two keys of different scopes under one label, which would share stored conversations, budgets and rate limits', async () => {
    // The label is the key's identity beyond the audit record: it owns the key's stored responses
    // and counts its budget and rates. Under one label, a global key could continue a conversation
    // an eu-sovereign key kept, and send it where that key's policy never lets it go.
    const build = (second: object) =>
      createRouter({ providers: testProviders(), keys: { 'sk-eu': { policy: 'eu-sovereign', label: 'team' }, 'sk-any': { label: 'team', ...second } } });
    let refused: unknown;
    try {
      build({});
    } catch (error) {
      refused = error;
    }
    expect(RouterError.isInstance(refused) && [refused.code, refused.param]).toEqual(['invalid_request', 'keys']);
    expect((refused as Error).message).toMatch(/two keys have the label "team" but not the same policy, budget and rate limits/);
    expect((refused as Error).message).not.toMatch(/sk-eu|sk-any/);
    // Keys of one scope may share it (a key and the one replacing it).
    const router = build({ policy: 'eu-sovereign' });
    expect(router.explain({ model: 'us-ai/gpt-4o', messages }, { apiKey: 'sk-any' }).policy).toBe('eu-sovereign');
  });
});
