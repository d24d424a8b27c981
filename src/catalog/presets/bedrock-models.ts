import type { ModelOffer } from '../../providers/types.js';
import { claudeCache, usd } from './preset.js';

/*
 * Bedrock's models by region: list prices (USD per 1M tokens, on-demand, read from
 * https://aws.amazon.com/bedrock/pricing/ and the price-list feeds that mirror it) and the id
 * Converse is called with. Claude and Nova are served in Europe and the US through geographic
 * cross-region inference profiles (`eu.…`, `us.…`): newer Claude models have no in-region
 * on-demand option, and a profile may run a request in any of its destination regions (see
 * profileCountries). Regional profiles of Claude ≥ 4.5 cost 10 % more than `global.` ones,
 * which this catalogue does not offer (they may run anywhere).
 */

/** The countries of an `eu.` profile's destination regions: Frankfurt, Ireland, Paris, Stockholm, Milan, Spain. */
export const euProfileCountries = ['DE', 'IE', 'FR', 'SE', 'IT', 'ES'] as const;

/** Region → country of the data centres, for in-region models and for the facts. */
export const regionCountries: Readonly<Record<string, string>> = {
  'eu-central-1': 'DE',
  'eu-west-1': 'IE',
  'eu-west-3': 'FR',
  'eu-north-1': 'SE',
  'eu-south-1': 'IT',
  'eu-south-2': 'ES',
  'eu-central-2': 'CH',
  'eu-west-2': 'GB',
  'eusc-de-east-1': 'DE',
  'us-east-1': 'US',
  'us-east-2': 'US',
  'us-west-2': 'US',
  'ca-central-1': 'CA',
  'ap-northeast-1': 'JP',
  'ap-southeast-2': 'AU',
};

/** The geographic profile prefix a region's callers use: London and Zurich may call `eu.` profiles too. */
export function geographyOf(region: string): 'eu' | 'us' | undefined {
  if (/^eu-(central|west|north|south)-\d$/.test(region)) return 'eu';
  if (/^us-(east|west)-\d$/.test(region)) return 'us';
  return undefined;
}

/** Claude and Nova through the geography's profile; the same price in the EU and US profiles. */
function profileModels(geography: 'eu' | 'us'): ModelOffer[] {
  const profile = (id: string, native: string, input: number, output: number, context: number, priceAsOf: string, cache?: Parameters<typeof usd>[2]): ModelOffer => ({
    id,
    native: `${geography}.${native}`,
    price: usd(input, output, cache),
    context,
    priceAsOf,
  });
  return [
    profile('claude-opus-4-8', 'anthropic.claude-opus-4-8', 5.5, 27.5, 1_000_000, '2026-05-28', claudeCache(5.5)),
    profile('claude-sonnet-5', 'anthropic.claude-sonnet-5', 3.3, 16.5, 1_000_000, '2026-09-01', claudeCache(3.3)),
    profile('claude-sonnet-4-6', 'anthropic.claude-sonnet-4-6', 3.3, 16.5, 1_000_000, '2026-06-26', claudeCache(3.3)),
    profile('claude-sonnet-4-5', 'anthropic.claude-sonnet-4-5-20250929-v1:0', 3.3, 16.5, 200_000, '2026', claudeCache(3.3)),
    // Before 4.5 regional profiles cost the same as the first-party list price.
    profile('claude-sonnet-4', 'anthropic.claude-sonnet-4-20250514-v1:0', 3, 15, 200_000, '2026', claudeCache(3)),
    profile('claude-haiku-4-5', 'anthropic.claude-haiku-4-5-20251001-v1:0', 1.1, 5.5, 200_000, '2026', claudeCache(1.1)),
    profile('nova-2-lite', 'amazon.nova-2-lite-v1:0', 0.33, 2.75, 1_000_000, '2026-06-11', { cachedInput: 0.0825 }),
    profile('nova-pro', 'amazon.nova-pro-v1:0', 0.8, 3.2, 300_000, '2026'),
    profile('nova-lite', 'amazon.nova-lite-v1:0', 0.06, 0.24, 300_000, '2026'),
    profile('nova-micro', 'amazon.nova-micro-v1:0', 0.035, 0.14, 128_000, '2026'),
  ];
}

/** Open-weight and embedding models served in the region itself, where the region's price differs. */
const inRegion: Readonly<Record<string, readonly ModelOffer[]>> = {
  'eu-central-1': [
    { id: 'gpt-oss-120b', native: 'openai.gpt-oss-120b-1:0', price: usd(0.2, 0.79), context: 128_000, priceAsOf: '2026-10-01' },
    { id: 'titan-embed-text-v2', native: 'amazon.titan-embed-text-v2:0', price: usd(0.02, 0), context: 8_192, priceAsOf: '2026' },
  ],
  'eu-west-1': [
    { id: 'gpt-oss-120b', native: 'openai.gpt-oss-120b-1:0', price: usd(0.18, 0.7), context: 128_000, priceAsOf: '2026-10-01' },
    { id: 'titan-embed-text-v2', native: 'amazon.titan-embed-text-v2:0', price: usd(0.02, 0), context: 8_192, priceAsOf: '2026' },
  ],
  'eu-north-1': [{ id: 'gpt-oss-120b', native: 'openai.gpt-oss-120b-1:0', price: usd(0.15, 0.6), context: 128_000, priceAsOf: '2026-10-01' }],
  'eu-west-3': [{ id: 'mistral-7b-instruct', native: 'mistral.mistral-7b-instruct-v0:2', price: usd(0.2, 0.26), context: 32_000, priceAsOf: '2026' }],
  'us-east-1': [
    { id: 'gpt-oss-120b', native: 'openai.gpt-oss-120b-1:0', price: usd(0.15, 0.6), context: 128_000, priceAsOf: '2026-10-01' },
    { id: 'titan-embed-text-v2', native: 'amazon.titan-embed-text-v2:0', price: usd(0.02, 0), context: 8_192, priceAsOf: '2026' },
  ],
};

/** The built-in offers of a region: its geography's profiles and its in-region models. */
export function bedrockModels(region: string): ModelOffer[] {
  const geography = geographyOf(region);
  return [...(geography === undefined ? [] : profileModels(geography)), ...(inRegion[region] ?? [])];
}

/**
 * Where a model id may run, as countries, called from `region`; `undefined` when unknown or
 * worldwide (`global.` profiles, other geographies, application-profile ARNs): such a model
 * makes the deployment's hosting unknown, so hosting policies refuse it rather than guess.
 */
export function hostingOf(native: string, region: string): readonly string[] | undefined {
  if (native.startsWith('arn:')) return undefined;
  if (native.startsWith('eu.')) return euProfileCountries;
  if (native.startsWith('us.')) return ['US'];
  if (/^(global|apac|au|ca|jp|us-gov)\./.test(native)) return undefined;
  const country = regionCountries[region];
  return country === undefined ? undefined : [country];
}
