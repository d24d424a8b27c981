import { logAuditErrors } from '../audit/audit-error.js';
import type { AuditOptions, AuditSink, ResolvedAuditOptions } from '../audit/types.js';
import { InvalidRequestError } from '../errors.js';
import * as s from '../internal/shape/index.js';
import { jurisdictionShape } from '../policy/facts-shape.js';
import type { PresetPolicyName } from '../policy/presets.js';
import type { JurisdictionPolicy } from '../policy/types.js';
import type { CompletionEstimateOptions } from '../health/completion-estimate.js';
import type { HealthStore } from '../health/health-store.js';
import type { KeyBudget } from '../budgets/budget-guard.js';
import type { LatencyEstimateOptions } from '../health/latency-estimate.js';
import { defaultExplorationOptions, type ExplorationOptions, type ResolvedExplorationOptions } from '../strategies/exploration.js';
import type { FxTable } from '../pricing/currency.js';
import type { Provider } from '../providers/types.js';
import { optionalRate } from '../providers/deployment-limits-shape.js';
import { responsesOptionsShape, type ResponsesOptions } from '../responses/options.js';
import type { Strategy, StrategyFunction } from '../strategies/types.js';
import { resolveLogger, type Logger, type ResolvedLogger } from '../logging/logger.js';
import { resolveTelemetryOptions, type ResolvedTelemetryOptions, type TelemetryOptions } from '../telemetry/telemetry-options.js';

/** What a scoped API key may do. */
export interface KeyOptions {
  /** The key's own policy; it narrows the router's, never widens it. */
  policy?: PresetPolicyName | JurisdictionPolicy;
  /** Shown in audit records instead of a hash of the key (not empty); it also names the key in errors and `router.usage()`. */
  label?: string;
  /**
   * Most the key may spend per period, in the router's currency. Each request reserves its
   * estimated cost before it is sent and settles to its actual cost; one that does not fit is
   * refused with 429 `budget_exceeded`. Shared by a fleet when the `store` is shared.
   */
  budget?: KeyBudget;
  /** Requests per minute the key may make (at least 1); beyond it, 429 `rate_limited` with `Retry-After`. Shared by a fleet when the `store` is shared. */
  rpm?: number;
  /** Tokens per minute (at least 1; prompt plus expected completion, estimated before the call); beyond it, 429 `rate_limited`. */
  tpm?: number;
}

/** Retries of one candidate before falling back to the next. */
export interface RetryOptions {
  /** Retries per candidate after its first attempt. @default 2 */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter. @unit milliseconds @default 250 */
  minTimeoutMs?: number;
  /** Longest backoff delay. @unit milliseconds @default 4000 */
  maxTimeoutMs?: number;
  /**
   * The longest `Retry-After` the router waits for; a longer one falls back to the next
   * candidate at once instead of waiting. @unit milliseconds @default 10000
   */
  maxRetryAfterMs?: number;
}

/**
 * Health tracking and the circuit breaker, per provider+model. A failure is any failed attempt
 * except a request error (400/422, which says nothing about the deployment) and a caller's
 * abort: 5xx, 429, timeouts, connection errors, malformed answers, a stream cut mid-way.
 */
export interface HealthOptions {
  /** Consecutive failures of one provider+model that open its circuit. @default 5 */
  failureThreshold?: number;
  /**
   * How long an open circuit first keeps its deployment out of routing. After it, one trial
   * request goes through: success closes the circuit, failure opens it again for
   * `cooldownGrowth` times as long (up to `maxCooldownMs`), or as long when the trial failed
   * faster than the deployment usually answers (a quick 503). Each `cooldownDecayMs` of healthy
   * operation takes one step back, down to this.
   * @unit milliseconds @default 5000
   */
  cooldownMs?: number;
  /** The longest cooldown, however often the deployment failed. @unit milliseconds @default 60000 */
  maxCooldownMs?: number;
  /** Factor by which each further opening lengthens the cooldown. @default 1.5 */
  cooldownGrowth?: number;
  /** Closed, healthy operation that takes the next cooldown one step shorter. @unit milliseconds @default 30000 */
  cooldownDecayMs?: number;
  /**
   * How latency estimates follow change: half-lives in time and in samples, the peak rule,
   * how an aged estimate shrinks toward the other candidates'. See `docs/routing.md`.
   */
  latency?: LatencyEstimateOptions;
  /** How expected completion lengths (for expected cost) are learned from answers. */
  completion?: CompletionEstimateOptions;
  /** Where latency, outcomes and circuits are kept. @default memoryHealthStore() (this process) */
  store?: HealthStore;
}

