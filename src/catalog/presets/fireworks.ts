import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Fireworks AI, Inc.', country: 'US', parents: [] },
  // Serverless data residency is "none" (default) or US; EU sites serve dedicated deployments only.
  hosting: ['US'],
  verifiedAt: '2026-11-22',
  source: 'https://docs.fireworks.ai/accounts/data-residency',
};

const model = (name: string) => `accounts/fireworks/models/${name}`;

/**
 * Fireworks AI (serverless), id `fireworks`: a US operator. Eligible under `global` only. Also
 * serves legacy `POST /completions`. Key: `FIREWORKS_API_KEY`. USD prices.
 */
export function fireworks(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'fireworks',
      id: 'fireworks',
      baseURL: 'https://api.fireworks.ai/inference/v1',
      envVar: 'FIREWORKS_API_KEY',
      jurisdiction: facts,
      completions: true,
      models: [
        { id: 'gpt-oss-120b', native: model('gpt-oss-120b'), price: usd(0.15, 0.6, { cachedInput: 0.015 }), context: 131_072, priceAsOf: '2026-10-01' },
        { id: 'gpt-oss-20b', native: model('gpt-oss-20b'), price: usd(0.07, 0.3), context: 131_072, priceAsOf: '2026-08-21' },
        { id: 'glm-5.2', native: model('glm-5p2'), price: usd(1.4, 4.4), context: 1_048_575, priceAsOf: '2026-08-21' },
        { id: 'kimi-k2.6', native: model('kimi-k2p6'), price: usd(0.95, 4), context: 262_000, priceAsOf: '2026-08-21' },
        { id: 'deepseek-v4-pro', native: model('deepseek-v4-pro'), price: usd(1.74, 3.48), context: 1_000_000, priceAsOf: '2026-08-21' },
        { id: 'deepseek-v4-flash', native: model('deepseek-v4-flash'), price: usd(0.14, 0.28), context: 1_000_000, priceAsOf: '2026-08-21' },
        { id: 'qwen3-235b-a22b', native: model('qwen3-235b-a22b'), price: usd(0.22, 0.88), context: 128_000, priceAsOf: '2026-08-21' },
        { id: 'minimax-m3', native: model('minimax-m3'), price: usd(0.3, 1.2), context: 512_000, priceAsOf: '2026-08-21' },
        { id: 'llama-4-maverick', native: model('llama4-maverick-instruct-basic'), price: usd(0.22, 0.88), context: 1_000_000, priceAsOf: '2026-08-21' },
      ],
    },
    options,
  );
}
