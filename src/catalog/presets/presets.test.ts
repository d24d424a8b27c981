import { describe, expect, it } from 'vitest';
import { defaultFx } from '../../pricing/currency.js';
import { strictestTier } from '../../policy/tier.js';
import type { Provider } from '../../providers/types.js';
import { createRouter } from '../../router/create-router.js';
import { buildCatalogIndex } from '../catalog-index.js';
import { defaultCatalog } from '../default-catalog.js';
import { modelTraits } from './model-traits.js';

/* The contract every built-in preset meets, run against the whole catalogue. */

const catalog = defaultCatalog();
const isoDate = /^\d{4}(-\d{2}-\d{2})?$/;
const country = /^[A-Z]{2}$/;
/** Presets whose operator's parent chain is not known, so eu-sovereign refuses them. */
const unknownChains = new Set(['cloudferro-sherlock']);

/**
 * Offers whose context window the provider does not publish (its model pages give
 * none): the capability filter cannot exclude a request as too long for them, and they are not
 * given a guessed number, since the same model's window differs between providers. Any other
 * offer must declare its window.
 */
const unpublishedWindows = new Set([
  'mistral-ai/glm-5.3',
  'mistral-eu/glm-5.3',
  'scaleway/qwen3.8-27b',
  'ovhcloud/qwen3.8-27b',
  'berget/glm-5.3-flash',
  'berget/kimi-k3',
  'regolo/glm-5.2',
  't-systems/gpt-oss-120b',
  't-systems/glm-5.2',
  't-systems/glm-5.3-flash',
  't-systems/qwen3.8-27b',
  'infomaniak/qwen3.5-397b-a17b',
  'infomaniak/gemma-4-31b',
  'together/kimi-k3',
  'nebius/kimi-k3',
]);

/** Provider id → the strictest built-in policy it satisfies. The table in docs/providers.md says the same. */
const expectedTiers = {
  'mistral-ai': 'global',
  'mistral-eu': 'eu-sovereign',
  scaleway: 'eu-sovereign',
  ovhcloud: 'eu-sovereign',
  ionos: 'eu-sovereign',
  stackit: 'eu-sovereign',
  berget: 'eu-sovereign',
  regolo: 'eu-sovereign',
  't-systems': 'eu-sovereign',
  evroc: 'eu-sovereign',
  // A Polish operator hosting in Poland, but who owns it is unreviewed: its chain is unknown.
  'cloudferro-sherlock': 'eu-hosted',
  // Hosted in Switzerland, outside the EU/EEA.
  infomaniak: 'global',
  openai: 'global',
  anthropic: 'global',
  'azure-openai': 'eu-hosted',
  groq: 'global',
  together: 'global',
  deepinfra: 'global',
  fireworks: 'global',
  cerebras: 'global',
  nebius: 'global',
  // The hyperscalers: EU-hosted under US parents, and the Gemini API with no region.
  'bedrock-eu-central-1': 'eu-hosted',
  'vertex-eu': 'eu-hosted',
  gemini: 'global',
};

