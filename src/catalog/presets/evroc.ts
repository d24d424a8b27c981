import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, eur, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  // A founder-led Swedish start-up with no parent company; its venture investors (EQT Ventures,
  // Norrsken VC, blisce/, Giant Ventures) hold minority stakes.
  operator: { name: 'evroc AB', country: 'SE', parents: [] },
  hosting: ['SE'],
  // Sub-processors not reviewed: left unknown, so policies that ask about them exclude evroc.
  verifiedAt: '2026-11-22',
  source: 'https://docs.evroc.com/products/think/overview.html',
};

/**
 * evroc Think, id `evroc`: Swedish operator, inference in Sweden. Satisfies `eu-sovereign`. Key:
 * `EVROC_API_KEY`. EUR prices back-converted from USD listings (approximate). Llama 3.3 70B and
 * Qwen3.6 here are FP8 quantisations.
 */
export function evroc(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'evroc',
      id: 'evroc',
      baseURL: 'https://models.think.evroc.com/v1',
      envVar: 'EVROC_API_KEY',
      jurisdiction: facts,
      models: [
        { id: 'gpt-oss-120b', native: 'openai/gpt-oss-120b', price: eur(0.2, 0.8), context: 65_536, priceAsOf: '2026-07-02' },
        { id: 'llama-3.3-70b-instruct', native: 'nvidia/Llama-3.3-70B-Instruct-FP8', price: eur(1, 1), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'mistral-medium-3.5', native: 'mistralai/Mistral-Medium-3.5-128B', price: eur(1.5, 6), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'kimi-k2.6', native: 'moonshotai/Kimi-K2.6', price: eur(1.25, 5), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'qwen3.6-35b-a3b', native: 'Qwen/Qwen3.6-35B-A3B-FP8', price: eur(0.3, 1.2), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'gemma-4-26b-a4b', native: 'google/gemma-4-26B-A4B-it', price: eur(0.125, 0.5), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'qwen3-embedding-8b', native: 'Qwen/Qwen3-Embedding-8B', price: eur(0.1, 0), context: 40_960, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
