import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Cerebras Systems Inc.', country: 'US', parents: [] },
  hosting: ['US'], // US-only inference today; EU capacity announced for the end of 2026
  verifiedAt: '2026-11-22',
  source: 'https://inference-docs.cerebras.ai/models/overview',
};

/**
 * Cerebras Inference, id `cerebras`: a US operator, inference in the US. Eligible under `global`
 * only. Key: `CEREBRAS_API_KEY`. USD prices (developer tier). Qwen 3.8 27B is listed by Cerebras
 * but its price is unknown, so it is not offered here; add it with `models` and your price.
 */
export function cerebras(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'cerebras',
      id: 'cerebras',
      baseURL: 'https://api.cerebras.ai/v1',
      envVar: 'CEREBRAS_API_KEY',
      jurisdiction: facts,
      models: [
        { id: 'gpt-oss-120b', price: usd(0.35, 0.75), context: 131_072, priceAsOf: '2026-08-21' },
        { id: 'glm-4.7', native: 'zai-glm-4.7', price: usd(2.25, 2.75), context: 131_072, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
