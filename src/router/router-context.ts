import { sha256Hex } from '../internal/sha256.js';
import { canonicalJson } from '../audit/canonical-json.js';
import { createTimeoutBuckets, type TimeoutBuckets } from '../internal/timeout-buckets.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { lazyAuditTrail } from '../audit/lazy-audit-trail.js';
import { createPolicyHasher } from '../audit/policy-hash.js';
import { buildCatalogIndex, type CatalogIndex } from '../catalog/catalog-index.js';
import { InvalidApiKeyError, InvalidRequestError } from '../errors.js';
import { isSharedHealthStore } from '../health/health-store.js';
import { versionedHealth } from './health-version.js';
import type { BudgetGuardOptions, KeyBudget } from '../budgets/budget-guard.js';
import { lazyMemoryLedger, lazyMemoryRateLimiter } from '../budgets/lazy-memory-state.js';
import { createDeploymentLimiter, type DeploymentLimiter } from '../budgets/deployment-limits.js';
import type { KeyRateLimits, RateLimiter } from '../budgets/rate-limiter.js';
import { createHealthTracker, type HealthTracker } from '../health/health-tracker.js';
import { createExplorationBudget, type ExplorationBudget } from './exploration-budget.js';
import type { ModelVocabulary } from '../models/parse-model.js';
import { compilePolicy, type CompiledPolicy } from '../policy/evaluate.js';
import { isPresetPolicyName, presetPolicies } from '../policy/presets.js';
import type { JurisdictionPolicy } from '../policy/types.js';
import type { Provider } from '../providers/types.js';
import { withDefaultRates, type FxTable } from '../pricing/currency.js';
import { builtInStrategies, strategyAliases, toStrategy } from '../strategies/registry.js';
import type { Strategy } from '../strategies/types.js';
import type { ResolvedRouterOptions } from './options.js';
import { guardedHealth } from '../health/guarded-health.js';
import type { Logger } from '../logging/logger.js';
import { loadOtelApi, loadOtelApiSync, type OtelApi } from '../telemetry/otel-api.js';
import { combineObservers, type RequestObserver } from './request-observer.js';
import { libraryVersion } from '../version.js';
import { InFlightRequests } from './in-flight.js';

/** Who is calling: decided once per request from its API key. */
export interface Caller {
  /** A `test-` key: answered by the pseudo-LLM, never the network. */
  simulated: boolean;
  /** The key's label or a hash prefix; never the key. */
  keyId: string | null;
  /** The key's own policy, when scoped. */
  policy: CompiledPolicy | undefined;
  /** The key's budget, when it has one. */
  budget?: KeyBudget | undefined;
  /** The key's rate limits, when it has any. */
  rates?: KeyRateLimits | undefined;
}

/**
 * Whether the caller may use only deployments with a known price: a key's budget counts what a
 * call cost, and an unpriced deployment's calls would settle at 0 and spend without limit. Not
 * for test keys, whose calls cost nothing. Planning and `models.list()` both ask it.
 */
export function needsPrices(caller: Caller): boolean {
  return caller.budget !== undefined && !caller.simulated;
}

/** Everything the router derives once, at `createRouter`, so requests only look things up. */
export interface RouterContext {
  readonly options: ResolvedRouterOptions;
  readonly index: CatalogIndex;
  readonly vocabulary: ModelVocabulary;
  readonly policy: CompiledPolicy;
  /** Policies a model string may name, by name. */
  readonly jurisdictions: ReadonlyMap<string, CompiledPolicy>;
  readonly strategies: ReadonlyMap<string, Strategy>;
  readonly defaultStrategy: Strategy;
  readonly health: HealthTracker;
  /** Counts what `health` learned; undefined with a store passed in (see health-version.ts). */
  healthVersion(): number | undefined;
  /** Where key budgets are counted. */
  readonly budgets: BudgetGuardOptions;
  /** Where key rate limits are counted. */
  readonly rateLimiter: RateLimiter;
  /** Counts calls and tokens per deployment with `limits`. */
  readonly deploymentLimiter: DeploymentLimiter;
  /** This router's exploration budget (a share of the requests of latency-ranked strategies). */
  readonly exploration: ExplorationBudget;
  /** Shared timeout signals for attempts that need no signal of their own. */
  readonly timeouts: TimeoutBuckets;
  /** The requests open now, which `router.close()` lets end before closing the audit trail. */
  readonly requests: InFlightRequests;
  readonly audit: AuditTrail;
  readonly currency: string;
  readonly fx: FxTable;
  /** The `policy_hash` of a combination of policies, computed once per combination. */
  policyHash(policies: readonly CompiledPolicy[]): string;
  /** Policy reasons per provider, computed once per policy. */
  reasonsFor(policy: CompiledPolicy, providerId: string): readonly string[];
  /** Resolves the caller from an API key; throws `invalid_api_key` for unknown keys when `keys` is set. */
  caller(apiKey: string | undefined): Caller;
  /** A configured key by its label, audit id or the key itself. */
  configuredKey(name: string): Caller | undefined;
  /** Who listens to requests (telemetry, the decision log); undefined when nobody does. */
  readonly observer: RequestObserver | undefined;
  /**
   * Settles once the telemetry observer is in place; undefined when nothing is loading. Each
   * endpoint awaits it before opening its record, so the first requests are traced too.
   */
  readonly observerReady: Promise<void> | undefined;
  readonly logger: Logger;
}

