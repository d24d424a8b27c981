import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockServer } from '../../../test/helpers/msw.js';
import { eeaCountries } from '../../policy/countries.js';
import { strictestTier } from '../../policy/tier.js';
import { defaultFx } from '../../pricing/currency.js';
import type { Provider } from '../../providers/types.js';
import { createRouter } from '../../router/create-router.js';
import type { RouterOptions } from '../../router/options.js';
import { buildCatalogIndex } from '../catalog-index.js';
import { cloudferro } from './cloudferro.js';
import { evroc } from './evroc.js';
import { infomaniak } from './infomaniak.js';
import { tSystems } from './t-systems.js';
import { rejection } from '../../../test/helpers/rejection.js';

/* T-Systems, evroc, CloudFerro and Infomaniak: their tier, model ids, prices and wire details. */

const mock = mockServer();
const messages = [{ role: 'user' as const, content: 'Hello' }];
const completion = (model: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hej!', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
});
/** Answers chat completions at exactly `url`, echoing the model it was sent. */
const chatAt = (url: string) =>
  http.post(url, async ({ request }) => HttpResponse.json(completion(((await request.json()) as { model: string }).model)));

afterEach(() => {
  vi.unstubAllEnvs();
});

interface Case {
  factory: () => Provider;
  id: string;
  tier: 'eu-sovereign' | 'eu-hosted' | 'global';
  envVar: string;
  chatURL: string;
  /** A native id, the canonical id it must resolve to, and that offer's price and context. */
  native: string;
  canonical: string;
  price: { input: number; output: number; cachedInput?: number; currency: string };
  context: number | undefined;
}

const cases: Case[] = [
  {
    factory: () => tSystems(),
    id: 't-systems',
    tier: 'eu-sovereign',
    envVar: 'T_SYSTEMS_LLM_API_KEY',
    chatURL: 'https://llm-server.llmhub.t-systems.net/v2/chat/completions',
    native: 'Qwen3.8-27B-FP8',
    canonical: 'qwen3.8-27b',
    price: { input: 0.5, output: 2.5, cachedInput: 0.075, currency: 'EUR' },
    context: undefined,
  },
  {
    factory: () => evroc(),
    id: 'evroc',
    tier: 'eu-sovereign',
    envVar: 'EVROC_API_KEY',
    chatURL: 'https://models.think.evroc.com/v1/chat/completions',
    native: 'nvidia/Llama-3.3-70B-Instruct-FP8',
    canonical: 'llama-3.3-70b-instruct',
    price: { input: 1, output: 1, currency: 'EUR' },
    context: 128_000,
  },
  {
    factory: () => cloudferro(),
    id: 'cloudferro-sherlock',
    tier: 'eu-hosted',
    envVar: 'CLOUDFERRO_SHERLOCK_API_KEY',
    chatURL: 'https://api-sherlock.cloudferro.com/openai/v1/chat/completions',
    native: 'speakleash/Bielik-11B-v3.0-Instruct',
    canonical: 'bielik-11b-v3',
    price: { input: 0.67, output: 0.67, currency: 'USD' },
    context: 32_000,
  },
  {
    factory: () => infomaniak({ productId: '105123' }),
    id: 'infomaniak',
    tier: 'global',
    envVar: 'INFOMANIAK_API_TOKEN',
    chatURL: 'https://api.infomaniak.com/2/ai/105123/openai/v1/chat/completions',
    native: 'moonshotai/Kimi-K2.6',
    canonical: 'kimi-k2.6',
    price: { input: 0.6, output: 3, currency: 'CHF' },
    context: 262_144,
  },
];

describe.each(cases)('$id', (preset) => {
  it(`satisfies ${preset.tier} and nothing stricter`, () => {
    const provider = preset.factory();
    expect(provider.id).toBe(preset.id);
    expect(strictestTier(provider.id, provider.jurisdiction)).toBe(preset.tier);
  });

  it(`finds ${preset.canonical} by its native id ${preset.native}, with its researched price and window`, () => {
    const index = buildCatalogIndex([preset.factory()], 'EUR', defaultFx);
    const [found, ...others] = index.byModel(preset.native);
    expect(others).toEqual([]);
    expect(found).toMatchObject({ model: preset.canonical, native: preset.native });
    expect(found?.offer.price).toEqual(preset.price);
    expect(found?.offer.context).toBe(preset.context);
  });

  it('sends a routed call to its endpoint with the native id and the key from its variable, read at call time', async () => {
    mock.use(chatAt(preset.chatURL));
    const router = createRouter({ providers: [preset.factory()] });
    vi.stubEnv(preset.envVar, 'sk-from-env');
    const response = await router.chat.completions.create({ model: `${preset.id}/${preset.canonical}`, messages });
    expect(response.provider).toBe(preset.id);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]?.url).toBe(preset.chatURL);
    expect(mock.requests[0]?.headers.get('authorization')).toBe('Bearer sk-from-env');
    expect(((await mock.requests[0]!.json()) as { model: string }).model).toBe(preset.native);
  });
});