/**
 * Sizes a simulated (test-key) answer may reach, whatever the request's JSON schema asks for:
 * a schema demanding `minItems: 1e9` is refused with a 400 naming the option, not answered by
 * exhausting the heap.
 */
export interface SimulationLimits {
  /** Most items in a generated array; a schema whose `minItems` is above it is refused (400). @default 64 */
  maxArrayItems?: number;
  /**
   * Longest generated string; a `minLength` above it, or a `pattern` needing a longer string, is
   * refused (400). @unit characters @default 4096
   */
  maxStringLength?: number;
  /** Most properties in a generated object; a `minProperties` or `required` above it is refused (400). @default 64 */
  maxObjectProperties?: number;
  /**
   * Largest whole simulated answer, every choice of `n` together (JSON, tool arguments, text;
   * embeddings count inputs × dimensions × 4). Counted as it is written: a request asking for
   * more is refused (400) as soon as it passes. @unit bytes @default 1048576 (1 MiB)
   */
  maxAnswerBytes?: number;
}

/**
 * Limits on what a caller controls. Each is part of the contract: a request beyond one is
 * refused with 400 `invalid_request` naming the limit (413 for the body size), before any work
 * that grows with it, and audited like any other invalid request.
 */
export interface RequestLimits {
  /** Largest request body `router.fetch` reads. @unit bytes @default 16777216 (16 MiB) */
  maxBodyBytes?: number;
  /**
   * Deepest nesting of objects and arrays anywhere in a request, unknown fields included (the
   * body itself is depth 1). @default 64
   */
  maxDepth?: number;
  /**
   * Most entries in `messages` (chat), `input` (embeddings) or `prompt` (legacy completions); one
   * tokenised input (an array of numbers) is one entry. @default 4096
   */
  maxMessages?: number;
  /**
   * Most stored responses a Responses request may continue through `previous_response_id`: the
   * conversation is rebuilt by reading each of its responses from the response store, one read
   * per turn. A longer one is refused (400 naming `previous_response_id`). @default 1000
   */
  maxConversationTurns?: number;
  /** Most entries in `tools` (and in a chat request's legacy `functions`). @default 128 */
  maxTools?: number;
  /** Longest `model` string. @unit characters @default 256 */
  maxModelLength?: number;
  /** Longest string in a `route` field, and most entries in `route.only`, `ignore` or `order`. @default 256 */
  maxRouteFieldLength?: number;
  /** Sizes of what the pseudo-LLM generates for test keys. */
  simulation?: SimulationLimits;
}