export function createRouterContext(options: ResolvedRouterOptions): RouterContext {
  const fx = withDefaultRates(options.fx);
  const index = buildCatalogIndex(options.providers, options.currency, fx);
  const jurisdictions = new Map<string, CompiledPolicy>();
  for (const preset of Object.values(presetPolicies)) jurisdictions.set(preset.name, compilePolicy(preset));
  /**
   * A policy's name is what model strings, routes and audit records show, so one name means
   * one policy: a custom policy may not take a preset's name, nor two policies share one.
   */
  const register = (value: ResolvedRouterOptions['policy'], where: string): CompiledPolicy => {
    if (typeof value === 'string') return jurisdictions.get(value)!;
    const existing = jurisdictions.get(value.name);
    if (isPresetPolicyName(value.name) || (existing && canonicalJson(existing.policy) !== canonicalJson(value))) {
      throw new InvalidRequestError(
        `createRouter: ${where} is a custom policy named "${value.name}", which ${isPresetPolicyName(value.name) ? 'is a built-in preset' : 'another policy already uses'}; ` +
          `${isPresetPolicyName(value.name) ? `pass '${value.name}' itself or ` : ''}give the custom policy a name of its own`,
        where,
      );
    }
    assertProviderIds(value, where, options.providers);
    const compiled = existing ?? compilePolicy(value);
    jurisdictions.set(value.name, compiled);
    return compiled;
  };
  const policy = register(options.policy, 'policy');
  const keyCallers = new Map<string, Caller>();
  /**
   * A label is the key's identity beyond its audit records: it owns the key's stored responses
   * and counts its budget and rates. Keys may share one only with one scope (a key and the key
   * replacing it), or a key could continue another's conversation under a wider policy.
   */
  const scopes = new Map<string, string>();
  for (const [key, keyOptions] of Object.entries(options.keys ?? {})) {
    if (keyOptions.label !== undefined) {
      const scope = canonicalJson({ policy: keyOptions.policy ?? null, budget: keyOptions.budget ?? null, rpm: keyOptions.rpm ?? null, tpm: keyOptions.tpm ?? null });
      const known = scopes.get(keyOptions.label);
      if (known !== undefined && known !== scope) {
        throw new InvalidRequestError(
          `createRouter: two keys have the label "${keyOptions.label}" but not the same policy, budget and rate limits; ` +
            'a label owns its keys\' stored responses, budget and rates: give each scope a label of its own',
          'keys',
        );
      }
      scopes.set(keyOptions.label, scope);
    }
    const keyPolicy = keyOptions.policy === undefined ? undefined : register(keyOptions.policy, 'keys.<key>.policy');
    keyCallers.set(key, { simulated: key.startsWith('test-'), keyId: keyOptions.label ?? hashedKeyId(key), policy: keyPolicy,
      budget: keyOptions.budget,
      rates: keyOptions.rpm !== undefined || keyOptions.tpm !== undefined ? { rpm: keyOptions.rpm, tpm: keyOptions.tpm } : undefined,
    });
  }

  const strategies = new Map<string, Strategy>(Object.entries(builtInStrategies));
  const configured = typeof options.strategy === 'string' ? undefined : toStrategy(options.strategy);
  if (configured !== undefined && !Object.values(builtInStrategies).includes(configured)) {
    // A user's strategy under a built-in's name or alias would shadow the built-in (which
    // route.objective must still reach) or be shadowed by it (an alias resolves to the built-in).
    const builtIn = Object.hasOwn(strategyAliases, configured.name) ? strategyAliases[configured.name] : Object.hasOwn(builtInStrategies, configured.name) ? configured.name : undefined;
    if (builtIn !== undefined) {
      throw new InvalidRequestError(
        `createRouter: options.strategy is named "${configured.name}", the name of the built-in strategy ${builtIn}: model strings and route.objective could not tell them apart; give your strategy another name (the function's, or the object's name)`,
        'strategy',
      );
    }
  }
  if (configured) strategies.set(configured.name, configured);
  const defaultName = typeof options.strategy === 'string' ? options.strategy : configured!.name;
  const defaultStrategy = configured ?? strategies.get(Object.hasOwn(strategyAliases, defaultName) ? strategyAliases[defaultName]! : defaultName);
  if (defaultStrategy === undefined) {
    throw new InvalidRequestError(
      `createRouter: options.strategy "${defaultName}" is unknown; use one of ${[...strategies.keys()].join(', ')} or a function`,
      'strategy',
    );
  }

  assertNoCollisions(options, jurisdictions, strategies);

  const vocabulary: ModelVocabulary = {
    hasProvider: (id) => index.providers.has(id),
    providerServes: (providerId, model) => index.byProvider(providerId, model) !== undefined,
    isKnownModel: (model) => index.byModel(model).length > 0,
    isListedModel: (model) => index.byListedModel(model).length > 0,
    hasJurisdiction: (name) => jurisdictions.has(name),
    strategy: (name) => {
      const resolved = Object.hasOwn(strategyAliases, name) ? strategyAliases[name]! : name;
      return strategies.has(resolved) ? resolved : undefined;
    },
    describe: () => ({
      providers: [...index.providers.keys()],
      jurisdictions: [...jurisdictions.keys()],
      strategies: [...strategies.keys()],
    }),
  };

  // Only the tracker's own store is changed by nothing but the tracker: a store passed in may be
  // written by others (other processes, the application), so what planning derives from it is not kept.
  // A store passed in may also fail to write: what it cannot record must not fail the request.
  const tracker = createHealthTracker(options.health);
  const { health, version: healthVersion } = versionedHealth(
    options.health.store === undefined ? tracker : guardedHealth(tracker, (message) => options.logger.logger.warn(message)),
    options.health.store !== undefined,
  );
  if (options.health.store && isSharedHealthStore(options.health.store)) options.health.store.attach({ logger: options.logger.logger, latency: tracker.latencyOptions, completion: tracker.completionOptions });
  const audit = lazyAuditTrail(options.audit);
  // Who listens to requests: the decision log (DEBUG=sovroute*) and telemetry, each a chunk of
  // its own that a router without it neither loads nor bundles. They load now; requests that
  // arrive before they are in place wait for them (observerReady), so the first ones are seen too.
  const report = (error: unknown) => options.logger.logger.error(error instanceof Error ? error.message : String(error));
  const listeners: Promise<RequestObserver | undefined>[] = [];
  if (options.logger.debug) {
    const logger = options.logger.logger;
    listeners.push(
      import('../logging/decision-log.js').then(
        (module) => module.decisionLog(logger),
        // Reported; telemetry still loads, and requests go unlogged rather than fail.
        (error: unknown) => {
          report(error);
          return undefined;
        },
      ),
    );
  }
  const telemetry = options.telemetry;
  if (telemetry) {
    // The ids of the keys the router knows: a cost metric names them, whatever else callers send.
    const configuredKeyIds = new Set([...keyCallers.values()].map((caller) => caller.keyId));
    if (options.apiKey !== undefined) configuredKeyIds.add(keyCallers.get(options.apiKey)?.keyId ?? hashedKeyId(options.apiKey));
    const sources = {
      health: () => health.snapshot(),
      auditQueueDepth: () => audit.depth(),
      configuredKeyId: (keyId: string) => configuredKeyIds.has(keyId),
    };
    // The API loads synchronously where Node can, so a missing package fails createRouter there.
    const api: OtelApi | Promise<OtelApi> = loadOtelApiSync() ?? loadOtelApi();
    listeners.push(
      Promise.all([api, import('../telemetry/otel-observer.js')])
        .then(([loaded, module]) => module.otelObserver(loaded, telemetry, sources, libraryVersion))
        // A missing API, or a tracer or meter that throws while the instruments are made:
        // reported, and requests go untraced rather than fail.
        .catch((error: unknown) => {
          report(error);
          return undefined;
        }),
    );
  }
  let observer: RequestObserver | undefined;
  let observerReady: Promise<void> | undefined =
    listeners.length === 0
      ? undefined
      : Promise.all(listeners)
          .then((loaded) => {
            observer = combineObservers(loaded.filter((listener) => listener !== undefined));
          })
          .catch(report)
          .finally(() => {
            observerReady = undefined;
          });

  const reasonCache = new WeakMap<CompiledPolicy, Map<string, readonly string[]>>();
  const hashedCallers = new Map<string, Caller>();
  const routerKey = options.apiKey;

  return {
    options,
    index,
    vocabulary,
    policy,
    jurisdictions,
    strategies,
    defaultStrategy,
    health,
    healthVersion,
    budgets: {
      ledger: options.health.store?.budgets ?? lazyMemoryLedger(),
      onUnavailable: options.health.store?.onUnavailable ?? 'deny',
      currency: options.currency,
      // A reservation outlives any request the router lets run.
      holdMs: options.deadlineMs + 60_000,
      logger: options.logger.logger,
    },
    rateLimiter: options.health.store?.rateLimits ?? lazyMemoryRateLimiter(),
    deploymentLimiter: createDeploymentLimiter(options.health.store?.reserveDeployment),
    exploration: createExplorationBudget(options.exploration),
    timeouts: createTimeoutBuckets(),
    requests: new InFlightRequests(),
    audit,
    get observer() {
      return observer;
    },
    get observerReady() {
      return observerReady;
    },
    logger: options.logger.logger,
    currency: options.currency,
    fx,
    policyHash: createPolicyHasher(),
    reasonsFor(compiled, providerId) {
      let byProvider = reasonCache.get(compiled);
      if (byProvider === undefined) reasonCache.set(compiled, (byProvider = new Map()));
      let reasons = byProvider.get(providerId);
      if (reasons === undefined) {
        const provider = index.providers.get(providerId);
        reasons = compiled.check(providerId, provider?.jurisdiction, provider?.preset);
        byProvider.set(providerId, reasons);
      }
      return reasons;
    },
    configuredKey(name) {
      return keyCallers.get(name) ?? [...keyCallers.values()].find((caller) => caller.keyId === name);
    },
    caller(apiKey) {
      const key = apiKey ?? routerKey;
      if (key === undefined || key === '') {
        if (options.keys) {
          throw new InvalidApiKeyError(
            'An API key is required: this router accepts only its configured keys (the apiKey of the call or of the client; over HTTP, sent as Authorization: Bearer <key> or in an api-key header).',
          );
        }
        return { simulated: false, keyId: null, policy: undefined };
      }
      const scoped = keyCallers.get(key);
      if (scoped) return scoped;
      if (options.keys && key !== routerKey) throw new InvalidApiKeyError();
      let caller = hashedCallers.get(key);
      if (caller === undefined) {
        caller = { simulated: key.startsWith('test-'), keyId: hashedKeyId(key), policy: undefined };
        // Unscoped keys are hashed once; the cache is bounded so arbitrary keys cannot grow it.
        if (hashedCallers.size < 1024) hashedCallers.set(key, caller);
      }
      return caller;
    },
  };
}

