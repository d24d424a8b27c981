import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockServer } from '../../../test/helpers/msw.js';
import { createRouter } from '../../router/create-router.js';
import { azureOpenAI } from './azure-openai.js';
import { mistralEU } from './mistral-eu.js';
import { ovhcloud } from './ovhcloud.js';
import { scaleway } from './scaleway.js';
import { rejection } from '../../../test/helpers/rejection.js';

const mock = mockServer();
const request = { model: 'gpt-oss-120b', messages: [{ role: 'user' as const, content: 'Hello' }] };
const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-oss-120b',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('preset API keys', () => {
  it('reads the provider’s environment variable at call time, not at construction', async () => {
    mock.use(http.post('https://api.scaleway.ai/v1/chat/completions', () => HttpResponse.json(completion)));
    vi.stubEnv('SCW_SECRET_KEY', '');
    const provider = scaleway();
    vi.stubEnv('SCW_SECRET_KEY', 'scw-from-env');
    await provider.doChat(request, {});
    expect(mock.requests[0]?.headers.get('authorization')).toBe('Bearer scw-from-env');
  });

  it('without a key, fails a direct call naming the variable, and the router leaves it out for the next provider', async () => {
    mock.use(http.post('https://oai.endpoints.kepler.ai.cloud.ovh.net/v1/chat/completions', () => HttpResponse.json(completion)));
    vi.stubEnv('SCW_SECRET_KEY', '');
    const error = await rejection(scaleway().doChat(request, {}));
    expect(error.message).toBe('scaleway: no API key; pass apiKey to scaleway() or set SCW_SECRET_KEY');

    // Scaleway ranks first (a negotiated price) but has no key: planning leaves it out, saying
    // why, and OVHcloud answers without a failed attempt on Scaleway first.
    const router = createRouter({
      providers: [scaleway({ prices: { 'gpt-oss-120b': { input: 0.01, output: 0.01, currency: 'EUR' } } }), ovhcloud({ apiKey: 'ovh-key' })],
      strategy: 'cheapest',
    });
    expect(router.explain(request).candidates.find((candidate) => candidate.provider === 'scaleway')?.reasons).toEqual([
      'not configured: no API key: set SCW_SECRET_KEY or pass apiKey to scaleway()',
    ]);
    const response = await router.chat.completions.create(request);
    expect(response.provider).toBe('ovhcloud');
    expect(response.route.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual(['ovhcloud:ok']);
    expect(mock.requests.map((sent) => new URL(sent.url).host)).toEqual(['oai.endpoints.kepler.ai.cloud.ovh.net']);
  });
});

describe('preset overrides', () => {
  it('replaces a price by canonical or native id, with its date', () => {
    const provider = ovhcloud({
      prices: {
        'gpt-oss-120b': { input: 0.05, output: 0.2, currency: 'EUR', asOf: '2026-12-01' },
        'Meta-Llama-3_3-70B-Instruct': { input: 0.5, output: 0.5, currency: 'EUR' },
      },
    });
    const byId = new Map(provider.models.map((offer) => [offer.id, offer]));
    expect(byId.get('gpt-oss-120b')).toMatchObject({ price: { input: 0.05, output: 0.2, currency: 'EUR' }, priceAsOf: '2026-12-01' });
    expect(byId.get('llama-3.3-70b-instruct')?.price).toEqual({ input: 0.5, output: 0.5, currency: 'EUR' });
    expect(byId.get('llama-3.3-70b-instruct')?.priceAsOf).toBeUndefined();
  });

  it('refuses a price for a model the preset does not serve, listing what it serves', () => {
    expect(() => ovhcloud({ prices: { 'gpt-4o': { input: 1, output: 1, currency: 'USD' } } })).toThrow(
      /^ovhcloud: prices\["gpt-4o"\] names no model of ovhcloud; it serves gpt-oss-120b, gpt-oss-20b, llama-3.3-70b-instruct/,
    );
  });

  it('adds models and changes built-in ones field by field', () => {
    const provider = scaleway({
      models: [
        { id: 'gpt-oss-120b', context: 64_000 },
        { id: 'voxtral-small', price: { input: 0.1, output: 0.3, currency: 'EUR' }, capabilities: ['chat'] },
      ],
    });
    const byId = new Map(provider.models.map((offer) => [offer.id, offer]));
    expect(byId.get('gpt-oss-120b')).toMatchObject({ context: 64_000, price: { input: 0.15, output: 0.6, currency: 'EUR' } });
    expect(byId.get('voxtral-small')?.capabilities).toEqual(['chat']);
  });

  it('takes facts field by field, so a contract change moves the provider into or out of a policy', () => {
    const strict = { name: 'no-us-subprocessors', allowUsSubprocessors: false };
    const builtIn = createRouter({ providers: [mistralEU({ apiKey: 'k' })], policy: strict, apiKey: 'test-x' });
    expect(builtIn.explain({ ...request, model: 'mistral-small-4' }).candidates[0]?.reasons).toContain(
      'sub-processor CoreWeave, Inc. is in US; policy no-us-subprocessors excludes US sub-processors',
    );
    const negotiated = mistralEU({ apiKey: 'k', jurisdiction: { subprocessors: [{ name: 'EU Cloud GmbH', country: 'DE' }] } });
    expect(negotiated.jurisdiction).toMatchObject({ operator: { name: 'Mistral AI SAS' }, hosting: ['FR', 'SE'] });
    const router = createRouter({ providers: [negotiated], policy: strict, apiKey: 'test-x' });
    expect(router.explain({ ...request, model: 'mistral-small-4' }).chosen).toEqual({ provider: 'mistral-eu', model: 'mistral-small-4' });
  });
});

describe('azureOpenAI', () => {
  it('calls the resource’s v1 endpoint with the deployment name and the key in api-key', async () => {
    mock.use(http.post('https://contoso-eu.openai.azure.com/openai/v1/chat/completions', () => HttpResponse.json(completion)));
    const provider = azureOpenAI({ resource: 'contoso-eu', apiKey: 'az-key', deployments: { 'gpt-4o-mini': 'mini-eu' } });
    expect(provider.models.map((offer) => [offer.id, offer.native])).toEqual([['gpt-4o-mini', 'mini-eu']]);
    const router = createRouter({ providers: [provider], policy: 'eu-hosted' });
    const response = await router.chat.completions.create({ ...request, model: 'eu-hosted/gpt-4o-mini' });
    expect(response.provider).toBe('azure-openai');
    const sent = mock.requests[0]!;
    expect(sent.headers.get('api-key')).toBe('az-key');
    expect(sent.headers.has('authorization')).toBe(false);
    expect(((await sent.json()) as { model: string }).model).toBe('mini-eu');
  });

  it('refuses a deployment of a model it does not know', () => {
    expect(() => azureOpenAI({ resource: 'contoso-eu', deployments: { 'gpt-9': 'x' } })).toThrow(/deployments\["gpt-9"\] names no catalogued model/);
  });

  it('without a resource still routes decisions, and a real call fails asking for it, without network', async () => {
    const provider = azureOpenAI({ apiKey: 'az-key' });
    expect(provider.jurisdiction?.hosting).toContain('SE');
    const error = await rejection(provider.doChat({ ...request, model: 'gpt-4o-mini' }, {}));
    expect(error.message).toBe('azure-openai: no Azure resource; pass resource (or baseURL) to azureOpenAI()');
    expect(mock.requests).toHaveLength(0);
  });
});