export interface RouterOptions {
  /** The provider deployments this router may use. Ids must be unique. */
  providers: Provider[];
  /**
   * The jurisdiction policy every request is held to. A request, its model string or its key
   * can only narrow it.
   * @default 'global'
   */
  policy?: PresetPolicyName | JurisdictionPolicy;
  /**
   * How candidates are ranked when the request does not say. A function or object of your own
   * is named after the function (or `custom`) or the object's `name`, which must not be a
   * built-in strategy's name or alias (`cheapest`, `fast`…). @default 'balanced'
   */
  strategy?: 'cheapest' | 'fastest' | 'balanced' | 'quality' | Strategy | StrategyFunction;
  /** The key used by in-process calls. A `test-` key answers every call with the pseudo-LLM. */
  apiKey?: string;
  /**
   * Scoped keys. When set, only these keys (and `apiKey`) are accepted, through `router.fetch`
   * and per call; any other key is refused with 401 `invalid_api_key`.
   * @example { 'sk-team-a': { policy: 'eu-sovereign', label: 'team-a' } }
   */
  keys?: Record<string, KeyOptions>;
  /**
   * Where audit records go, one per request: the sinks, or the sinks with options (what is kept
   * of the text, error reporting, queue and retry bounds).
   * @default [] (no audit)
   * @example [jsonlAudit('audit.jsonl')]
   * @example { sinks: [jsonlAudit('audit.jsonl')], content: 'hash', onError: (error) => log.warn(error) }
   */
  audit?: AuditSink[] | AuditOptions;
  /**
   * A stream the caller stops reading (without `break`, `return()` or an abort) is closed once
   * it has gone this long without a read (checked every period, so within twice this), or as
   * soon as it is garbage collected: its upstream is released and its audit record written as
   * `aborted`. A later read throws `aborted`. Time spent waiting on the upstream never counts.
   * 0 turns the timer off (garbage collection still applies).
   * @unit milliseconds @default 300000
   */
  streamIdleTimeoutMs?: number;
  retry?: RetryOptions;
  /**
   * Per-attempt timeout: connecting plus the whole answer, or a stream up to its first chunk of
   * substance (content, a tool call, a finish reason: not an opening chunk with the role alone). A
   * request's `route.max_latency_ms` replaces it for that request. A timed-out attempt is
   * retried or falls back like a 5xx.
   * @unit milliseconds @default 60000
   */
  timeoutMs?: number;
  /**
   * Deadline of the whole call: every attempt, backoff wait and fallback, and a stream until its
   * last chunk. When it passes, the call ends with `timeout` (504) listing its attempts; a
   * stream already under way ends with that error. The default matches the OpenAI SDK's own
   * timeout; lower it for interactive paths, raise it for very long streamed generations.
   * @unit milliseconds @default 600000
   */
  deadlineMs?: number;
  /** Circuit breaker and health statistics. */
  health?: HealthOptions;
  /**
   * The state the router keeps between requests (circuits, latency, outcomes): in this process
   * by default, or shared by a fleet of instances, e.g. `redisStore()` from `sovroute/redis`.
   * Same as `health.store`, which it replaces. @default memoryHealthStore() (this process)
   */
  store?: HealthStore;
  /**
   * Exploration by strategies that rank on latency (`fastest`, `balanced`): a bounded share of
   * requests re-measures eligible candidates whose estimate is uncertain or stale. Never a
   * candidate the policy, capabilities, `route` or an open circuit excludes; off for test keys.
   */
  exploration?: ExplorationOptions;
  /** Limits on what a caller controls: body size, nesting, list lengths, string lengths, simulated answers. */
  limits?: RequestLimits;
  /**
   * OpenTelemetry traces and metrics (GenAI semantic conventions): `true` uses the global
   * tracer and meter providers, or pass your own. Needs `@opentelemetry/api`, loaded only when on.
   * @default false
   */
  telemetry?: boolean | TelemetryOptions;
  /**
   * Where the router reports sink failures, warnings and (at debug level) each routing decision:
   * `console`, pino, winston, or any object with `debug`, `info`, `warn`, `error`.
   * @default errors and warnings to stderr; decisions only with `DEBUG=sovroute*`
   */
  logger?: Logger;
  /**
   * How `router.responses` keeps responses (for `previous_response_id` and `item_reference`):
   * in memory by default, bounded by count, bytes and age.
   */
  responses?: ResponsesOptions;
  /** The currency costs are reported in. @default 'EUR' */
  currency?: string;
  /**
   * Exchange rates, value of one unit in a common unit of your choice. A currency left out takes
   * its built-in rate (`defaultFx`, in dollars) converted into that unit.
   * @default defaultFx
   */
  fx?: FxTable;
}

