import { InvalidRequestError, RouterError } from '../../errors.js';
import { openaiCompatible, type OpenAICompatibleDialect } from '../../providers/openai-compatible.js';
import { raisedBeforeSending } from '../../providers/upstream-error.js';
import type { JurisdictionFacts, ModelOffer, ModelPrice, Provider } from '../../providers/types.js';
import { modelTraits } from './model-traits.js';
import { roundMoney } from '../../pricing/currency.js';

/**
 * A price that replaces a built-in one: per 1M tokens, with the date you read it. A cache price
 * left out keeps the built-in one's proportion to `input` (Claude's reads a tenth, its writes
 * 1.25×), or costs `input` where the built-in price has none.
 */
export interface PriceOverride {
  input: number;
  output: number;
  /** An input token read from the prompt cache. @default the built-in proportion to input, else input */
  cachedInput?: number;
  /** An input token written to the prompt cache. @default the built-in proportion to input, else input */
  cacheWrite?: number;
  currency: 'EUR' | 'USD' | 'CHF';
  /** ISO date the price was read; shown as the offer's `priceAsOf`. */
  asOf?: string;
}

/** What every built-in preset (`mistral()`, `scaleway()`, `openai()`, …) accepts. */
export interface PresetOptions {
  /** The deployment's rate limits (your quota with the vendor), which routing respects. */
  limits?: import('../../budgets/deployment-limits.js').DeploymentLimits;
  /**
   * The provider's API key.
   * @default the provider's environment variable (e.g. `MISTRAL_API_KEY`), read at each call.
   * Without either (nor the key's header in `headers`), the deployment reports it through
   * `missingConfiguration()`: routing leaves it out with a reason naming the variable (shown by
   * `explain()`, in errors and audit records) instead of calling it; test keys still simulate it.
   */
  apiKey?: string | undefined;
  /**
   * Another endpoint for the same deployment (a project-scoped URL, a proxy). The jurisdiction
   * facts stay those of the preset: override them too if the endpoint runs elsewhere. It must not
   * carry credentials (`user:secret@`): pass them as `apiKey` or in `headers`.
   */
  baseURL?: string | undefined;
  /** Another provider id, e.g. to configure the same preset twice. @default the preset's id */
  id?: string | undefined;
  /** The fetch to call instead of the global one. @default globalThis.fetch, read at each call */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * How requests reach the upstream when no `fetch` is given: `'native'` (node:http with
   * keep-alive, while `globalThis.fetch` is Node's own) or `'fetch'`. As `openaiCompatible()`'s
   * `transport`, which the OpenAI-compatible presets pass it to.
   * @default 'native'
   */
  transport?: 'fetch' | 'native' | undefined;
  /** Extra headers on every upstream request. */
  headers?: Record<string, string> | undefined;
  /**
   * Models to add, or to change: an entry whose `id` is a built-in canonical id replaces the
   * fields it gives (e.g. `{ id: 'gpt-oss-120b', context: 65536 }`); any other is added. A
   * `price` given there is taken as `prices` takes it (cache prices it leaves out keep the
   * built-in proportion to input).
   */
  models?: ModelOffer[] | undefined;
  /**
   * Your prices (a negotiated rate, a newer list), by canonical or native model id. Each replaces
   * the model's price (and its date), except the cache prices it leaves out: those keep the
   * built-in ones' proportion to input, so a negotiated Claude rate still bills cache reads at a
   * tenth of its input price.
   * @example { 'gpt-oss-120b': { input: 0.1, output: 0.5, currency: 'EUR', asOf: '2026-12-01' } }
   */
  prices?: Record<string, PriceOverride> | undefined;
  /** Facts that replace the built-in ones, field by field (e.g. `hosting` under a new contract). */
  jurisdiction?: Partial<JurisdictionFacts> | undefined;
  /**
   * Largest non-streamed answer read from the upstream; a longer one is abandoned as it arrives
   * and the attempt fails as an upstream error (retried, then the router falls back).
   * @default 67108864 (64 MiB)
   * @unit bytes
   */
  maxResponseBytes?: number | undefined;
}

/** The data of one built-in preset. */
export interface PresetDefinition {
  /** The factory's name, for error messages, e.g. `mistralEU`. */
  factory: string;
  id: string;
  baseURL: string;
  /** The environment variable the key is read from when `apiKey` is not given. */
  envVar: string;
  apiKeyHeader?: string;
  jurisdiction: JurisdictionFacts;
  /** The endpoint also serves legacy `POST /completions` for its chat models. */
  completions?: boolean;
  /** Where its chat completions wire differs from OpenAI's (see `openaiCompatible`'s `dialect`). */
  dialect?: OpenAICompatibleDialect;
  models: readonly ModelOffer[];
}

/** What cache reads and writes cost, where the vendor prices them apart from input. */
type CachePrices = Pick<ModelPrice, 'cachedInput' | 'cacheWrite'>;

export const eur = (input: number, output: number, cache?: CachePrices): ModelPrice => ({ input, output, ...cache, currency: 'EUR' });
export const usd = (input: number, output: number, cache?: CachePrices): ModelPrice => ({ input, output, ...cache, currency: 'USD' });
export const chf = (input: number, output: number, cache?: CachePrices): ModelPrice => ({ input, output, ...cache, currency: 'CHF' });

/**
 * Claude's prompt cache: a read costs a tenth of input, a five-minute write 1.25× input, on
 * Anthropic's API, Bedrock and Vertex AI alike (research/hyperscalers.md §4.5).
 */
export const claudeCache = (input: number): CachePrices => ({
  cachedInput: Math.round(input * 100_000) / 1_000_000,
  cacheWrite: Math.round(input * 1_250_000) / 1_000_000,
});

/**
 * The user's price for a model the preset prices: a cache price it leaves out keeps the preset's
 * proportion to input (Claude's reads stay a tenth of input, its writes 1.25×), in whatever
 * currency the user's price is, as vendors derive cache prices from input; left out where the
 * preset gives none, it costs input.
 */
function replacedPrice(builtIn: ModelPrice | undefined, price: ModelPrice): ModelPrice {
  if (builtIn === undefined || !(builtIn.input > 0)) return price;
  const proportional = (amount: number | undefined) => (amount === undefined ? undefined : roundMoney((amount / builtIn.input) * price.input));
  const result: ModelPrice = { ...price };
  const cachedInput = price.cachedInput ?? proportional(builtIn.cachedInput);
  const cacheWrite = price.cacheWrite ?? proportional(builtIn.cacheWrite);
  if (cachedInput !== undefined) result.cachedInput = cachedInput;
  if (cacheWrite !== undefined) result.cacheWrite = cacheWrite;
  return result;
}

/** Fills capabilities and quality from the shared traits when an offer does not set them. */
function withTraits(offer: ModelOffer, completions: boolean): ModelOffer {
  const traits = modelTraits[offer.id];
  const result: ModelOffer = { ...offer };
  if (result.capabilities === undefined && traits) result.capabilities = [...traits.capabilities];
  if (result.quality === undefined && traits?.quality !== undefined) result.quality = traits.quality;
  if (completions && result.capabilities?.includes('chat') && !result.capabilities.includes('completions')) {
    result.capabilities = [...result.capabilities, 'completions'];
  }
  return result;
}

/** An environment variable, read now; undefined when unset or empty. */
export function readEnv(name: string): string | undefined {
  const value = typeof process === 'undefined' ? undefined : process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** A fetch that fails every call with a configuration error, without touching the network. */
export function unconfiguredFetch(error: () => RouterError): typeof globalThis.fetch {
  return () => Promise.reject(error());
}

/**
 * A configuration error raised at call time (a setting that planning saw but that is gone now):
 * not retryable, so routing falls back at once; nothing was sent, so the deployment's health is
 * untouched.
 */
export function configurationError(providerId: string, message: string): RouterError {
  return raisedBeforeSending(new RouterError(`${providerId}: ${message}`, { code: 'upstream_error', status: 500, providerId }));
}

/** What a deployment lacks, in words; `undefined` when it is ready. */
export type ConfigurationCheck = () => string | undefined;

/** Every check that fails, joined: `no API key: set … ; no Azure resource: …`. */
export function combineChecks(...checks: ConfigurationCheck[]): ConfigurationCheck {
  return () => {
    const missing = checks.map((check) => check()).filter((reason): reason is string => reason !== undefined);
    return missing.length === 0 ? undefined : missing.join('; ');
  };
}

/**
 * The provider marked as built from the preset whose own id is `presetId`: deny lists naming the
 * preset keep catching it when the user's options give it another id.
 */
export function fromPreset(provider: Provider, presetId: string): Provider {
  return { ...provider, preset: presetId };
}

/** The provider with its own `missingConfiguration()`. */
export function withConfigurationCheck(provider: Provider, check: ConfigurationCheck): Provider {
  return { ...provider, missingConfiguration: check };
}

/** How long a key found in the environment is trusted by `missingConfiguration()`. @unit milliseconds */
const envKeyTrustMs = 1000;

/** A preset's settings after the user's options: what its adapter is built from. */
export interface ResolvedPreset {
  id: string;
  baseURL: string;
  /** The user's key, or a function reading the environment variable at each call. */
  apiKey: string | (() => string);
  jurisdiction: JurisdictionFacts;
  models: ModelOffer[];
  limits?: import('../../budgets/deployment-limits.js').DeploymentLimits | undefined;
  headers: Record<string, string> | undefined;
  fetch: typeof globalThis.fetch | undefined;
  transport: 'fetch' | 'native' | undefined;
  maxResponseBytes: number | undefined;
  /** Whether a key is configured (given, in the environment now, or in `headers`), in words. */
  missingConfiguration: ConfigurationCheck;
}

/** Applies the user's options to a preset's data: id, endpoint, key, facts, models and prices. */
export function resolvePreset(definition: PresetDefinition, options: PresetOptions = {}): ResolvedPreset {
  const id = options.id ?? definition.id;
  const completions = definition.completions === true;
  const models = new Map(definition.models.map((offer) => [offer.id, withTraits(offer, completions)]));
  for (const offer of options.models ?? []) {
    const existing = models.get(offer.id);
    if (existing === undefined) models.set(offer.id, withTraits(offer, completions));
    else {
      const changed: ModelOffer = { ...existing, ...offer };
      if (offer.price !== undefined) changed.price = replacedPrice(existing.price, offer.price);
      models.set(offer.id, changed);
    }
  }
  for (const [name, price] of Object.entries(options.prices ?? {})) {
    const offer = models.get(name) ?? [...models.values()].find((candidate) => candidate.native === name);
    if (offer === undefined) {
      throw new InvalidRequestError(
        `${definition.factory}: prices["${name}"] names no model of ${id}; it serves ${[...models.keys()].join(', ')} (add new models with models)`,
        'prices',
      );
    }
    const { asOf, ...value } = price;
    const updated: ModelOffer = { ...offer, price: replacedPrice(offer.price, value) };
    if (asOf === undefined) delete updated.priceAsOf;
    else updated.priceAsOf = asOf;
    models.set(offer.id, updated);
  }

  const apiKey =
    options.apiKey ??
    (() => {
      const key = readEnv(definition.envVar);
      if (key === undefined) throw configurationError(id, `no API key; pass apiKey to ${definition.factory}() or set ${definition.envVar}`);
      return key;
    });

  const keyHeader = (definition.apiKeyHeader ?? 'authorization').toLowerCase();
  const keyInHeaders = Object.keys(options.headers ?? {}).some((name) => name.toLowerCase() === keyHeader);
  // Planning asks on every request, and reading process.env costs ~1 µs: a key found is trusted
  // for a second (were it removed since, the call fails as a configuration error, sending
  // nothing); a missing key is looked for again each time, so setting it takes effect at once.
  let foundUntil = 0;
  const missingConfiguration: ConfigurationCheck = () => {
    if (options.apiKey !== undefined || keyInHeaders) return undefined;
    const now = performance.now();
    if (now < foundUntil) return undefined;
    if (readEnv(definition.envVar) === undefined) return `no API key: set ${definition.envVar} or pass apiKey to ${definition.factory}()`;
    foundUntil = now + envKeyTrustMs;
    return undefined;
  };

  return {
    id,
    baseURL: options.baseURL ?? definition.baseURL,
    apiKey,
    jurisdiction: { ...definition.jurisdiction, ...options.jurisdiction },
    models: [...models.values()],
    headers: options.headers,
    fetch: options.fetch,
    transport: options.transport,
    maxResponseBytes: options.maxResponseBytes,
    limits: options.limits,
    missingConfiguration,
  };
}

/**
 * Builds a preset's provider from its data and the user's options. `also` checks settings besides
 * the key (an Azure resource, a product id).
 */
export function buildPreset(definition: PresetDefinition, options: PresetOptions = {}, also?: ConfigurationCheck): Provider {
  const { missingConfiguration, ...resolved } = resolvePreset(definition, options);
  let provider: Provider;
  try {
    provider = openaiCompatible({ ...resolved, apiKeyHeader: definition.apiKeyHeader, dialect: definition.dialect });
  } catch (error) {
    // openaiCompatible's words, under the preset's name: `scaleway: baseURL must not contain credentials…`.
    if (RouterError.isInstance(error) && error.message.startsWith('openaiCompatible: ')) {
      throw new InvalidRequestError(`${definition.factory}: ${error.message.slice('openaiCompatible: '.length)}`, error.param);
    }
    throw error;
  }
  return fromPreset(withConfigurationCheck(provider, also === undefined ? missingConfiguration : combineChecks(also, missingConfiguration)), definition.id);
}
