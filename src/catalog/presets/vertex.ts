import { InvalidRequestError } from '../../errors.js';
import { canonicalModelId } from '../../models/canonical.js';
import { euCountries } from '../../policy/countries.js';
import type { AccessTokenSource } from '../../providers/vertex/access-token.js';
import { vertexProvider } from '../../providers/vertex/vertex-provider.js';
import type { JurisdictionFacts, ModelOffer, Provider } from '../../providers/types.js';
import { claudeCache, configurationError, fromPreset, readEnv, resolvePreset, usd, type PresetOptions } from './preset.js';
import { nodeBuiltin } from '../../internal/node-builtin.js';

/** What `vertex()` takes. */
export interface VertexOptions extends Omit<PresetOptions, 'apiKey' | 'transport'> {
  /**
   * Your Google Cloud project id. Without it the deployment still takes part in routing
   * decisions (`explain()`, test keys) and reports what is missing.
   * @default GOOGLE_CLOUD_PROJECT, read when the provider is built
   */
  project?: string | undefined;
  /**
   * The Vertex location: a region (`europe-west4`), a multi-region (`eu`, `us`) or `global`. It
   * decides the endpoint and the hosting facts: a region runs inference in its country, `eu`
   * anywhere in the EU, `global` anywhere (hosting unknown, so only the `global` policy admits it).
   * @example 'europe-west4'
   */
  location: string;
  /**
   * An OAuth2 access token, or a function returning one (or `{ token, expiresAt }`, `expiresAt`
   * a `Date` or an epoch time in milliseconds or seconds). The function is called once per token
   * lifetime, not per request; a token the API refuses with 401 is replaced and the request sent
   * once more.
   * @default application default credentials through `google-auth-library` (an optional peer
   * dependency: `npm install google-auth-library`)
   */
  accessToken?: AccessTokenSource | undefined;
  /** Another endpoint (Private Service Connect, a proxy, a test server). @default the location's Vertex host */
  baseURL?: string | undefined;
  /** Another provider id. @default `vertex-{location}`, e.g. `vertex-europe-west4` */
  id?: string | undefined;
  /**
   * Models to add or change. Claude ids (`claude-sonnet-4@20250514`) go to Anthropic's publisher
   * endpoint and are filed under their canonical id; others (`google/gemini-2.5-flash`,
   * `meta/llama-…-maas`) to the OpenAI-compatible endpoint.
   */
  models?: ModelOffer[] | undefined;
  /**
   * `max_tokens` for Claude requests that set none (the Messages API requires one).
   * @default 4096
   * @unit tokens
   */
  defaultMaxTokens?: number | undefined;
}

/** Location → country of its data centres (Google's data-residency tables). */
const locationCountries: Readonly<Record<string, string>> = {
  'europe-west1': 'BE',
  'europe-west3': 'DE',
  'europe-west4': 'NL',
  'europe-west8': 'IT',
  'europe-west9': 'FR',
  'europe-west10': 'DE',
  'europe-west12': 'IT',
  'europe-north1': 'FI',
  'europe-north2': 'SE',
  'europe-central2': 'PL',
  'europe-southwest1': 'ES',
  'europe-west2': 'GB',
  'europe-west6': 'CH',
};

function hostingOf(location: string): string[] {
  if (location === 'eu') return [...euCountries].sort();
  if (location === 'us' || location.startsWith('us-')) return ['US'];
  const country = locationCountries[location];
  return country === undefined ? [] : [country];
}

function host(location: string): string {
  if (location === 'global') return 'aiplatform.googleapis.com';
  if (location === 'eu' || location === 'us') return `aiplatform.${location}.rep.googleapis.com`;
  return `${location}-aiplatform.googleapis.com`;
}

/**
 * Built-in models. Claude ≥ 4.5 costs 10 % more on regional and multi-region endpoints than on
 * `global`; Opus 4.7 and later are served only on `eu`, `us` and `global`. Gemini list prices
 * are the same everywhere as far as Google publishes them.
 */
function models(location: string): ModelOffer[] {
  const regional = location === 'global' ? 1 : 1.1;
  const multiRegion = location === 'eu' || location === 'us' || location === 'global';
  const claude = (id: string, native: string, input: number, output: number, context: number, markup = regional): ModelOffer => {
    const marked = (price: number) => Math.round(price * markup * 1000) / 1000;
    return { id, native, price: usd(marked(input), marked(output), claudeCache(marked(input))), context, priceAsOf: '2026-12-05' };
  };
  const gemini = (id: string, input: number, output: number, priceAsOf: string): ModelOffer => ({ id, native: `google/${id}`, price: usd(input, output), context: 1_048_576, priceAsOf });
  return [
    ...(multiRegion ? [claude('claude-opus-4-8', 'claude-opus-4-8', 5, 25, 1_000_000)] : []),
    claude('claude-sonnet-4-6', 'claude-sonnet-4-6', 3, 15, 1_000_000),
    claude('claude-sonnet-4-5', 'claude-sonnet-4-5@20250929', 3, 15, 200_000),
    claude('claude-sonnet-4', 'claude-sonnet-4@20250514', 3, 15, 200_000, 1),
    claude('claude-haiku-4-5', 'claude-haiku-4-5@20251001', 1, 5, 200_000),
    ...(location === 'eu' || location === 'global' ? [gemini('gemini-3.5-flash', 1.5, 9, '2026-05-19')] : []),
    gemini('gemini-2.5-pro', 1.25, 10, '2026'),
    gemini('gemini-2.5-flash', 0.3, 2.5, '2026'),
    gemini('gemini-2.5-flash-lite', 0.1, 0.4, '2026'),
  ];
}

