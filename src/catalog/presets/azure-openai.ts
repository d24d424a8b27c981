import { InvalidRequestError } from '../../errors.js';
import { euCountries } from '../../policy/countries.js';
import type { JurisdictionFacts, ModelOffer, Provider } from '../../providers/types.js';
import { buildPreset, configurationError, unconfiguredFetch, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Microsoft Ireland Operations Ltd', country: 'IE', parents: [{ name: 'Microsoft Corporation', country: 'US' }] },
  // Data Zone Standard (EU) deployments process in any EU member state. Global Standard
  // deployments route worldwide and non-EU European regions (Switzerland, Norway, UK) are
  // outside the zone: do not point this preset at them without overriding `hosting`.
  hosting: [...euCountries].sort(),
  verifiedAt: '2026-11-22',
  source: 'https://learn.microsoft.com/en-us/azure/ai-services/openai/how-to/deployment-types',
};

// Data Zone prices: mostly the Global Standard price ×1.10 (LiteLLM's azure/eu/* entries;
// azure-genai-prices reports 10–20%).
const models: readonly ModelOffer[] = [
  // EU data-zone capacity for GPT-5.4 is often constrained.
  { id: 'gpt-5.4', price: usd(2.75, 16.5), context: 1_050_000, priceAsOf: '2026-07-02' },
  { id: 'gpt-5.1', price: usd(1.375, 11), context: 272_000, priceAsOf: '2026' },
  { id: 'gpt-5-mini', price: usd(0.275, 2.2), context: 272_000, priceAsOf: '2026' },
  { id: 'gpt-5-nano', price: usd(0.055, 0.44), context: 272_000, priceAsOf: '2026' },
  { id: 'gpt-4.1', price: usd(2.2, 8.8), context: 1_047_576, priceAsOf: '2026' },
  { id: 'gpt-4.1-mini', price: usd(0.44, 1.76), context: 1_047_576, priceAsOf: '2026' },
  // LiteLLM azure/eu/gpt-4o-2024-11-20, read 2026-11-22.
  { id: 'gpt-4o', price: usd(2.75, 11), context: 128_000, priceAsOf: '2026-11-22' },
  { id: 'gpt-4o-mini', price: usd(0.165, 0.66), context: 128_000, priceAsOf: '2026' },
  { id: 'text-embedding-3-small', price: usd(0.022, 0), context: 8_191, priceAsOf: '2026' },
  { id: 'text-embedding-3-large', price: usd(0.143, 0), context: 8_191, priceAsOf: '2026' },
  { id: 'deepseek-v4-flash', native: 'DeepSeek-V4-Flash', price: usd(0.21, 0.56, { cachedInput: 0.031 }), context: 1_000_000, priceAsOf: '2026-10-01' },
  // Priced in the Data Zone; EU availability was in preview and is unconfirmed.
  { id: 'gpt-oss-120b', price: usd(0.165, 0.66), context: 131_072, priceAsOf: '2026-10-01' },
];

export interface AzureOpenAIOptions extends PresetOptions {
  /**
   * Your Azure OpenAI resource name: requests go to `https://{resource}.openai.azure.com/openai/v1`.
   * Without it (and without `baseURL`) the preset still shows in routing decisions: `explain()`
   * lists it excluded for the missing resource, test keys simulate it, and real calls leave it out.
   * @example 'contoso-eu'
   */
  resource?: string | undefined;
  /**
   * Your deployments, canonical model id → deployment name (Azure's `model` field). When given,
   * only these models are offered.
   * @default every catalogued model, its deployment named like the model
   * @example { 'gpt-4o-mini': 'mini-eu', 'text-embedding-3-small': 'embed' }
   */
  deployments?: Record<string, string> | undefined;
}

/**
 * Azure OpenAI with Data Zone Standard (EU) deployments, id `azure-openai`: Microsoft's Irish
 * entity under a US parent, inference in the EU. Satisfies `eu-hosted`, not `eu-sovereign`.
 * Key: `AZURE_OPENAI_API_KEY`, sent in Azure's `api-key` header. USD prices.
 */
export function azureOpenAI(options: AzureOpenAIOptions = {}): Provider {
  const { resource, deployments, ...preset } = options;
  const id = preset.id ?? 'azure-openai';
  if (resource !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/i.test(resource)) {
    throw new InvalidRequestError(`azureOpenAI: resource "${resource}" is not an Azure resource name (letters, digits, -)`, 'resource');
  }
  let offered = models;
  if (deployments !== undefined) {
    const added = new Set((preset.models ?? []).map((offer) => offer.id));
    for (const model of Object.keys(deployments)) {
      if (!added.has(model) && !models.some((offer) => offer.id === model)) {
        throw new InvalidRequestError(
          `azureOpenAI: deployments["${model}"] names no catalogued model; use one of ${models.map((offer) => offer.id).join(', ')}, or add it with models`,
          'deployments',
        );
      }
    }
    offered = models.filter((offer) => deployments[offer.id] !== undefined).map((offer) => ({ ...offer, native: deployments[offer.id]! }));
    preset.models = preset.models?.map((offer) => (deployments[offer.id] === undefined ? offer : { ...offer, native: deployments[offer.id]! }));
  }
  const configured = resource !== undefined || preset.baseURL !== undefined;
  const missingResource = 'no Azure resource: pass resource (or baseURL) to azureOpenAI()';
  if (!configured) preset.fetch = unconfiguredFetch(() => configurationError(id, 'no Azure resource; pass resource (or baseURL) to azureOpenAI()'));
  return buildPreset(
    {
      factory: 'azureOpenAI',
      id: 'azure-openai',
      baseURL: `https://${resource ?? 'resource-not-set'}.openai.azure.com/openai/v1`,
      envVar: 'AZURE_OPENAI_API_KEY',
      dialect: { maxTokens: 'max_completion_tokens' },
      apiKeyHeader: 'api-key',
      jurisdiction: facts,
      models: offered,
    },
    preset,
    () => (configured ? undefined : missingResource),
  );
}