const providerIdPattern = /^[a-z0-9][a-z0-9-]*$/;

/**
 * A policy's provider lists name provider ids, which are kebab-case: any other entry would never
 * match, and a deny list holding it would deny nothing. (An id no configured provider has is
 * taken as it is: a policy may be shared by routers with different providers.) Nor may an entry
 * stand for configured presets without being their id: a factory name, as configuration files
 * name presets, spelled without the id's dashes (`mistralEU` for `mistral-eu`) or cut before
 * them (`mistral` for `mistral-ai`, `bedrock` for `bedrock-eu-central-1`), would match none of
 * them; the refusal names the ids to write.
 */
function assertProviderIds(policy: JurisdictionPolicy, where: string, providers: readonly Provider[]): void {
  for (const list of ['allow', 'deny'] as const) {
    for (const entry of policy.providers?.[list] ?? []) {
      const kebab = providerIdPattern.test(entry);
      if (kebab && providers.some((provider) => provider.id === entry || provider.preset === entry)) continue;
      const lower = entry.toLowerCase();
      const meant = idsMeant(lower, providers);
      if (kebab && meant.length === 0) continue;
      if (meant.length === 0 && providerIdPattern.test(lower)) meant.push(lower);
      const why = kebab ? 'which no configured provider has as its id or preset, so it would match none' : 'which is not a provider id (kebab-case: a-z, 0-9, -) and would never match one';
      throw new InvalidRequestError(
        `createRouter: policy "${policy.name}" names "${entry}" in providers.${list}, ${why}` + (meant.length === 0 ? '' : `; use ${meant.map((id) => `"${id}"`).join(', ')}`),
        where,
      );
    }
  }
}