/** Node's timers hold at most 2^31 - 1 ms; a longer one fires at once (with a warning). */
const maxTimerMs = 2_147_483_647;
const currencyCode = /^[A-Z]{3}$/;
const currencyMessage = 'must be an upper-case ISO 4217 currency code such as EUR or USD';
const atMostTimer = () => s.maximum(maxTimerMs, `must be at most ${maxTimerMs} ms (about 24.8 days), the longest timer Node can set`);
const milliseconds = () => s.number(s.minimum(0), atMostTimer());
/** Milliseconds above zero: a timeout or deadline. */
const positiveMilliseconds = () => s.number(s.minimum(0), atMostTimer(), s.positive());
const optionalMilliseconds = () => s.optional(milliseconds());
const optionalPositiveMilliseconds = () => s.optional(positiveMilliseconds());

const positiveInteger = () => s.number(s.int(), s.positive(), s.maximum(Number.MAX_SAFE_INTEGER));
const optionalPositiveInteger = () => s.optional(positiveInteger());
const optionalPositive = () => s.optional(s.number(s.positive()));

const countriesMessage = "must be 'EU', 'EEA' or a list of ISO country codes such as ['FR', 'DE']";
const countries = () => s.optional(s.union([s.array(s.string(s.length(2))), s.oneOf(['EU', 'EEA'], countriesMessage)]));

/** An object whose `names` are all functions. */
const hasMethods = (value: unknown, names: readonly string[]) =>
  typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

const policyShape = s.union([
  s.oneOf(['eu-sovereign', 'eu-hosted', 'global'], "must be a preset ('eu-sovereign', 'eu-hosted', 'global') or a custom policy object with a name"),
  s.strictObject({
    name: s.stringWithError('must be a string: a custom policy needs a name (shown in model strings, routes and audit records)', s.minLength(1)),
    hosting: countries(),
    operator: countries(),
    allowUsControl: s.optional(s.boolean()),
    allowUsSubprocessors: s.optional(s.boolean()),
    providers: s.optional(s.strictObject({ allow: s.optional(s.array(s.string())), deny: s.optional(s.array(s.string())) })),
    zeroRetention: s.optional(s.boolean()),
  }),
]);

const optionalFacts = s.optional(jurisdictionShape);

const providerShape = s.custom(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Provider).id === 'string' &&
    Array.isArray((value as Provider).models) &&
    typeof (value as Provider).doChat === 'function',
  'must be a provider created by openaiCompatible(), a preset such as mistral(), or an object implementing the Provider contract',
  (provider: Provider, issues: s.Issue[]) => {
    // Policies read these facts unchecked: a custom adapter's are held to openaiCompatible()'s rules.
    if (typeof provider !== 'object' || provider === null) return;
    for (const issue of optionalFacts.run(provider.jurisdiction).issues) {
      issues.push({ code: 'custom', message: s.messageOf(issue), path: ['jurisdiction', ...issue.path], continue: true });
    }
    // The router calls these methods for these capabilities: without one, every such call would fail (a test key's too).
    provider.models.forEach((offer, index) => {
      for (const [capability, method] of offeredMethods) {
        if (offer?.capabilities?.includes(capability) !== true || typeof provider[method] === 'function') continue;
        const message = `offers ${capability} for ${String(offer.id)}, but provider ${provider.id} implements no ${method}: remove the capability, or serve the model through a provider that does (openaiCompatible())`;
        issues.push({ code: 'custom', message, path: ['models', index, 'capabilities'], continue: true });
      }
    });
  },
);

/** The provider method the router calls for each capability that needs its own. */
const offeredMethods = [
  ['embeddings', 'doEmbed'],
  ['completions', 'doComplete'],
] as const;

const sinkShape = s.custom(
  (value) => typeof value === 'object' && value !== null && typeof (value as AuditSink).write === 'function',
  'must be an audit sink such as memoryAudit(), callbackAudit(fn) or jsonlAudit(path), or an object with write(record)',
);

const healthStoreShape = s.optional(
  s.custom((value) => hasMethods(value, ['get', 'set', 'keys']), 'must be a HealthStore: an object with get, set and keys (e.g. memoryHealthStore())'),
);