const facts = (location: string): JurisdictionFacts => ({
  // Customers in the EMEA region contract with Google Cloud EMEA Limited (French customers with
  // Google Cloud France SARL): override `operator` if yours differs.
  operator: {
    name: 'Google Cloud EMEA Limited',
    country: 'IE',
    parents: [
      { name: 'Google LLC', country: 'US' },
      { name: 'Alphabet Inc.', country: 'US' },
    ],
  },
  hosting: hostingOf(location),
  verifiedAt: '2026-12-05',
  source: 'https://cloud.google.com/vertex-ai/generative-ai/docs/learn/data-residency',
});

const missingProject = 'no Google Cloud project: set GOOGLE_CLOUD_PROJECT or pass project to vertex()';

/**
 * Whether application default credentials may be found: a key file named in the environment,
 * gcloud's user credentials, or a Google Cloud runtime (Cloud Run, GCE metadata). A guess for
 * planning; the call itself reports what failed.
 */
function mayHaveApplicationDefaultCredentials(): boolean {
  if (readEnv('GOOGLE_APPLICATION_CREDENTIALS') !== undefined || readEnv('K_SERVICE') !== undefined || readEnv('GCE_METADATA_HOST') !== undefined) return true;
  try {
    const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
    const os = nodeBuiltin<typeof import('node:os')>('node:os');
    if (fs === undefined || os === undefined) return false;
    const configDirectory = readEnv('CLOUDSDK_CONFIG') ?? `${os.homedir()}/.config/gcloud`;
    return fs.existsSync(`${configDirectory}/application_default_credentials.json`);
  } catch {
    return false;
  }
}

function canonicalOffer(offer: ModelOffer): ModelOffer {
  if (offer.native !== undefined) return offer;
  const canonical = canonicalModelId(offer.id);
  if (canonical !== offer.id) return { ...offer, id: canonical, native: offer.id };
  const slash = offer.id.indexOf('/');
  return slash === -1 ? offer : { ...offer, id: offer.id.slice(slash + 1), native: offer.id };
}

/**
 * Google Vertex AI in one location, id `vertex-{location}`: Gemini through Vertex's
 * OpenAI-compatible endpoint and Claude through Anthropic's publisher endpoint, with OAuth2
 * tokens. Google Cloud EMEA Limited (Ireland) under Google LLC and Alphabet Inc. (US), so never
 * `eu-sovereign`; a European region or the `eu` multi-region satisfies `eu-hosted`. USD prices.
 *
 * @example
 * const router = createRouter({ providers: [vertex({ project: 'my-project', location: 'europe-west4' })], policy: 'eu-hosted' });
 */
export function vertex(options: VertexOptions): Provider {
  const { project: projectOption, location, accessToken, defaultMaxTokens, ...preset } = options ?? ({} as VertexOptions);
  if (typeof location !== 'string' || !/^(global|eu|us|[a-z]+-[a-z]+\d+)$/.test(location)) {
    throw new InvalidRequestError(`vertex: location must be a Vertex location such as europe-west4, eu or global (got ${JSON.stringify(location)})`, 'location');
  }
  const project = projectOption ?? readEnv('GOOGLE_CLOUD_PROJECT');
  if (project !== undefined && !/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/.test(project)) {
    throw new InvalidRequestError(`vertex: project "${project}" is not a Google Cloud project id`, 'project');
  }
  const presetId = `vertex-${location}`;
  const id = preset.id ?? presetId;
  const resolved = resolvePreset(
    { factory: 'vertex', id, baseURL: `https://${host(location)}`, envVar: 'GOOGLE_CLOUD_PROJECT', jurisdiction: facts(location), models: models(location) },
    { ...preset, models: preset.models?.map(canonicalOffer) },
  );
  const root = resolved.baseURL.replace(/\/+$/, '');
  // Without a project the deployment is unavailable: no call is made with the placeholder.
  const calledProject = project ?? 'project-not-set';
  const provider = vertexProvider({
    id: resolved.id,
    project: calledProject,
    locationRoot: `${root}/v1/projects/${calledProject}/locations/${location}`,
    accessToken,
    jurisdiction: resolved.jurisdiction,
    models: resolved.models,
    headers: resolved.headers,
    fetch: resolved.fetch,
    maxResponseBytes: resolved.maxResponseBytes,
    limits: resolved.limits,
    unavailable: project === undefined ? () => configurationError(resolved.id, missingProject) : undefined,
    defaultMaxTokens: defaultMaxTokens ?? 4096,
    missingConfiguration: () => {
      if (project === undefined) return missingProject;
      if (accessToken !== undefined || mayHaveApplicationDefaultCredentials()) return undefined;
      return 'no Google credentials: pass accessToken to vertex(), or set GOOGLE_APPLICATION_CREDENTIALS (application default credentials, with google-auth-library installed)';
    },
  });
  return fromPreset(provider, presetId);
}
