import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'OpenAI OpCo, LLC', country: 'US', parents: [{ name: 'OpenAI Group PBC', country: 'US' }] },
  hosting: ['US'],
  verifiedAt: '2026-11-22',
  source: 'https://developers.openai.com/api/docs/pricing',
};

/**
 * The OpenAI API (global endpoint), id `openai`: a US operator, inference in the US. Eligible
 * under `global` only; for EU data residency use {@link azureOpenAI} (EU data zone). Key:
 * `OPENAI_API_KEY`. USD prices. OpenAI publishes the gpt-oss weights but does not serve them on
 * this API.
 */
export function openai(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'openai',
      id: 'openai',
      baseURL: 'https://api.openai.com/v1',
      envVar: 'OPENAI_API_KEY',
      dialect: { maxTokens: 'max_completion_tokens' },
      jurisdiction: facts,
      models: [
        // GPT-6.2 prices come from secondary sources (announced 2026-11-17).
        { id: 'gpt-6.2-astra', price: usd(8, 40), context: 1_050_000, priceAsOf: '2026-11-18' },
        { id: 'gpt-6.2-sol', price: usd(2, 10), context: 1_050_000, priceAsOf: '2026-11-18' },
        { id: 'gpt-6-sol', price: usd(2, 10, { cachedInput: 0.2 }), context: 1_050_000, priceAsOf: '2026-09-22' },
        { id: 'gpt-6-luna', price: usd(0.1, 0.5, { cachedInput: 0.01 }), context: 1_050_000, priceAsOf: '2026-09-22' },
        { id: 'gpt-5.6-terra', price: usd(2, 12), context: 1_050_000, priceAsOf: '2026-07-30' },
        { id: 'gpt-5.6-luna', price: usd(0.2, 1.2), context: 1_050_000, priceAsOf: '2026-07-30' },
        { id: 'gpt-5.4-mini', price: usd(0.75, 4.5), context: 400_000, priceAsOf: '2026-08-21' },
        { id: 'gpt-5.4-nano', price: usd(0.2, 1.25), context: 400_000, priceAsOf: '2026-08-21' },
        { id: 'gpt-4.1', price: usd(2, 8), context: 1_047_576, priceAsOf: '2026-08-21' },
        { id: 'gpt-4.1-mini', price: usd(0.4, 1.6), context: 1_047_576, priceAsOf: '2026-08-21' },
        // gpt-4o: list price as LiteLLM's price map records it (read 2026-11-22); not re-checked
        // on OpenAI's page.
        { id: 'gpt-4o', price: usd(2.5, 10), context: 128_000, priceAsOf: '2026-11-22' },
        { id: 'gpt-4o-mini', price: usd(0.15, 0.6), context: 128_000, priceAsOf: '2026-08-21' },
        { id: 'text-embedding-3-small', price: usd(0.02, 0), context: 8_191, priceAsOf: '2026-08-21' },
        { id: 'text-embedding-3-large', price: usd(0.13, 0), context: 8_191, priceAsOf: '2026-08-21' },
      ],
    },
    options,
  );
}
