import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  // Who owns CloudFerro has not been reviewed, so `parents` is left unknown: policies on operator
  // countries or US control (eu-sovereign) exclude the deployment until you declare the chain,
  // e.g. `cloudferro({ jurisdiction: { operator: { name: 'CloudFerro S.A.', country: 'PL', parents: [] } } })`.
  operator: { name: 'CloudFerro S.A.', country: 'PL' },
  hosting: ['PL'], // Warsaw
  // Sub-processors not reviewed: left unknown.
  verifiedAt: '2026-11-22',
  source: 'https://docs.sherlock.cloudferro.com/',
};

/**
 * CloudFerro Sherlock, id `cloudferro-sherlock`: Polish operator, inference in Warsaw. Satisfies
 * `eu-hosted`; `eu-sovereign` once you declare the operator's parent chain (see the facts). Key:
 * `CLOUDFERRO_SHERLOCK_API_KEY`. Prices from an aggregator, labelled USD; the vendor's own
 * currency and figures are unverified.
 */
export function cloudferro(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'cloudferro',
      id: 'cloudferro-sherlock',
      baseURL: 'https://api-sherlock.cloudferro.com/openai/v1',
      envVar: 'CLOUDFERRO_SHERLOCK_API_KEY',
      jurisdiction: facts,
      models: [
        { id: 'gpt-oss-120b', native: 'openai/gpt-oss-120b', price: usd(2.92, 2.92), context: 131_000, priceAsOf: '2026-07-02' },
        { id: 'llama-3.3-70b-instruct', native: 'meta-llama/Llama-3.3-70B-Instruct', price: usd(2.92, 2.92), context: 70_000, priceAsOf: '2026-07-02' },
        { id: 'minimax-m2.5', native: 'MiniMaxAI/MiniMax-M2.5', price: usd(0.3, 1.2), context: 196_000, priceAsOf: '2026-07-02' },
        { id: 'bielik-11b-v3', native: 'speakleash/Bielik-11B-v3.0-Instruct', price: usd(0.67, 0.67), context: 32_000, priceAsOf: '2026-07-02' },
      ],
    },
    options,
  );
}
