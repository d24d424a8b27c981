import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { mistralSubprocessors } from './mistral.js';
import { buildPreset, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Mistral AI SAS', country: 'FR', parents: [] },
  // Mistral documents an "EU/EFTA" region group without naming countries; France and Sweden
  // are the reported sites. Override `hosting` (or set it to []) if your contract says otherwise.
  hosting: ['FR', 'SE'],
  subprocessors: mistralSubprocessors,
  verifiedAt: '2026-11-22',
  source: 'https://docs.mistral.ai/studio-api/regional-inference',
};

/**
 * Mistral AI La Plateforme, EU regional endpoint (`api.eu.mistral.ai`), id `mistral-eu`: a French
 * operator with no parent, inference in the EU. Satisfies `eu-sovereign`; excluded by policies
 * that refuse US sub-processors. Billed at 1.1× list price, cache reads too (included below). Key:
 * `MISTRAL_API_KEY`.
 */
export function mistralEU(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'mistralEU',
      id: 'mistral-eu',
      baseURL: 'https://api.eu.mistral.ai/v1',
      envVar: 'MISTRAL_API_KEY',
      dialect: { maxTokens: 'max_tokens', streamOptions: false, renames: { seed: 'random_seed' }, toolCallIds: 'alphanumeric-9' },
      jurisdiction: facts,
      models: [
        { id: 'mistral-medium-3.5', native: 'mistral-medium-2604', price: usd(1.65, 8.25), context: 262_144, priceAsOf: '2026-10-01' },
        { id: 'mistral-large-3', native: 'mistral-large-2512', price: usd(0.55, 1.65), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'mistral-small-4', native: 'mistral-small-2603', price: usd(0.165, 0.66), context: 256_000, priceAsOf: '2026-08-21' },
        { id: 'mistral-small-3.2-24b', native: 'mistral-small-2506', price: usd(0.11, 0.33), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'codestral', native: 'codestral-2508', price: usd(0.33, 0.99, { cachedInput: 0.033 }), context: 256_000, priceAsOf: '2026-10-01' },
        { id: 'magistral-medium', native: 'magistral-medium-latest', price: usd(2.2, 5.5), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'magistral-small', native: 'magistral-small-latest', price: usd(0.55, 1.65), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'ministral-8b', native: 'ministral-8b-latest', price: usd(0.11, 0.11), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'ministral-3b', native: 'ministral-3b-latest', price: usd(0.044, 0.044), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'mistral-nemo-12b', native: 'open-mistral-nemo', price: usd(0.165, 0.165), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'pixtral-12b', price: usd(0.165, 0.165), context: 128_000, priceAsOf: '2026-07-02' },
        // Whether the EU endpoint serves GLM 5.3, and under which id, is not verified.
        { id: 'glm-5.3', price: usd(1.54, 4.84, { cachedInput: 0.154 }), priceAsOf: '2026-10-01' },
        { id: 'mistral-embed', price: usd(0.11, 0), context: 8_000, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
