import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, eur, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'STACKIT GmbH & Co. KG', country: 'DE', parents: [{ name: 'Schwarz Group', country: 'DE' }] },
  hosting: ['DE'], // region eu01, Schwarz-owned data centres
  subprocessors: [], // none known
  verifiedAt: '2026-11-22',
  source: 'https://stackit.de/en/general-terms-and-conditions/service-certificates/service-certificate-stackit-model-serving',
};

/**
 * STACKIT AI Model Serving, id `stackit`: German operator (Schwarz Group), inference in Germany.
 * Satisfies `eu-sovereign`. Also serves legacy `POST /completions`. Key:
 * `STACKIT_MODEL_SERVING_AUTH_TOKEN`. EUR prices; tiers other than "Plus" are back-converted and
 * approximate. Llama 3.3 70B here is an FP8 quantisation.
 */
export function stackit(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'stackit',
      id: 'stackit',
      baseURL: 'https://api.openai-compat.model-serving.eu01.onstackit.cloud/v1',
      envVar: 'STACKIT_MODEL_SERVING_AUTH_TOKEN',
      jurisdiction: facts,
      completions: true,
      models: [
        { id: 'gpt-oss-120b', native: 'openai/gpt-oss-120b', price: eur(0.45, 0.65), context: 131_000, priceAsOf: '2026-10-01' },
        { id: 'llama-3.3-70b-instruct', native: 'cortecs/Llama-3.3-70B-Instruct-FP8-Dynamic', price: eur(0.45, 0.65), context: 128_000, priceAsOf: '2026-09-29' },
        { id: 'qwen3.8-27b', native: 'Qwen/Qwen3.8-27B', price: eur(0.45, 0.65), context: 262_000, priceAsOf: '2026-10-01' },
        { id: 'gemma-4-31b', native: 'google/gemma-4-31B-it', price: eur(0.45, 0.65), context: 256_000, priceAsOf: '2026-09-29' },
        { id: 'gpt-oss-20b', native: 'openai/gpt-oss-20b', price: eur(0.15, 0.25), context: 131_000, priceAsOf: '2026-09-29' },
        { id: 'qwen3-vl-235b-a22b', native: 'Qwen/Qwen3-VL-235B-A22B-Instruct-FP8', price: eur(1.5, 1.75), context: 200_000, priceAsOf: '2026-09-29' },
        { id: 'qwen3-vl-embedding-8b', native: 'Qwen/Qwen3-VL-Embedding-8B', price: eur(0.08, 0), context: 32_000, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