/** `retry` (the configuration file's schema has the same rules, node/config/router-schemas.ts). */
const retryOptionsShape = s.strictObject({
  retries: s.optional(s.number(s.int(), s.minimum(0), s.maximum(10))),
  minTimeoutMs: optionalMilliseconds(),
  maxTimeoutMs: optionalMilliseconds(),
  maxRetryAfterMs: optionalMilliseconds(),
});

/** `limits` (the configuration file's schema has the same rules, node/config/router-schemas.ts). */
const requestLimitsShape = s.strictObject({
  maxBodyBytes: optionalPositiveInteger(),
  maxDepth: optionalPositiveInteger(),
  maxMessages: optionalPositiveInteger(),
  maxConversationTurns: optionalPositiveInteger(),
  maxTools: optionalPositiveInteger(),
  maxModelLength: optionalPositiveInteger(),
  maxRouteFieldLength: optionalPositiveInteger(),
  simulation: s.optional(
    s.strictObject({
      maxArrayItems: optionalPositiveInteger(),
      maxStringLength: optionalPositiveInteger(),
      maxObjectProperties: optionalPositiveInteger(),
      maxAnswerBytes: optionalPositiveInteger(),
    }),
  ),
});

const contentShape = () => s.optional(s.oneOf(['none', 'hash', 'full']));

/** A function: anything else is `expected function`, ending the value as a type mismatch does, so a union reports every branch. */
const functionShape = () =>
  s.unknown((value: unknown, issues: s.Issue[]) => {
    if (typeof value !== 'function') issues.push({ code: 'invalid_type', expected: 'function', input: value, path: [], continue: false });
  });

const routerOptionsShape = s.strictObject({
  providers: s.array(providerShape),
  policy: s.optional(policyShape),
  strategy: s.optional(s.union([s.string(), functionShape(), s.looseObject({ name: s.string(), rank: functionShape() })])),
  apiKey: s.optional(s.string(s.minLength(1))),
  keys: s.optional(
    s.record(
      s.string(s.minLength(1)),
      s.strictObject({
        policy: s.optional(policyShape),
        label: s.optional(s.string(s.minLength(1))),
        budget: s.optional(s.strictObject({ limit: s.number(s.nonnegative()), period: s.oneOf(['day', 'week', 'month', 'total']) })),
        rpm: optionalRate(),
        tpm: optionalRate(),
      }),
    ),
  ),
  audit: s.optional(
    s.union([
      s.array(sinkShape),
      s.strictObject({
        sinks: s.array(sinkShape),
        content: contentShape(),
        candidates: s.optional(s.oneOf(['summary', 'all'])),
        onError: s.optional(functionShape()),
        queueLimit: s.optional(s.number(s.int(), s.positive())),
        onFull: s.optional(s.oneOf(['wait', 'drop'])),
        maxWaitMs: optionalMilliseconds(),
        retry: s.optional(s.strictObject({ minDelayMs: optionalMilliseconds(), maxDelayMs: optionalMilliseconds() })),
        drainTimeoutMs: optionalPositiveMilliseconds(),
      }),
    ]),
  ),
  streamIdleTimeoutMs: optionalMilliseconds(),
  retry: s.optional(retryOptionsShape),
  timeoutMs: optionalPositiveMilliseconds(),
  deadlineMs: optionalPositiveMilliseconds(),
  store: healthStoreShape,
  health: s.optional(
    s.strictObject({
      failureThreshold: s.optional(s.number(s.int(), s.minimum(1))),
      cooldownMs: optionalMilliseconds(),
      maxCooldownMs: optionalMilliseconds(),
      cooldownDecayMs: optionalMilliseconds(),
      cooldownGrowth: s.optional(s.number(s.minimum(1), s.maximum(10))),
      latency: s.optional(
        s.strictObject({
          halfLifeMs: optionalPositiveMilliseconds(),
          halfLifeSamples: optionalPositive(),
          peakFactor: s.optional(s.number(s.minimum(1))),
          peakHalfLifeMs: optionalPositiveMilliseconds(),
          resetRun: s.optional(s.number(s.int(), s.minimum(1))),
          resetSigma: optionalPositive(),
          priorSpread: optionalPositive(),
        }),
      ),
      completion: s.optional(
        s.strictObject({
          halfLifeMs: optionalPositiveMilliseconds(),
          halfLifeSamples: optionalPositive(),
          priorWeight: optionalPositive(),
        }),
      ),
      store: healthStoreShape,
    }),
  ),
  exploration: s.optional(
    s.strictObject({
      share: s.optional(s.number(s.minimum(0), s.maximum(0.5))),
      burst: s.optional(s.number(s.minimum(1), s.maximum(100))),
      maxStalenessMs: optionalMilliseconds(),
      optimism: s.optional(s.number(s.minimum(0), s.maximum(10))),
      recoveryWatchMs: optionalMilliseconds(),
      recoveryWatchDelayMs: optionalMilliseconds(),
    }),
  ),
  limits: s.optional(requestLimitsShape),
  telemetry: s.optional(
    s.union([
      s.boolean(),
      s.strictObject({
        tracer: s.optional(s.custom((value) => typeof (value as { startSpan?: unknown })?.startSpan === 'function', 'must be an OpenTelemetry Tracer (an object with startSpan)')),
        // Every instrument is made when the observer loads, after createRouter has returned: a
        // meter without one is refused here, not there.
        meter: s.optional(
          s.custom(
            (value) => hasMethods(value, ['createHistogram', 'createCounter', 'createObservableGauge']),
            'must be an OpenTelemetry Meter (an object with createHistogram, createCounter and createObservableGauge)',
          ),
        ),
        content: contentShape(),
        propagate: s.optional(s.boolean()),
      }),
    ]),
  ),
  logger: s.optional(
    s.custom(
      (value) => hasMethods(value, ['debug', 'info', 'warn', 'error']),
      'must be a logger: an object with debug, info, warn and error methods (console, pino, winston…)',
    ),
  ),
  responses: s.optional(responsesOptionsShape),
  currency: s.optional(s.string(s.regex(currencyCode, currencyMessage))),
  fx: s.optional(s.record(s.string(s.regex(currencyCode, currencyMessage)), s.number(s.positive()))),
});

