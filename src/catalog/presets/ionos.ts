import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, eur, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: {
    name: 'IONOS Cloud GmbH',
    country: 'DE',
    parents: [
      { name: 'IONOS SE', country: 'DE' },
      { name: 'United Internet AG', country: 'DE' },
    ],
  },
  hosting: ['DE'], // Berlin (de-txl)
  subprocessors: [], // IONOS states the Model Hub uses no third-party sub-processors
  verifiedAt: '2026-11-22',
  source: 'https://docs.ionos.com/cloud/ai/ai-model-hub/governance-and-compliance/data-handling.md',
};

/**
 * IONOS AI Model Hub, id `ionos`: German operator and parents, inference in Berlin. Satisfies
 * `eu-sovereign`. Key: `IONOS_API_TOKEN`. EUR prices (business customers). Some model id
 * strings are inferred from public code samples; check them with `GET /models`.
 */
export function ionos(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'ionos',
      id: 'ionos',
      baseURL: 'https://openai.inference.de-txl.ionos.com/v1',
      envVar: 'IONOS_API_TOKEN',
      jurisdiction: facts,
      models: [
        { id: 'gpt-oss-120b', native: 'openai/gpt-oss-120b', price: eur(0.15, 0.65), context: 131_072, priceAsOf: '2026-10-01' },
        { id: 'qwen3-coder-next-80b', native: 'Qwen/Qwen3-Coder-Next', price: eur(0.15, 0.8), context: 262_144, priceAsOf: '2026-10-01' },
        { id: 'llama-3.3-70b-instruct', native: 'meta-llama/Llama-3.3-70B-Instruct', price: eur(0.65, 0.65), context: 128_000, priceAsOf: '2026-06-18' },
        { id: 'llama-3.1-405b-instruct', native: 'meta-llama/Meta-Llama-3.1-405B-Instruct-FP8', price: eur(1.75, 1.75), context: 128_000, priceAsOf: '2026-06-18' },
        { id: 'mistral-small-24b', native: 'mistralai/Mistral-Small-24B-Instruct', price: eur(0.1, 0.3), context: 32_768, priceAsOf: '2026-06-18' },
        { id: 'llama-3.1-8b-instruct', native: 'meta-llama/Meta-Llama-3.1-8B-Instruct', price: eur(0.15, 0.15), context: 128_000, priceAsOf: '2026-06-18' },
      ],
    },
    options,
  );
}
