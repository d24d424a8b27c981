import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, eur, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Berget AI AB', country: 'SE', parents: [] },
  hosting: ['SE'],
  // Sub-processors not reviewed: left unknown, so policies that ask about them exclude Berget.
  verifiedAt: '2026-11-22',
  source: 'https://berget.ai/sv/acceptable-use',
};

/**
 * Berget AI, id `berget`: Swedish operator, inference in Sweden. Satisfies `eu-sovereign`. Key:
 * `BERGET_API_KEY`. EUR prices back-converted from USD listings (approximate); Berget publishes
 * its own in `GET /v1/models`.
 */
export function berget(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'berget',
      id: 'berget',
      baseURL: 'https://api.berget.ai/v1',
      envVar: 'BERGET_API_KEY',
      jurisdiction: facts,
      models: [
        { id: 'gpt-oss-120b', native: 'openai/gpt-oss-120b', price: eur(0.2, 0.75), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'llama-3.3-70b-instruct', native: 'meta-llama/Llama-3.3-70B-Instruct', price: eur(0.9, 0.9), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'mistral-small-3.2-24b', native: 'mistralai/Mistral-Small-3.2-24B-Instruct-2506', price: eur(0.3, 0.3), context: 32_000, priceAsOf: '2026-07-02' },
        { id: 'mistral-medium-3.5', native: 'mistralai/Mistral-Medium-3.5-128B', price: eur(1.5, 5), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'gemma-4-31b', native: 'google/gemma-4-31B-it', price: eur(0.25, 0.5), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'kimi-k2.6', native: 'moonshotai/Kimi-K2.6', price: eur(0.75, 3.5), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'glm-5.2', native: 'zai-org/GLM-5.2', price: eur(1.4, 4.4), context: 524_288, priceAsOf: '2026-07-02' },
        { id: 'glm-4.7', native: 'zai-org/GLM-4.7', price: eur(0.7, 2.5), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'glm-5.3-flash', native: 'zai-org/GLM-5.3-Flash', price: eur(0.25, 0.5), priceAsOf: '2026-10-01' },
        { id: 'kimi-k3', native: 'moonshotai/Kimi-K3', price: eur(3, 15), priceAsOf: '2026-10-01' },
      ],
    },
    options,
  );
}
