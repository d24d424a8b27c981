import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, eur, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  // The DHH parent relationship is from a secondary source.
  operator: { name: 'Seeweb S.r.l.', country: 'IT', parents: [{ name: 'DHH S.p.A.', country: 'IT' }] },
  hosting: ['IT'], // Seeweb data centres, Frosinone and Milan
  subprocessors: [], // none known
  zeroRetention: true, // "zero data retention by design"
  verifiedAt: '2026-11-22',
  source: 'https://regolo.ai/terms-and-conditions',
};

/**
 * Regolo.ai by Seeweb, id `regolo`: Italian operator and parent, inference in Italy, no data
 * retention. Satisfies `eu-sovereign` and zero-retention policies. Key: `REGOLO_API_KEY`. EUR
 * prices.
 */
export function regolo(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'regolo',
      id: 'regolo',
      baseURL: 'https://api.regolo.ai/v1',
      envVar: 'REGOLO_API_KEY',
      jurisdiction: facts,
      models: [
        { id: 'gpt-oss-120b', price: eur(1, 4.2), context: 128_000, priceAsOf: '2026-10-01' },
        { id: 'gpt-oss-20b', price: eur(0.4, 1.8), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'llama-3.3-70b-instruct', native: 'Llama-3.3-70B-Instruct', price: eur(0.6, 2.7), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'llama-3.1-8b-instruct', native: 'Llama-3.1-8B-Instruct', price: eur(0.05, 0.25), context: 120_000, priceAsOf: '2026-07-02' },
        { id: 'mistral-small-3.2-24b', native: 'mistral-small3.2', price: eur(0.5, 2.2), context: 120_000, priceAsOf: '2026-07-02' },
        { id: 'mistral-small-4', native: 'mistral-small-4-119b', price: eur(0.75, 3), context: 256_000, priceAsOf: '2026-07-02' },
        { id: 'minimax-m2.5', price: eur(0.8, 3.5), context: 190_000, priceAsOf: '2026-07-02' },
        { id: 'qwen3-coder-next-80b', native: 'qwen3-coder-next', price: eur(0.3, 1.2), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'qwen3.5-122b-a10b', native: 'qwen3.5-122b', price: eur(0.9, 3.6), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'qwen3.5-9b', price: eur(0.15, 0.6), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'glm-5.2', native: 'glm5.2', price: eur(2, 5.2), priceAsOf: '2026-10-01' },
        { id: 'qwen3-embedding-8b', price: eur(0.1, 0), context: 32_768, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
