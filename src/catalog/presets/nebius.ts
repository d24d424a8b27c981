import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Nebius B.V.', country: 'NL', parents: [{ name: 'Nebius Group N.V.', country: 'NL' }] },
  // Serverless endpoints have no region guarantee ("can change at any time without prior
  // notice"): models move between Finland, France, the UK and the US.
  hosting: ['FI', 'FR', 'GB', 'US'],
  // From the published list, which also names other GPU resellers; not exhaustive.
  subprocessors: [
    { name: 'RunPod', country: 'US' },
    { name: 'Shadeform', country: 'US' },
  ],
  verifiedAt: '2026-11-22',
  source: 'https://docs.tokenfactory.nebius.com/legal/legal-quick-guide',
};

/**
 * Nebius Token Factory (serverless), id `nebius`: a Dutch operator whose serverless inference may
 * run in the UK or the US. Eligible under `global` only (dedicated endpoints pinned to the EU
 * are another deployment: configure them with `openaiCompatible()` and their own facts). Key:
 * `NEBIUS_API_KEY`. USD prices.
 */
export function nebius(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'nebius',
      id: 'nebius',
      baseURL: 'https://api.tokenfactory.nebius.com/v1',
      envVar: 'NEBIUS_API_KEY',
      jurisdiction: facts,
      models: [
        { id: 'gpt-oss-120b', native: 'openai/gpt-oss-120b', price: usd(0.15, 0.6), context: 128_000, priceAsOf: '2026-10-01' },
        { id: 'llama-3.3-70b-instruct', native: 'meta-llama/Llama-3.3-70B-Instruct', price: usd(0.13, 0.4), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'qwen3-235b-a22b-2507', native: 'Qwen/Qwen3-235B-A22B-Instruct-2507', price: usd(0.2, 0.6), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'qwen3-32b', native: 'Qwen/Qwen3-32B', price: usd(0.1, 0.3), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'qwen3-30b-a3b', native: 'Qwen/Qwen3-30B-A3B-Instruct-2507', price: usd(0.1, 0.3), context: 128_000, priceAsOf: '2026-07-02' },
        { id: 'qwen3.5-397b-a17b', native: 'Qwen/Qwen3.5-397B-A17B', price: usd(0.6, 3.6), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'glm-5.2', native: 'zai-org/GLM-5.2', price: usd(1.4, 4.4), context: 432_000, priceAsOf: '2026-07-02' },
        { id: 'deepseek-v4-pro', native: 'deepseek-ai/DeepSeek-V4-Pro', price: usd(1.75, 3.5), context: 1_000_000, priceAsOf: '2026-10-01' },
        { id: 'kimi-k3', native: 'moonshotai/Kimi-K3', price: usd(3, 15), priceAsOf: '2026-10-01' },
        { id: 'minimax-m2.5', native: 'MiniMaxAI/MiniMax-M2.5', price: usd(0.3, 1.2), context: 196_608, priceAsOf: '2026-07-02' },
        { id: 'gemma-3-27b', native: 'google/gemma-3-27b-it', price: usd(0.1, 0.3), context: 110_000, priceAsOf: '2026-07-02' },
        { id: 'nemotron-3-super-120b', native: 'nvidia/nemotron-3-super-120b-a12b', price: usd(0.3, 0.9), context: 256_000, priceAsOf: '2026-07-02' },
        { id: 'qwen3-embedding-8b', native: 'Qwen/Qwen3-Embedding-8B', price: usd(0.01, 0), context: 32_768, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