/**
 * The configured ids and preset ids that `name` (in lower case) spells without their dashes, and
 * the preset ids it names up to a dash (a factory name: `mistral`, `bedrock`). Only presets have
 * factory names: a custom provider's id that merely starts with the entry is not taken for it.
 */
function idsMeant(name: string, providers: readonly Provider[]): string[] {
  const undashed = (id: string) => id.replaceAll('-', '');
  const meant = new Set<string>();
  for (const provider of providers) {
    for (const id of [provider.id, provider.preset ?? provider.id]) if (undashed(id) === undashed(name)) meant.add(id);
    if (provider.preset?.startsWith(`${name}-`)) meant.add(provider.preset);
  }
  return [...meant];
}

/** A key's audit id when it has no label: a prefix of its SHA-256, never the key. */
export function hashedKeyId(key: string): string {
  return `key_${sha256Hex(key).slice(0, 12)}`;
}

/** Provider ids must never be mistaken for a jurisdiction, a strategy or `auto`. */
/**
 * What a name would be read as in a model string other than itself: a strategy, `auto`, or a
 * `{jurisdiction}-{strategy}` pair (which narrows to that jurisdiction; a name shaped like one
 * would silently drop the narrowing).
 */
function readAsOther(name: string, jurisdictions: ReadonlyMap<string, CompiledPolicy>, strategies: ReadonlyMap<string, Strategy>): string | undefined {
  const isStrategy = (value: string) => strategies.has(value) || Object.hasOwn(strategyAliases, value);
  if (isStrategy(name)) return 'a strategy';
  if (name === 'auto' || name.startsWith('auto:')) return 'the auto model class';
  for (let dash = name.lastIndexOf('-'); dash > 0; dash = name.lastIndexOf('-', dash - 1)) {
    const jurisdiction = name.slice(0, dash);
    if (jurisdiction !== name && jurisdictions.has(jurisdiction) && isStrategy(name.slice(dash + 1))) return 'a {jurisdiction}-{strategy} name';
  }
  return undefined;
}