describe('t-systems', () => {
  it('serves legacy completions on its /v2 root', async () => {
    mock.use(
      http.post('https://llm-server.llmhub.t-systems.net/v2/completions', () =>
        HttpResponse.json({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'gpt-oss-120b', choices: [{ text: ' GmbH', index: 0, logprobs: null, finish_reason: 'stop' }] }),
      ),
    );
    const router = createRouter({ providers: [tSystems({ apiKey: 'sk-ts' })] });
    const response = await router.completions.create({ model: 't-systems/gpt-oss-120b', prompt: 'T-Systems International' });
    expect(response.choices[0]?.text).toBe(' GmbH');
    expect(mock.requests[0]?.headers.get('authorization')).toBe('Bearer sk-ts');
  });
});

describe('cloudferro', () => {
  it('becomes eu-sovereign once its owners are declared', () => {
    const declared = cloudferro({ jurisdiction: { operator: { name: 'CloudFerro S.A.', country: 'PL', parents: [] } } });
    expect(strictestTier(declared.id, declared.jurisdiction)).toBe('eu-sovereign');
  });
});

describe('infomaniak', () => {
  const kimi = { model: 'infomaniak/kimi-k2.6', messages };

  it('reads the product id from INFOMANIAK_PRODUCT_ID at call time', async () => {
    mock.use(chatAt('https://api.infomaniak.com/2/ai/777/openai/v1/chat/completions'));
    const router = createRouter({ providers: [infomaniak({ apiKey: 'ik-key' })] });
    vi.stubEnv('INFOMANIAK_PRODUCT_ID', '777');
    await router.chat.completions.create(kimi);
    expect(mock.requests.map((sent) => sent.url)).toEqual(['https://api.infomaniak.com/2/ai/777/openai/v1/chat/completions']);
  });

  it('without a product id, fails the call naming both ways to give one, and sends nothing', async () => {
    vi.stubEnv('INFOMANIAK_PRODUCT_ID', '');
    const error = await rejection(infomaniak({ apiKey: 'ik-key' }).doChat({ ...kimi, model: 'moonshotai/Kimi-K2.6' }, {}));
    expect(error.message).toBe('infomaniak: no product id; pass productId to infomaniak() or set INFOMANIAK_PRODUCT_ID');
    expect(mock.requests).toHaveLength(0);
    expect(() => infomaniak({ productId: '../admin' })).toThrow('infomaniak: productId "../admin" is not a product id');
  });

  it('drops response_format text, which Infomaniak refuses, and keeps JSON-mode requests away from it', async () => {
    mock.use(chatAt('https://api.infomaniak.com/2/ai/1/openai/v1/chat/completions'));
    const router = createRouter({ providers: [infomaniak({ apiKey: 'ik-key', productId: '1' })] });
    await router.chat.completions.create({ ...kimi, response_format: { type: 'text' }, temperature: 0.2 });
    const sent = (await mock.requests[0]!.json()) as Record<string, unknown>;
    expect(sent).not.toHaveProperty('response_format');
    expect(sent).toMatchObject({ model: 'moonshotai/Kimi-K2.6', temperature: 0.2 });

    const decision = router.explain({ ...kimi, response_format: { type: 'json_object' } });
    expect(decision.chosen).toBeNull();
    expect(decision.candidates[0]?.reasons).toEqual(['model does not support JSON output']);
  });

  it('is refused by the EU policies for its Swiss hosting, and admitted by one that adds Switzerland', () => {
    // Configured: an unconfigured deployment is excluded for that before any policy could admit it.
    const provider = infomaniak({ apiKey: 'ik-key', productId: '1' });
    const eligible = (policy: NonNullable<RouterOptions['policy']>) =>
      createRouter({ providers: [provider], policy }).explain({ model: 'kimi-k2.6', messages }).candidates[0];
    expect(eligible('eu-hosted')).toMatchObject({ eligible: false, reasons: ['inference hosted in CH; policy eu-hosted allows EEA'] });
    const swissToo = { name: 'eea-and-ch', hosting: [...eeaCountries, 'CH'], operator: [...eeaCountries, 'CH'], allowUsControl: false, zeroRetention: true };
    expect(eligible(swissToo)).toMatchObject({ eligible: true, reasons: [] });
    // No sub-processors were found, which is not knowing there are none: a policy that asks refuses it.
    expect(eligible({ ...swissToo, name: 'no-us-subprocessors', allowUsSubprocessors: false })).toMatchObject({ eligible: false });
  });
});
