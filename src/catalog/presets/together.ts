import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Together Computer, Inc.', country: 'US', parents: [] },
  // Serverless traffic is served from US, Canadian and EU data centres (Sweden among them) and
  // cannot be pinned; EU residency exists only for dedicated endpoints.
  hosting: ['US', 'CA', 'SE'],
  verifiedAt: '2026-11-22',
  source: 'https://docs.together.ai/docs/serverless/geo-specific-inference',
};

/**
 * Together AI (serverless), id `together`: a US operator. Eligible under `global` only. Also
 * serves legacy `POST /completions`. Key: `TOGETHER_API_KEY`. USD prices; Llama 3.3 70B here is
 * the "Turbo" quantisation.
 */
export function together(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'together',
      id: 'together',
      baseURL: 'https://api.together.xyz/v1',
      envVar: 'TOGETHER_API_KEY',
      jurisdiction: facts,
      completions: true,
      models: [
        { id: 'gpt-oss-120b', native: 'openai/gpt-oss-120b', price: usd(0.15, 0.6), context: 131_072, priceAsOf: '2026-10-01' },
        { id: 'gpt-oss-20b', native: 'openai/gpt-oss-20b', price: usd(0.05, 0.2), context: 131_072, priceAsOf: '2026-07-02' },
        { id: 'llama-3.3-70b-instruct', native: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', price: usd(0.88, 0.88), context: 131_072, priceAsOf: '2026-08-21' },
        { id: 'qwen3-235b-a22b-2507', native: 'Qwen/Qwen3-235B-A22B-Instruct-2507-tput', price: usd(0.2, 0.6), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'qwen3.5-397b-a17b', native: 'Qwen/Qwen3.5-397B-A17B', price: usd(0.6, 3.6), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'glm-5.2', native: 'zai-org/GLM-5.2', price: usd(1.4, 4.4), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'kimi-k2.6', native: 'moonshotai/Kimi-K2.6', price: usd(1.2, 4.5), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'kimi-k3', native: 'moonshotai/Kimi-K3', price: usd(3, 15, { cachedInput: 0.3 }), priceAsOf: '2026-10-01' },
        { id: 'deepseek-v4-pro', native: 'deepseek-ai/DeepSeek-V4-Pro', price: usd(1.74, 3.48), context: 512_000, priceAsOf: '2026-07-02' },
        { id: 'gemma-4-31b', native: 'google/gemma-4-31B-it', price: usd(0.39, 0.97), context: 262_144, priceAsOf: '2026-07-02' },
        { id: 'minimax-m3', native: 'MiniMaxAI/MiniMax-M3', price: usd(0.3, 1.2), context: 524_288, priceAsOf: '2026-10-01' },
      ],
    },
    options,
  );
}
