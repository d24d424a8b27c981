import type { Provider } from '../providers/types.js';
import { anthropic, type AnthropicOptions } from './presets/anthropic.js';
import { azureOpenAI, type AzureOpenAIOptions } from './presets/azure-openai.js';
import { bedrock, type BedrockOptions } from './presets/bedrock.js';
import { berget } from './presets/berget.js';
import { cerebras } from './presets/cerebras.js';
import { cloudferro } from './presets/cloudferro.js';
import { deepinfra } from './presets/deepinfra.js';
import { evroc } from './presets/evroc.js';
import { fireworks } from './presets/fireworks.js';
import { gemini } from './presets/gemini.js';
import { groq } from './presets/groq.js';
import { infomaniak, type InfomaniakOptions } from './presets/infomaniak.js';
import { ionos } from './presets/ionos.js';
import { mistral } from './presets/mistral.js';
import { mistralEU } from './presets/mistral-eu.js';
import { nebius } from './presets/nebius.js';
import { openai } from './presets/openai.js';
import { ovhcloud } from './presets/ovhcloud.js';
import type { PresetOptions } from './presets/preset.js';
import { regolo } from './presets/regolo.js';
import { scaleway } from './presets/scaleway.js';
import { stackit } from './presets/stackit.js';
import { tSystems } from './presets/t-systems.js';
import { together } from './presets/together.js';
import { vertex, type VertexOptions } from './presets/vertex.js';

/**
 * Every built-in preset by factory name: `defaultCatalog()` and configuration files look presets
 * up here, so a preset added to this table is available to both.
 */
export const catalogPresets = {
  mistral,
  mistralEU,
  scaleway,
  ovhcloud,
  ionos,
  stackit,
  berget,
  regolo,
  tSystems,
  evroc,
  cloudferro,
  infomaniak,
  openai,
  azureOpenAI,
  anthropic,
  groq,
  together,
  deepinfra,
  fireworks,
  cerebras,
  nebius,
  // The hyperscalers: Bedrock in Frankfurt and Vertex on the EU multi-region by default.
  bedrock: (options: Partial<BedrockOptions> = {}) => bedrock({ region: 'eu-central-1', ...options }),
  vertex: (options: Partial<VertexOptions> = {}) => vertex({ location: 'eu', ...options }),
  gemini,
} as const;

const presets = catalogPresets;

/** Options for {@link defaultCatalog}: shared ones, and each preset's own by factory name. */
export type DefaultCatalogOptions = {
  /** A fetch every preset uses (a proxy agent, a test double), unless its own options set one. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Factory names to leave out, e.g. `['mistral']`. */
  exclude?: (keyof typeof presets)[] | undefined;
  azureOpenAI?: AzureOpenAIOptions | undefined;
  infomaniak?: InfomaniakOptions | undefined;
  anthropic?: AnthropicOptions | undefined;
  /** Bedrock's options; `region` defaults to `eu-central-1`. */
  bedrock?: Partial<BedrockOptions> | undefined;
  /** Vertex AI's options; `location` defaults to `eu` and `project` to GOOGLE_CLOUD_PROJECT. */
  vertex?: Partial<VertexOptions> | undefined;
} & { [Name in Exclude<keyof typeof presets, 'azureOpenAI' | 'infomaniak' | 'anthropic' | 'bedrock' | 'vertex'>]?: PresetOptions | undefined };

/**
 * Every built-in preset, each with its jurisdiction facts, models and dated prices: the whole
 * catalogue for `createRouter({ providers: defaultCatalog() })`, `explain()` or tests with a
 * `test-` key. API keys are read from each provider's environment variable at call time; a
 * provider without one is left out when a call is planned (`explain()` says `not configured`),
 * and a call that only unconfigured providers could serve is a 503 naming the missing variable.
 *
 * @example
 * const router = createRouter({ providers: defaultCatalog({ exclude: ['mistral'] }), policy: 'eu-sovereign' });
 */
export function defaultCatalog(options: DefaultCatalogOptions = {}): Provider[] {
  const excluded = new Set(options.exclude ?? []);
  const providers: Provider[] = [];
  for (const [name, factory] of Object.entries(presets) as [keyof typeof presets, (options?: AzureOpenAIOptions & AnthropicOptions) => Provider][]) {
    if (excluded.has(name)) continue;
    const own = options[name];
    const shared = options.fetch === undefined ? {} : { fetch: options.fetch };
    providers.push(factory({ ...shared, ...own }));
  }
  return providers;
}
