import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, eur, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Scaleway SAS', country: 'FR', parents: [{ name: 'Iliad SA', country: 'FR' }] },
  // Generative APIs run only in Paris (fr-par), on hardware in a data centre operated by OPCORE
  // (Iliad group). Scaleway states it is not subject to the US CLOUD Act.
  hosting: ['FR'],
  subprocessors: [{ name: 'OPCORE', country: 'FR' }],
  verifiedAt: '2026-11-22',
  source: 'https://www.scaleway.com/en/docs/generative-apis/reference-content/data-privacy/',
};

/**
 * Scaleway Generative APIs (serverless), id `scaleway`: French operator and parent, inference in
 * Paris. Satisfies `eu-sovereign`. Key: `SCW_SECRET_KEY` (an IAM API secret key). EUR prices.
 */
export function scaleway(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'scaleway',
      id: 'scaleway',
      baseURL: 'https://api.scaleway.ai/v1',
      envVar: 'SCW_SECRET_KEY',
      jurisdiction: facts,
      models: [
        { id: 'gpt-oss-120b', price: eur(0.15, 0.6), context: 128_000, priceAsOf: '2026-10-01' },
        { id: 'llama-3.3-70b-instruct', price: eur(0.9, 0.9), context: 100_000, priceAsOf: '2026-07-02' },
        { id: 'mistral-small-3.2-24b', native: 'mistral-small-3.2-24b-instruct-2506', price: eur(0.15, 0.35), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'mistral-medium-3.5', native: 'mistral-medium-3.5-128b', price: eur(1.5, 7.5), context: 256_000, priceAsOf: '2026-10-01' },
        { id: 'qwen3-235b-a22b-2507', native: 'qwen3-235b-a22b-instruct-2507', price: eur(0.75, 2.25), context: 260_000, priceAsOf: '2026-07-02' },
        { id: 'qwen3.5-397b-a17b', price: eur(0.6, 3.6), context: 256_000, priceAsOf: '2026-07-02' },
        { id: 'qwen3-coder-30b-a3b', native: 'qwen3-coder-30b-a3b-instruct', price: eur(0.2, 0.8), context: 128_000, priceAsOf: '2026-10-01' },
        { id: 'qwen3.8-27b', price: eur(0.6, 3.3, { cachedInput: 0.12 }), priceAsOf: '2026-10-01' },
        { id: 'deepseek-v4-flash', native: 'deepseek-v4-flash-0731', price: eur(0.4, 0.8, { cachedInput: 0.08 }), context: 256_000, priceAsOf: '2026-10-01' },
        { id: 'glm-5.2', price: eur(1.8, 5.5), context: 256_000, priceAsOf: '2026-10-01' },
        { id: 'gemma-3-27b', native: 'gemma-3-27b-it', price: eur(0.25, 0.5), context: 40_000, priceAsOf: '2026-07-02' },
        { id: 'gemma-4-26b-a4b', native: 'gemma-4-26b-a4b-it', price: eur(0.25, 0.5), context: 256_000, priceAsOf: '2026-07-02' },
        { id: 'qwen3.6-35b-a3b', price: eur(0.25, 1.5), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'pixtral-12b', native: 'pixtral-12b-2409', price: eur(0.2, 0.2), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'bge-multilingual-gemma2', price: eur(0.1, 0), context: 8_191, priceAsOf: '2026-07-02' },
        { id: 'qwen3-embedding-8b', price: eur(0.1, 0), context: 32_768, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