function assertNoCollisions(
  options: ResolvedRouterOptions,
  jurisdictions: ReadonlyMap<string, CompiledPolicy>,
  strategies: ReadonlyMap<string, Strategy>,
) {
  for (const name of jurisdictions.keys()) {
    if (isPresetPolicyName(name)) continue;
    const clash = name.includes('/') ? 'the model-string separator "/"' : readAsOther(name, jurisdictions, strategies);
    if (clash) {
      throw new InvalidRequestError(
        `createRouter: custom policy name "${name}" ${name.includes('/') ? 'contains' : 'would be read as'} ${clash} in model strings; give the policy another name`,
        'policy',
      );
    }
  }
  const seen = new Set<string>();
  for (const provider of options.providers) {
    const id = provider.id;
    const clash = seen.has(id) ? 'another provider' : jurisdictions.has(id) ? 'a jurisdiction' : readAsOther(id, jurisdictions, strategies);
    if (clash) {
      throw new InvalidRequestError(
        `createRouter: provider id "${id}" collides with ${clash}; give the provider another id`,
        'providers',
      );
    }
    if (!providerIdPattern.test(id)) {
      throw new InvalidRequestError(`createRouter: provider id "${id}" must be kebab-case (a-z, 0-9, -)`, 'providers');
    }
    seen.add(id);
  }
}
