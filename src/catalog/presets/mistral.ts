import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, usd, type PresetOptions } from './preset.js';

/**
 * Mistral AI's published sub-processors, as reported (trust.mistral.ai/subprocessors, quoted
 * second-hand): US-owned cloud infrastructure and inference capacity. Policies that exclude US
 * sub-processors therefore exclude Mistral's endpoints.
 */
export const mistralSubprocessors = [
  { name: 'Microsoft Corporation', country: 'US' },
  { name: 'Google LLC', country: 'US' },
  { name: 'CoreWeave, Inc.', country: 'US' },
];

const facts: JurisdictionFacts = {
  operator: { name: 'Mistral AI SAS', country: 'FR', parents: [] },
  // The global endpoint does not pin where inference runs ("If you don't specify a region, the
  // API uses the global Mistral endpoint"): unknown, so EU policies exclude it. Use mistralEU().
  hosting: [],
  subprocessors: mistralSubprocessors,
  verifiedAt: '2026-11-22',
  source: 'https://docs.mistral.ai/studio-api/regional-inference',
};

/**
 * Mistral AI La Plateforme, global endpoint (`api.mistral.ai`), id `mistral-ai`. A French
 * operator, but inference geography is not guaranteed: eligible under `global` only. For EU
 * routing use {@link mistralEU}. Key: `MISTRAL_API_KEY`. List prices in USD.
 */
export function mistral(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'mistral',
      id: 'mistral-ai',
      baseURL: 'https://api.mistral.ai/v1',
      envVar: 'MISTRAL_API_KEY',
      dialect: { maxTokens: 'max_tokens', streamOptions: false, renames: { seed: 'random_seed' }, toolCallIds: 'alphanumeric-9' },
      jurisdiction: facts,
      models: [
        { id: 'mistral-medium-3.5', native: 'mistral-medium-2604', price: usd(1.5, 7.5), context: 262_144, priceAsOf: '2026-10-01' },
        { id: 'mistral-large-3', native: 'mistral-large-2512', price: usd(0.5, 1.5), context: 262_144, priceAsOf: '2026-07-02' },
        // Mistral Small 4: a third-party note reports 0.10/0.30; models.dev and genai-prices agree on 0.15/0.60.
        { id: 'mistral-small-4', native: 'mistral-small-2603', price: usd(0.15, 0.6), context: 256_000, priceAsOf: '2026-08-21' },
        { id: 'mistral-small-3.2-24b', native: 'mistral-small-2506', price: usd(0.1, 0.3), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'codestral', native: 'codestral-2508', price: usd(0.3, 0.9, { cachedInput: 0.03 }), context: 256_000, priceAsOf: '2026-10-01' },
        // GLM 5.3 hosted by Mistral; the exact model id string is not verified.
        { id: 'glm-5.3', price: usd(1.4, 4.4, { cachedInput: 0.14 }), priceAsOf: '2026-10-01' },
        { id: 'mistral-embed', price: usd(0.1, 0), context: 8_000, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