export type ResolvedRequestLimits = Required<Omit<RequestLimits, 'simulation'>> & { simulation: Required<SimulationLimits> };

/** The documented defaults of `limits`. */
export const defaultRequestLimits: ResolvedRequestLimits = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxMessages: 4096,
  maxConversationTurns: 1000,
  maxTools: 128,
  maxModelLength: 256,
  maxRouteFieldLength: 256,
  simulation: { maxArrayItems: 64, maxStringLength: 4096, maxObjectProperties: 64, maxAnswerBytes: 1024 * 1024 },
};

/** Options after validation and defaults. */
export interface ResolvedRouterOptions {
  providers: Provider[];
  policy: PresetPolicyName | JurisdictionPolicy;
  strategy: string | Strategy | StrategyFunction;
  apiKey: string | undefined;
  keys: Record<string, KeyOptions> | undefined;
  audit: ResolvedAuditOptions;
  streamIdleTimeoutMs: number;
  retry: Required<RetryOptions>;
  timeoutMs: number;
  deadlineMs: number;
  health: Required<Omit<HealthOptions, 'store' | 'latency' | 'completion'>> & {
    store: HealthStore | undefined;
    latency: LatencyEstimateOptions | undefined;
    completion: CompletionEstimateOptions | undefined;
  };
  exploration: ResolvedExplorationOptions;
  limits: ResolvedRequestLimits;
  telemetry: ResolvedTelemetryOptions | undefined;
  logger: ResolvedLogger;
  currency: string;
  fx: FxTable | undefined;
}

type Issue = s.Issue;

/**
 * The issue to report. For a union (a policy is a preset name or an object), zod says only
 * "Invalid input": report instead what the branch of the value's own type says.
 */
