import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Deep Infra, Inc.', country: 'US', parents: [] },
  hosting: ['US', 'CA'], // eight US data centres and Toronto; no EU region
  verifiedAt: '2026-11-22',
  source: 'https://deepinfra.com/pricing',
};

/**
 * DeepInfra, id `deepinfra`: a US operator, inference in the US and Canada. Eligible under
 * `global` only. Also serves legacy `POST /completions`. Key: `DEEPINFRA_API_KEY`. USD prices.
 */
export function deepinfra(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'deepinfra',
      id: 'deepinfra',
      baseURL: 'https://api.deepinfra.com/v1/openai',
      envVar: 'DEEPINFRA_API_KEY',
      jurisdiction: facts,
      completions: true,
      models: [
        { id: 'gpt-oss-120b', native: 'openai/gpt-oss-120b', price: usd(0.037, 0.17), context: 131_072, priceAsOf: '2026-10-01' },
        { id: 'gpt-oss-20b', native: 'openai/gpt-oss-20b', price: usd(0.03, 0.14), context: 131_072, priceAsOf: '2026-07-02' },
        { id: 'llama-3.3-70b-instruct', native: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', price: usd(0.1, 0.32), context: 131_072, priceAsOf: '2026-07-02' },
        { id: 'llama-4-maverick', native: 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8', price: usd(0.15, 0.6), context: 1_048_576, priceAsOf: '2026-07-02' },
        { id: 'llama-4-scout', native: 'meta-llama/Llama-4-Scout-17B-16E-Instruct', price: usd(0.1, 0.3), context: 327_680, priceAsOf: '2026-07-02' },
        { id: 'qwen3.5-397b-a17b', native: 'Qwen/Qwen3.5-397B-A17B', price: usd(0.45, 3), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'qwen3-coder-480b', native: 'Qwen/Qwen3-Coder-480B-A35B-Instruct-Turbo', price: usd(0.3, 1), context: 262_144, priceAsOf: '2026-10-01' },
        { id: 'deepseek-v4-pro', native: 'deepseek-ai/DeepSeek-V4-Pro', price: usd(1.3, 2.6), context: 1_048_576, priceAsOf: '2026-10-01' },
        { id: 'deepseek-v4-flash', native: 'deepseek-ai/DeepSeek-V4-Flash', price: usd(0.09, 0.18, { cachedInput: 0.018 }), context: 1_048_576, priceAsOf: '2026-10-01' },
        // GLM 5.2: models.dev lists 0.95/3.00, a research note 1.40/4.40.
        { id: 'glm-5.2', native: 'zai-org/GLM-5.2', price: usd(0.95, 3), context: 1_048_576, priceAsOf: '2026-07-02' },
        { id: 'kimi-k2.6', native: 'moonshotai/Kimi-K2.6', price: usd(0.75, 3.5), context: 262_144, priceAsOf: '2026-10-01' },
        { id: 'gemma-4-31b', native: 'google/gemma-4-31B-it', price: usd(0.13, 0.38), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'gemma-4-26b-a4b', native: 'google/gemma-4-26B-A4B-it', price: usd(0.07, 0.34), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'minimax-m2.5', native: 'MiniMaxAI/MiniMax-M2.5', price: usd(0.15, 1.15), context: 196_608, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
