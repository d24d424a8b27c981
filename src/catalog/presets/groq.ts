import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Groq, Inc.', country: 'US', parents: [] },
  // Groq runs data centres in the US, Canada, Finland, the UK and Saudi Arabia and does not let
  // callers choose: any of them may serve a request.
  hosting: ['US', 'CA', 'FI', 'GB', 'SA'],
  verifiedAt: '2026-11-22',
  source: 'https://console.groq.com/docs/your-data',
};

/** GroqCloud, id `groq`: a US operator, no EU pinning. Eligible under `global` only. Key: `GROQ_API_KEY`. USD prices. */
export function groq(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'groq',
      id: 'groq',
      baseURL: 'https://api.groq.com/openai/v1',
      envVar: 'GROQ_API_KEY',
      jurisdiction: facts,
      models: [
        { id: 'gpt-oss-120b', native: 'openai/gpt-oss-120b', price: usd(0.15, 0.6, { cachedInput: 0.075 }), context: 131_072, priceAsOf: '2026-10-01' },
        { id: 'gpt-oss-20b', native: 'openai/gpt-oss-20b', price: usd(0.075, 0.3), context: 131_072, priceAsOf: '2026-08-21' },
        { id: 'llama-3.3-70b-instruct', native: 'llama-3.3-70b-versatile', price: usd(0.59, 0.79), context: 131_072, priceAsOf: '2026-08-21' },
        { id: 'llama-3.1-8b-instruct', native: 'llama-3.1-8b-instant', price: usd(0.05, 0.08), context: 131_072, priceAsOf: '2026-08-21' },
        { id: 'llama-4-scout', native: 'meta-llama/llama-4-scout-17b-16e-instruct', price: usd(0.11, 0.34), context: 131_072, priceAsOf: '2026-08-21' },
        { id: 'qwen3-32b', native: 'qwen/qwen3-32b', price: usd(0.29, 0.59), context: 131_072, priceAsOf: '2026-08-21' },
      ],
    },
    options,
  );
}