describe.each(catalog.map((provider) => [provider.id, provider] as const))('preset %s', (_id, provider: Provider) => {
  it('declares its operator, hosting countries, when the facts were verified and where from', () => {
    const facts = provider.jurisdiction!;
    expect(facts.operator.name.length).toBeGreaterThan(0);
    // A missing chain is unknown and fails eu-sovereign; an independent operator declares [].
    if (unknownChains.has(provider.id)) expect(facts.operator.parents).toBeUndefined();
    else expect(facts.operator.parents).toBeInstanceOf(Array);
    for (const entity of [facts.operator, ...(facts.operator.parents ?? []), ...(facts.subprocessors ?? [])]) {
      expect(entity.country).toMatch(country);
    }
    for (const hosting of facts.hosting) expect(hosting).toMatch(country);
    expect(facts.verifiedAt).toMatch(isoDate);
    expect(facts.source).toMatch(/^https:\/\//);
  });

  it('prices every model with a currency and a date, and describes what it can do', () => {
    expect(provider.models.length).toBeGreaterThan(0);
    for (const offer of provider.models) {
      expect(offer.price, offer.id).toMatchObject({ input: expect.any(Number), output: expect.any(Number) });
      expect(['EUR', 'USD', 'CHF']).toContain(offer.price!.currency);
      expect(offer.priceAsOf, offer.id).toMatch(isoDate);
      expect(offer.capabilities, offer.id).toEqual(expect.arrayContaining([expect.stringMatching(/^(chat|embeddings)$/)]));
      expect(modelTraits[offer.id], `${offer.id} has shared traits`).toBeDefined();
      if (offer.capabilities!.includes('chat')) expect(offer.quality).toBeGreaterThan(0);
    }
  });

  it('declares the context window of every model whose provider publishes one', () => {
    for (const offer of provider.models) {
      const key = `${provider.id}/${offer.id}`;
      if (unpublishedWindows.has(key)) expect(offer.context, `${key} is listed as unpublished`).toBeUndefined();
      else expect(offer.context, `${key} needs its context window`).toBeGreaterThan(0);
    }
  });

  it(`satisfies ${expectedTiers[provider.id as keyof typeof expectedTiers]} and nothing stricter`, () => {
    expect(strictestTier(provider.id, provider.jurisdiction)).toBe(expectedTiers[provider.id as keyof typeof expectedTiers]);
  });
});

describe('the catalogue', () => {
  it('has one preset per provider, with stable kebab-case ids', () => {
    expect(catalog.map((provider) => provider.id).sort()).toEqual(Object.keys(expectedTiers).sort());
  });

  it('names each model by one canonical id: no id of one model finds another model', () => {
    const index = buildCatalogIndex(catalog, 'EUR', defaultFx);
    for (const candidate of index.all) {
      for (const id of [candidate.model, candidate.native]) {
        const models = new Set(index.byModel(id).map((found) => found.model));
        expect([...models], `${candidate.key} as ${id}`).toEqual([candidate.model]);
      }
    }
  });

  it.each([
    ['llama-3.3-70b-instruct', ['berget', 'cloudferro-sherlock', 'deepinfra', 'evroc', 'groq', 'ionos', 'nebius', 'ovhcloud', 'regolo', 'scaleway', 'stackit', 'together']],
    [
      'gpt-oss-120b',
      ['azure-openai', 'bedrock-eu-central-1', 'berget', 'cerebras', 'cloudferro-sherlock', 'deepinfra', 'evroc', 'fireworks', 'groq', 'ionos', 'nebius', 'ovhcloud', 'regolo', 'scaleway', 'stackit', 't-systems', 'together'],
    ],
  ])('lets every provider serving %s compete, whichever id names it', (canonical, providers) => {
    const index = buildCatalogIndex(catalog, 'EUR', defaultFx);
    const natives = index.all.filter((candidate) => candidate.model === canonical).map((candidate) => candidate.native);
    expect(natives.length).toBe(providers.length);
    for (const id of [canonical, ...natives]) {
      expect(index.byModel(id).map((candidate) => candidate.provider.id).sort(), id).toEqual(providers);
    }
  });

  it('finds a Hugging Face id under a namespace the catalogue knows, but never turns a mistyped provider into a pinned model', () => {
    const index = buildCatalogIndex(catalog, 'EUR', defaultFx);
    // No preset lists this exact id, but some list the bare name, and meta-llama is a known namespace.
    expect(index.byModel('meta-llama/Llama-3.1-8B-Instruct').map((candidate) => candidate.model)).toContain('llama-3.1-8b-instruct');
    expect(index.byModel('opneai/gpt-4o')).toEqual([]);
    const router = createRouter({ providers: catalog, apiKey: 'test-catalogue' });
    expect(() => router.explain({ model: 'opneai/gpt-4o', messages: [{ role: 'user', content: 'x' }] })).toThrow(/"opneai" is not a provider/);
    // A provider that is also a namespace keeps its pin: OpenAI does not serve this llama.
    expect(() => router.explain({ model: 'openai/llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'x' }] })).toThrow(/provider openai does not serve model "llama-3.3-70b-instruct"/);
  });
});
