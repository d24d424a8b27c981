import type { JurisdictionFacts, ModelOffer, Provider } from '../../providers/types.js';
import { withGeminiToolCalls } from '../../providers/vertex/gemini-tool-calls.js';
import { buildPreset, readEnv, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Google LLC', country: 'US', parents: [{ name: 'Alphabet Inc.', country: 'US' }] },
  // The Gemini API pins no region: paid-tier data "may be stored transiently or cached in any
  // country in which Google or its agents maintain facilities". Hosting unknown: only the
  // `global` policy admits it. (Apps serving users in the EEA, Switzerland or the UK may use
  // only the paid tier.)
  hosting: [],
  verifiedAt: '2026-12-05',
  source: 'https://ai.google.dev/gemini-api/terms',
};

// Standard-tier list prices, https://ai.google.dev/gemini-api/docs/pricing. Pro models cost more
// above 200k prompt tokens (2.5 Pro 2.50/15.00); the lower tier is listed.
const models: readonly ModelOffer[] = [
  // Introductory price through 2026-12-31, then 1.50 / 7.50.
  { id: 'gemini-3.7-flash', price: usd(0.75, 3.75), context: 1_048_576, priceAsOf: '2026-08-13' },
  { id: 'gemini-3.5-flash', price: usd(1.5, 9), context: 1_048_576, priceAsOf: '2026-05-19' },
  { id: 'gemini-3.5-flash-lite', price: usd(0.3, 2.5), context: 1_048_576, priceAsOf: '2026-07-22' },
  { id: 'gemini-3.1-pro-preview', price: usd(2, 12), context: 1_048_576, priceAsOf: '2026' },
  { id: 'gemini-2.5-pro', price: usd(1.25, 10), context: 1_048_576, priceAsOf: '2026' },
  { id: 'gemini-2.5-flash', price: usd(0.3, 2.5, { cachedInput: 0.03 }), context: 1_048_576, priceAsOf: '2026' },
  { id: 'gemini-2.5-flash-lite', price: usd(0.1, 0.4), context: 1_048_576, priceAsOf: '2026' },
  { id: 'gemini-embedding-001', price: usd(0.15, 0), context: 2_048, capabilities: ['embeddings'], priceAsOf: '2026' },
];

/**
 * Google's Gemini API (AI Studio) through its OpenAI-compatible endpoint, id `gemini`: Google LLC
 * (US), no region pinning, so eligible under `global` only. Chat and embeddings. Key:
 * `GEMINI_API_KEY`, sent as a bearer token. USD prices. Tool calls are numbered and finish
 * with `tool_calls` as OpenAI's do (Gemini's layer omits both), and thought tokens count in
 * `completion_tokens` as OpenAI's reasoning tokens do.
 *
 * @example
 * const router = createRouter({ providers: [gemini()], policy: 'global' });
 */
export function gemini(options: PresetOptions = {}): Provider {
  const provider = withGeminiToolCalls(buildPreset(
    {
      factory: 'gemini',
      id: 'gemini',
      baseURL: 'https://generativelanguage.googleapis.com/v1beta/openai',
      envVar: 'GEMINI_API_KEY',
      jurisdiction: facts,
      models: [...models],
    },
    options,
  ));
  if (provider.missingConfiguration !== undefined) return provider;
  return {
    ...provider,
    missingConfiguration: () => (options.apiKey !== undefined || readEnv('GEMINI_API_KEY') !== undefined ? undefined : 'no API key: set GEMINI_API_KEY or pass apiKey'),
  };
}
