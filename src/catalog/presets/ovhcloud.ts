import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, eur, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  // OVH Groupe also owns a separately operated US subsidiary (OVHcloud US). A subsidiary is not
  // in the operator's parent chain, so it is not US control; very strict policies can deny the id.
  operator: { name: 'OVH SAS', country: 'FR', parents: [{ name: 'OVH Groupe SA', country: 'FR' }] },
  hosting: ['FR'], // Gravelines
  subprocessors: [], // none known
  verifiedAt: '2026-11-22',
  source: 'https://www.ovhcloud.com/en/public-cloud/ai-endpoints/catalog/',
};

/**
 * OVHcloud AI Endpoints, id `ovhcloud`: French operator and parent, inference in Gravelines.
 * Satisfies `eu-sovereign`. Key: `OVHCLOUD_API_KEY` (an AI Endpoints access token). EUR prices.
 */
export function ovhcloud(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'ovhcloud',
      id: 'ovhcloud',
      baseURL: 'https://oai.endpoints.kepler.ai.cloud.ovh.net/v1',
      envVar: 'OVHCLOUD_API_KEY',
      jurisdiction: facts,
      models: [
        { id: 'gpt-oss-120b', price: eur(0.08, 0.4), context: 131_072, priceAsOf: '2026-10-01' },
        { id: 'gpt-oss-20b', price: eur(0.04, 0.15), context: 131_072, priceAsOf: '2026-06-18' },
        { id: 'llama-3.3-70b-instruct', native: 'Meta-Llama-3_3-70B-Instruct', price: eur(0.67, 0.67), context: 131_072, priceAsOf: '2026-06-18' },
        { id: 'mistral-small-3.2-24b', native: 'Mistral-Small-3.2-24B-Instruct-2506', price: eur(0.09, 0.28), context: 131_072, priceAsOf: '2026-06-18' },
        { id: 'qwen3-32b', native: 'Qwen3-32B', price: eur(0.08, 0.23), context: 32_768, priceAsOf: '2026-06-18' },
        { id: 'qwen3.5-397b-a17b', native: 'Qwen3.5-397B-A17B', price: eur(0.6, 3.6), context: 262_144, priceAsOf: '2026-06-18' },
        { id: 'qwen3.8-27b', native: 'Qwen3.8-27B', price: eur(0.4, 2.7), priceAsOf: '2026-10-01' },
        // Back-converted from USD list prices: approximate.
        { id: 'mistral-nemo-12b', native: 'Mistral-Nemo-Instruct-2407', price: eur(0.13, 0.13), context: 65_536, priceAsOf: '2026-07-02' },
        { id: 'mistral-7b', native: 'Mistral-7B-Instruct-v0.3', price: eur(0.1, 0.1), context: 65_536, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