function specificIssue(issue: Issue): Issue {
  // A record key that fails: its own message, at the key's path.
  if (issue.code === 'invalid_key' && issue.issues?.[0]) return { ...issue.issues[0], path: issue.path };
  if (issue.code !== 'invalid_union' || !issue.errors || issue.errors.length === 0) return issue;
  // The branch that got furthest into the value: a deeper path, else not a mismatch of type.
  const rank = (issues: readonly Issue[]) => (issues[0] ? issues[0].path.length * 2 + (issues[0].code === 'invalid_type' ? 0 : 1) : -1);
  const branch = issue.errors.reduce((best, issues) => (rank(issues) > rank(best) ? issues : best));
  if (branch[0] === undefined) return issue;
  const inner = specificIssue(branch[0]);
  return { ...inner, path: [...issue.path, ...inner.path] };
}

/** Validates `createRouter` options once; a bad option is an `invalid_request` naming its path. */
export function resolveRouterOptions(options: RouterOptions): ResolvedRouterOptions {
  const parsed = s.safeParse(routerOptionsShape, options);
  if (!parsed.success) {
    const issue = specificIssue(parsed.issues[0]!);
    // An API key is a secret: the path names the place, never the key.
    const path = issue.path.map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 1 && issue.path[0] === 'keys' ? '.<key>' : `.${String(part)}`,
    );
    const name = `options${path.join('')}`;
    throw new InvalidRequestError(`createRouter: ${name} ${s.messageOf(issue)}`, name.slice('options.'.length) || null);
  }
  const logger = resolveLogger(options.logger);
  return {
    providers: options.providers,
    policy: options.policy ?? 'global',
    strategy: options.strategy ?? 'balanced',
    apiKey: options.apiKey,
    keys: options.keys,
    audit: resolveAuditOptions(options.audit, logger.logger),
    streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? 300_000,
    retry: {
      retries: options.retry?.retries ?? 2,
      minTimeoutMs: options.retry?.minTimeoutMs ?? 250,
      maxTimeoutMs: options.retry?.maxTimeoutMs ?? 4000,
      maxRetryAfterMs: options.retry?.maxRetryAfterMs ?? 10_000,
    },
    timeoutMs: options.timeoutMs ?? 60_000,
    deadlineMs: options.deadlineMs ?? 600_000,
    health: {
      failureThreshold: options.health?.failureThreshold ?? 5,
      cooldownMs: options.health?.cooldownMs ?? 5_000,
      maxCooldownMs: Math.max(options.health?.maxCooldownMs ?? 60_000, options.health?.cooldownMs ?? 0),
      cooldownGrowth: options.health?.cooldownGrowth ?? 1.5,
      cooldownDecayMs: options.health?.cooldownDecayMs ?? 30_000,
      store: options.store ?? options.health?.store,
      latency: options.health?.latency,
      completion: options.health?.completion,
    },
    exploration: { ...defaultExplorationOptions, ...options.exploration },
    limits: {
      ...defaultRequestLimits,
      ...options.limits,
      simulation: { ...defaultRequestLimits.simulation, ...options.limits?.simulation },
    },
    telemetry: resolveTelemetryOptions(options.telemetry),
    logger,
    currency: (options.currency ?? 'EUR').toUpperCase(),
    fx: options.fx,
  };
}

function resolveAuditOptions(audit: RouterOptions['audit'], logger: Logger): ResolvedAuditOptions {
  const options: AuditOptions = Array.isArray(audit) ? { sinks: audit } : (audit ?? { sinks: [] });
  return {
    sinks: options.sinks,
    content: options.content ?? 'none',
    candidates: options.candidates ?? 'summary',
    onError: options.onError ?? logAuditErrors(logger),
    queueLimit: options.queueLimit ?? 10_000,
    onFull: options.onFull ?? 'wait',
    maxWaitMs: options.maxWaitMs ?? 30_000,
    retry: { minDelayMs: options.retry?.minDelayMs ?? 100, maxDelayMs: options.retry?.maxDelayMs ?? 30_000 },
    drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
  };
}
