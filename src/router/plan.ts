import type { Candidate } from '../catalog/candidate.js';
import {
  InvalidRequestError,
  ModelNotFoundError,
  NoEligibleProviderError,
  PolicyViolationError,
  describeExclusions,
  type Exclusion,
} from '../errors.js';
import type { RouteSpec } from '../models/parse-model.js';
import { effectivePolicyName, type CompiledPolicy } from '../policy/evaluate.js';
import { amountAbove, roundMoney } from '../pricing/currency.js';
import type { Capability, Provider } from '../providers/types.js';
import type { Ranked, RankingInput, Strategy } from '../strategies/types.js';
import { strategyAliases } from '../strategies/registry.js';
import { closestName } from '../models/suggest.js';
import type { RouteOptions } from '../wire/chat-request.js';
import { circuitsOpen, notConfigured, notConfiguredPrefix } from './routing-errors.js';
import { deploymentsAtLimits, type DeploymentRefusal } from '../budgets/deployment-limits.js';
import { describeCircuit } from '../health/circuit-breaker.js';
import { poolCompletionEstimates, readCompletion, type CompletionEstimate, type CompletionReading } from '../health/completion-estimate.js';
import type { LatencyReading } from '../health/latency-estimate.js';
import { strategyFailed } from '../strategies/checked-strategy.js';
import { chooseExploration } from '../strategies/exploration.js';
import { insertStable } from '../strategies/top-k.js';
import { admissionFor, capabilityWord, policyReasonsOf, stablePool, type Admission } from './admission.js';
import { learnedCompletions, modelCompletions, poolLatencyPrior } from './pool-estimates.js';
import { ownRanking, rankFirst, selectionOrder } from './ranking.js';
import { needsPrices, type Caller, type RouterContext } from './router-context.js';

export { latencyPriorMs } from './pool-estimates.js';

/** What the request needs from a deployment, derived from its body. */
export interface RequestNeeds {
  capabilities: readonly Capability[];
  promptTokens: number;
  /** Expected completion tokens, for the cost estimate. */
  completionTokens: number;
  /** Tokens the context window must hold: prompt plus the requested maximum output. */
  contextTokens: number;
  /** A `stream: true` request: deployments that cannot stream the model are left out. */
  stream?: boolean;
  /**
   * For requests whose answer length varies (chat): the cost estimate uses the completion
   * tokens learned from each deployment's answers instead of `completionTokens`, which is
   * then only the prior. `cap` is the request's `max_tokens`; `choices` its `n`.
   */
  completion?: { cap: number | undefined; choices: number; priorTokens: number };
}

/** One candidate as `explain()` shows it (DESIGN §8). */
export interface ExplainCandidate {
  provider: string;
  model: string;
  eligible: boolean;
  reasons: string[];
  est_cost?: number;
  /** Estimated median latency (time to first token for a stream, whole answer otherwise). @unit milliseconds */
  est_latency_ms?: number;
  /** Estimated p90 latency. @unit milliseconds */
  est_latency_p90_ms?: number;
  /** How unsure the estimate is: the standard error of its log-median (0 = certain; it grows while unmeasured). */
  latency_uncertainty?: number;
  /** The optimistic and pessimistic p90 around the estimate. @unit milliseconds */
  latency_range_ms?: [number, number];
  /** Effective samples behind the estimate after ageing (0 = never measured). */
  latency_samples?: number;
  /** Time since the last latency sample; absent when never measured. @unit milliseconds */
  latency_stale_ms?: number;
  /** This candidate is the one exploration would measure (see `Explanation.exploration`). */
  explore?: true;
  score?: number;
}

/** What a call judged, for its audit record: see `auditCandidates`. */
export interface JudgedCandidates {
  /** The pool's fixed judgement: the candidates excluded by policy, capabilities or streaming. */
  readonly admission: Admission;
  /** The eligible candidates, in catalogue order. */
  readonly eligible: Candidate[];
  /** Reasons noted on eligible candidates (a half-open circuit), by candidate; absent when none. */
  readonly reasons: Map<Candidate, string[]>;
  /** Admitted candidates this request excluded (fit, route filters, configuration, limits, circuits), with every reason. */
  readonly excluded: { candidate: Candidate; reasons: string[] }[];
}

export interface Plan {
  requested: string;
  tier: string;
  policy: string;
  /** The policies that applied (router, key, model string), for the audit record's policy hash. */
  policies: readonly CompiledPolicy[];
  objective: string;
  /** Every candidate considered: the ranked ones first, in the order a call tries them. */
  candidates: ExplainCandidate[];
  /**
   * A call's judgement, when it did not judge every candidate (`candidates` is then built on
   * first read): what its audit record keeps. Undefined when `candidates` is complete.
   */
  judged: JudgedCandidates | undefined;
  /**
   * Eligible candidates, best first: the order execution walks. A call whose strategy can
   * select holds the first `eagerRankCount` here; walking past them ranks the rest.
   */
  ranked: Ranked[];
  /** Candidates excluded only by the jurisdiction policy. */
  policyExcluded: number;
  /** Candidates excluded only by an open circuit. */
  circuitExcluded: number;
  /** Candidates excluded only because their deployment is at its `limits` (the local view). */
  limitExcluded: number;
  /** How soon the first of those deployments has room again. @unit milliseconds */
  limitRetryAfterMs: number | undefined;
  /** Candidates excluded only because their deployment's configuration is incomplete (no key…). */
  configurationExcluded: number;
  /** The earliest time an open circuit lets a trial through. @unit epoch milliseconds */
  earliestRetryAt: number | undefined;
  /** What the request is for (chat, embeddings, legacy completions): its first capability. */
  capability: Capability;
  /** `route.max_cost`, checked again on the actual usage. */
  maxCost: number | undefined;
  /** The request's estimated tokens (prompt plus expected completion), counted against deployments' `tpm`. */
  tokens: number;
  /** `route.max_latency_ms`: this request's per-attempt timeout, instead of `timeoutMs`. @unit milliseconds */
  attemptTimeoutMs: number | undefined;
  /** Exploration: the candidate to measure and why; `taken` when this request goes to it first. */
  exploration: { candidate: Candidate; reason: string; taken: boolean; unmeasured: boolean } | undefined;
  /** For learning answer lengths: the request's number of choices, when its length varies. */
  completionChoices: number | undefined;
}

/**
 * A call's plan, whose `candidates` (every candidate, judged as explain() judges them) are built
 * on first read: a call judges only what it needs. The getter is the class's, shared: one
 * defined on each plan (`Object.defineProperty`) gave every plan a hidden class of its own,
 * ~1.5 µs a call on Node 20 and slower reads of each of its fields after.
 */
class CallPlan {
  #every: ExplainCandidate[] | undefined;
  readonly #explain: () => ExplainCandidate[];

  constructor(fields: Plan, explain: () => ExplainCandidate[]) {
    Object.assign(this, fields);
    // The copy went through the setter: the fields' own list is the judged part only.
    this.#every = undefined;
    this.#explain = explain;
  }

  get candidates(): ExplainCandidate[] {
    return (this.#every ??= this.#explain());
  }

  set candidates(value: ExplainCandidate[]) {
    this.#every = value;
  }
}

// Its fields are a Plan's, copied in by the constructor.
interface CallPlan extends Omit<Plan, 'candidates'> {}

export function selectPolicies(context: RouterContext, caller: Caller, spec: RouteSpec): CompiledPolicy[] {
  const policies = [context.policy];
  if (caller.policy) policies.push(caller.policy);
  if ('jurisdiction' in spec) policies.push(context.jurisdictions.get(spec.jurisdiction)!);
  return policies;
}

function selectStrategy(context: RouterContext, spec: RouteSpec, route: RouteOptions | undefined): Strategy {
  // The request's route.objective re-ranks whatever the model string says (DESIGN §2); a model
  // string without a strategy (pinned, tier 1 and 2, plain `auto`) leaves it to the router's.
  const name = route?.objective ?? ('strategy' in spec ? spec.strategy : undefined);
  if (name === undefined) return context.defaultStrategy;
  const strategy = context.strategies.get(Object.hasOwn(strategyAliases, name) ? strategyAliases[name]! : name);
  if (strategy === undefined) {
    const meant = closestName(name, [...context.strategies.keys(), ...Object.keys(strategyAliases)]);
    const hint = meant === undefined ? '' : `did you mean "${Object.hasOwn(strategyAliases, meant) ? strategyAliases[meant] : meant}"? `;
    throw new InvalidRequestError(
      `route.objective "${name}" is not a strategy; ${hint}use one of ${[...context.strategies.keys()].join(', ')}`,
      'route.objective',
    );
  }
  return strategy;
}

function pool(context: RouterContext, spec: RouteSpec, needs: RequestNeeds): readonly Candidate[] {
  if (spec.tier === '1') {
    const candidate = context.index.byProvider(spec.provider, spec.model);
    if (candidate === undefined) {
      const served = context.index.all.filter((entry) => entry.provider.id === spec.provider).map((entry) => entry.model);
      throw new ModelNotFoundError(
        `provider ${spec.provider} does not serve model "${spec.model}"; it serves ${served.join(', ') || 'no models'} ` +
          `(add the model to the provider's models to use it)`,
      );
    }
    return stablePool(context, candidate, () => [candidate]);
  }
  if (spec.tier === '3' || spec.tier === 'auto') {
    const primary = needs.capabilities[0]!;
    return stablePool(context, primary, () => context.index.all.filter((candidate) => candidate.capabilities.has(primary)));
  }
  const candidates = context.index.byModel(spec.model);
  if (candidates.length === 0) {
    throw new ModelNotFoundError(`no configured provider serves model "${spec.model}"${unknownModelHint(context, spec)}`);
  }
  return candidates;
}

/** What the caller probably meant by a model nobody serves: a strategy, or a model someone does. */
function unknownModelHint(context: RouterContext, spec: Extract<RouteSpec, { model: string }>): string {
  const strategyNames = [...context.strategies.keys(), ...Object.keys(strategyAliases)];
  if (spec.tier === '2') {
    const strategy = spec.model.toLowerCase() === 'auto' ? context.defaultStrategy.name : closestName(spec.model, strategyNames);
    if (strategy !== undefined) return `; for any model ranked by a strategy, use "${spec.jurisdiction}/${strategy}"`;
  }
  const models = new Set<string>();
  for (const candidate of context.index.all) models.add(candidate.model).add(candidate.native);
  const model = closestName(spec.model, models);
  const prefix = spec.tier === '2' ? `${spec.jurisdiction}/` : spec.tier === '2+' ? `${spec.jurisdiction}-${spec.strategy}/` : '';
  if (model !== undefined) return `; did you mean "${prefix}${model}"?`;
  return ' (add it to a provider\'s models to use it)';
}

/** The configured provider ids and candidate keys, by their lower case: for `assertRouteNames`. */
const routeNames = new WeakMap<RouterContext['index'], Map<string, string>>();

/**
 * Refuses a `route.only` / `ignore` / `order` entry that names a configured provider or
 * deployment in the wrong case (`'OpenAI'` for `openai`): it would match nothing, and an
 * `ignore` that ignores nothing fails open. An entry that names nothing configured, in any case,
 * is left alone (a caller may send one list to routers of different catalogues).
 */
function assertRouteNames(context: RouterContext, route: RouteOptions | undefined): void {
  if (route === undefined || (route.only === undefined && route.ignore === undefined && route.order === undefined)) return;
  let names = routeNames.get(context.index);
  if (names === undefined) {
    names = new Map();
    for (const candidate of context.index.all) {
      names.set(candidate.provider.id.toLowerCase(), candidate.provider.id);
      names.set(candidate.key.toLowerCase(), candidate.key);
      // A renamed preset's own id is a name `route.ignore` matches too (see addRequestFitReasons).
      const preset = candidate.provider.preset;
      if (preset !== undefined && preset !== candidate.provider.id) {
        if (!names.has(preset.toLowerCase())) names.set(preset.toLowerCase(), preset);
        const deployment = `${preset}/${candidate.model}`;
        if (!names.has(deployment.toLowerCase())) names.set(deployment.toLowerCase(), deployment);
      }
    }
    routeNames.set(context.index, names);
  }
  for (const field of ['only', 'ignore', 'order'] as const) {
    route[field]?.forEach((entry, index) => {
      const meant = names.get(entry.toLowerCase()) ?? deploymentByOtherId(context, names, entry);
      if (meant !== undefined && meant !== entry) {
        throw new InvalidRequestError(`route.${field}[${index}] "${entry}" names no provider or deployment; did you mean "${meant}"? (ids are matched exactly)`, `route.${field}[${index}]`);
      }
    });
  }
}

/**
 * The deployment a `{provider}/{model}` entry names by another id of its model (the upstream's own
 * `meta-llama/Llama-3.3-70B-Instruct` for `llama-3.3-70b-instruct`): matched exactly, it would
 * match nothing. Undefined when the provider or the model is not configured.
 */
function deploymentByOtherId(context: RouterContext, names: ReadonlyMap<string, string>, entry: string): string | undefined {
  const slash = entry.indexOf('/');
  if (slash <= 0) return undefined;
  const provider = names.get(entry.slice(0, slash).toLowerCase());
  return provider === undefined ? undefined : context.index.byProvider(provider, entry.slice(slash + 1))?.key;
}

/** Adds why `candidate` cannot serve this request now, beyond the fixed reasons of its admission. */
function addRequestFitReasons(reasons: string[], candidate: Candidate, needs: RequestNeeds, route: RouteOptions | undefined): void {
  const window = candidate.offer.context;
  if (window !== undefined && needs.contextTokens > window) {
    reasons.push(`request needs ~${needs.contextTokens} tokens of context; the model's window is ${window}`);
  }
  if (route === undefined) return;
  const id = candidate.provider.id;
  if (route.only && !route.only.includes(id) && !route.only.includes(candidate.key)) reasons.push('not listed in route.only');
  // The caller named their choices and refused fallbacks: a deployment they did not name never
  // stands in for one that cannot be called (an open circuit, over max_cost).
  if (route.order && route.allow_fallbacks === false && !route.order.includes(id) && !route.order.includes(candidate.key)) {
    reasons.push('not listed in route.order, and route.allow_fallbacks is false');
  }
  if (route.ignore) {
    if (route.ignore.includes(id) || route.ignore.includes(candidate.key)) reasons.push('listed in route.ignore');
    else {
      // Renaming a preset's deployment (`openai({ id: 'openai-prod' })`) never lets it out of an
      // ignore list that names the preset, alone or with the model.
      const preset = candidate.provider.preset;
      if (preset !== undefined && preset !== id && (route.ignore.includes(preset) || route.ignore.includes(`${preset}/${candidate.model}`))) {
        reasons.push(`built from preset ${preset}, which route.ignore lists`);
      }
    }
  }
}

/** The policy reasons against a provider under every policy that applies, each once. */
export function policyReasons(context: RouterContext, policies: readonly CompiledPolicy[], providerId: string): string[] {
  return policyReasonsOf(context, policies, providerId).slice();
}

/** What a deployment's configuration lacks, asked safely: a check that throws says so. */
export function missingConfiguration(provider: Provider): string | undefined {
  try {
    const reason = provider.missingConfiguration?.();
    return typeof reason === 'string' && reason !== '' ? reason : undefined;
  } catch (error) {
    return `its missingConfiguration() threw (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Candidates a call ranks up front when its strategy can select the first few (`select`): a
 * call walks its ranking until one answers, and rarely gets past a few. If it does, the rest is
 * ranked then (see `rankFirst`).
 */
export const eagerRankCount = 8;

/**
 * Builds the routing decision for one request. Pure: calls no provider.
 *
 * A call judges only the candidates its admission lets through (policy and capabilities are
 * decided once per pool, see admission.ts) and, when the strategy can, ranks only the first
 * few. `explain()` (mode `'explain'`) and audit records that keep every candidate
 * (`audit.candidates: 'all'`) judge and rank every candidate, as `plan.candidates` shows them;
 * a call's `plan.candidates` is built the same way on first read (an error listing exclusions).
 */
export function planRoute(
  context: RouterContext,
  caller: Caller,
  requested: string,
  spec: RouteSpec,
  needs: RequestNeeds,
  route: RouteOptions | undefined,
  mode: 'call' | 'explain' = 'call',
): Plan {
  const policies = selectPolicies(context, caller, spec);
  const strategy = selectStrategy(context, spec, route);
  assertRouteNames(context, route);
  const full = mode === 'explain' || (context.audit.enabled && context.options.audit.candidates === 'all');
  const candidates: ExplainCandidate[] = [];
  const inputs: RankingInput[] = [];
  const explained = new Map<Candidate, ExplainCandidate>();
  let circuitExcluded = 0;
  let configurationExcluded = 0;
  let earliestRetryAt: number | undefined;
  const now = Date.now();
  // A stream is compared on time to its first chunk of substance, any other call on time to its whole answer.
  const latencyKind = needs.stream ? 'ttft' : 'answer';
  const latencyWords = needs.stream ? 'time to first token' : 'answer time';

  const health = context.health;
  const candidatePool = pool(context, spec, needs);
  const admission = admissionFor(context, candidatePool, policies, needs.capabilities, needs.stream === true);
  const prior = poolLatencyPrior(context, candidatePool, latencyKind);
  const optimism = context.options.exploration.optimism;
  const completions = needs.completion && completionReader(context, candidatePool, admission.byModel, needs.completion, now);
  // Exploration and explain() read every eligible candidate's latency; a call ranked on cost alone does not.
  const keepReadings = full || strategy.usesLatency === true;
  const readings = new Map<Candidate, LatencyReading>();
  // The reading of a never-measured deployment depends on the prior only: read once, shared.
  let unmeasured: LatencyReading | undefined;
  // Candidates come grouped by provider: its configuration and limits are asked once per request.
  let configuredProvider: Provider | undefined;
  let configurationReason: string | undefined;
  let limitedProvider: Provider | undefined;
  let limitRefusal: DeploymentRefusal | undefined;
  let limitExcluded = 0;
  let limitRetryAfterMs: number | undefined;
  const tokens = needs.promptTokens + needs.completionTokens;
  const pricedOnly = needsPrices(caller);
  const judged: JudgedCandidates = { admission, eligible: [], reasons: new Map(), excluded: [] };
  const scratch: string[] = [];
  // Only the first few, when the whole ranking is not wanted: not for explain(), not for an
  // order the caller sets, not for exploration (which weighs every eligible candidate).
  const selectFirst = !full && strategy.select !== undefined && !strategy.usesLatency && !route?.order;
  // A built-in strategy's first few are kept while judging: the other candidates' inputs are
  // built only if a call walks past them (a catalogue's eligible thousands cost no allocation).
  const order = selectFirst ? selectionOrder.get(strategy) : undefined;
  const first: RankingInput[] = [];
  const costs: (number | undefined)[] = [];
  const latencies: LatencyReading[] = [];

  for (const entry of full ? admission.entries : admission.admitted) {
    const candidate = entry.candidate;
    const admitted = entry.reasons.length === 0;
    // An admitted candidate usually stays eligible with no reason: its reasons start in a
    // scratch list, copied only when something is said of it.
    // Only when something was said: setting an array's length is a runtime call, even to its own.
    if (scratch.length !== 0) scratch.length = 0;
    let reasons = admitted ? scratch : entry.reasons.slice();
    addRequestFitReasons(reasons, candidate, needs, route);
    const completion = completions?.(candidate);
    const estCost = candidate.price && estimateCost(candidate.price, needs, completion?.expected);
    const estimate = health.latencyEstimate(candidate.key, latencyKind);
    let latency: LatencyReading;
    if (estimate === undefined || estimate.weight <= 0) latency = unmeasured ??= health.latency(candidate.key, latencyKind, now, prior, optimism);
    else latency = health.latency(candidate.key, latencyKind, now, prior, optimism);
    if (route !== undefined) {
      if (route.max_cost !== undefined) {
        // The pessimistic length (≈ p90 of recent answers, never above max_tokens): a limit is a promise.
        const boundCost = candidate.price && estimateCost(candidate.price, needs, completion?.pessimistic);
        if (boundCost === undefined) reasons.push('price unknown; route.max_cost needs a price to compare');
        else if (boundCost > route.max_cost) reasons.push(`estimated cost ${amountAbove(boundCost, route.max_cost)} ${context.currency} exceeds route.max_cost ${route.max_cost}`);
      }
      if (route.max_latency_ms !== undefined && latency.measured && latency.p90 > route.max_latency_ms) {
        reasons.push(`estimated p90 ${latencyWords} ${Math.round(latency.p90)} ms exceeds route.max_latency_ms ${route.max_latency_ms}`);
      }
    }
    if (candidate.price === undefined && pricedOnly) {
      reasons.push(`price unknown; the budget of key "${caller.keyId}" needs a price to count what it spends`);
    }
    const provider = candidate.provider;
    // Not for test keys, which simulate the deployment without any configuration.
    if (!caller.simulated && provider.missingConfiguration !== undefined) {
      if (provider !== configuredProvider) {
        configuredProvider = provider;
        configurationReason = missingConfiguration(provider);
      }
      if (configurationReason !== undefined) {
        if (reasons.length === 0) configurationExcluded += 1;
        reasons.push(`${notConfiguredPrefix}${configurationReason}`);
      }
    }
    const limits = provider.limits;
    if (limits !== undefined) {
      if (provider !== limitedProvider) {
        limitedProvider = provider;
        limitRefusal = context.deploymentLimiter.check(provider.id, limits, tokens, now);
      }
      if (limitRefusal !== undefined) {
        // Full for now, not ineligible: says when routing may work again, as an open circuit does.
        // A request over the limit on its own never fits: that is not a wait.
        if (reasons.length === 0 && limitRefusal.never === undefined) {
          limitExcluded += 1;
          if (limitRetryAfterMs === undefined || limitRefusal.retryAfterMs < limitRetryAfterMs) limitRetryAfterMs = limitRefusal.retryAfterMs;
        }
        reasons.push(limitRefusal.reason);
      }
    }
    const circuit = context.health.circuit(candidate.key, now);
    const circuitReason = describeCircuit(circuit, now);
    if (circuitReason !== undefined) {
      if (reasons.length === 0) circuitExcluded += 1;
      // Only a candidate the policy and its capabilities admit says when routing may work again.
      if (admitted && circuit.state === 'open' && (earliestRetryAt === undefined || circuit.retryAt < earliestRetryAt)) earliestRetryAt = circuit.retryAt;
      reasons.push(circuitReason);
    }
    const eligible = reasons.length === 0;
    if (reasons === scratch && (full || !eligible || circuit.state === 'half-open')) reasons = scratch.slice();
    if (full) {
      const shown: ExplainCandidate = { provider: provider.id, model: candidate.model, eligible, reasons };
      candidates.push(shown);
      if (eligible) explained.set(candidate, shown);
    } else if (eligible) judged.eligible.push(candidate);
    else judged.excluded.push({ candidate, reasons });
    if (eligible) {
      if (keepReadings) readings.set(candidate, latency);
      if (order === undefined) inputs.push(rankingInput(candidate, estCost, latency));
      else {
        costs.push(estCost);
        latencies.push(latency);
        keepFirst(first, eagerRankCount, order, candidate, estCost, latency);
      }
      if (circuit.state === 'half-open') {
        reasons.push('circuit half-open: the next attempt on it is the trial');
        if (!full) judged.reasons.set(candidate, reasons);
      }
    }
  }

  let ranked: Ranked[];
  if (order !== undefined) {
    const eligible = judged.eligible;
    const all = () => eligible.map((candidate, index) => rankingInput(candidate, costs[index], latencies[index]!));
    ranked = eligible.length === 0 ? [] : rankFirst(strategy, { first, count: eligible.length, all }, needs, eagerRankCount);
  } else ranked = inputs.length === 0 ? [] : selectFirst ? rankFirst(strategy, inputs, needs, eagerRankCount) : ownRanking(inputs, strategy.rank(inputs, needs));
  if (route?.order) ranked = applyOrder(ranked, route.order);
  // Exploration: only among the ranked (eligible) candidates, only where fallbacks remain and
  // the caller set no order of their own, never for test keys (whose calls teach nothing).
  let exploration: Plan['exploration'];
  if (strategy.usesLatency && !caller.simulated && context.options.exploration.share > 0 && !route?.order && route?.allow_fallbacks !== false) {
    const budget = context.exploration;
    if (mode === 'call') budget.earn();
    const choice = chooseExploration(strategy, ranked, readings, needs, context.options.exploration);
    if (choice !== undefined) {
      const taken = mode === 'call' && budget.available(choice.unmeasured);
      if (taken) {
        budget.spend();
        const index = ranked.findIndex((entry) => entry.candidate === choice.candidate);
        ranked = [ranked[index]!, ...ranked.slice(0, index), ...ranked.slice(index + 1)];
      }
      exploration = { candidate: choice.candidate, reason: choice.reason, taken, unmeasured: choice.unmeasured };
    }
  }
  // explain() still shows the rest of the ranking, each saying it is not tried.
  const notTried = full && route?.allow_fallbacks === false ? ranked.slice(1) : [];
  if (route?.allow_fallbacks === false) ranked = ranked.slice(0, 1);

  const plan: Plan = {
    requested,
    tier: spec.tier,
    policy: policies.length === 1 ? policies[0]!.name : effectivePolicyName(policies),
    policies,
    objective: strategy.name,
    candidates,
    judged: full ? undefined : judged,
    ranked,
    policyExcluded: admission.policyExcluded,
    circuitExcluded,
    limitExcluded,
    limitRetryAfterMs,
    configurationExcluded,
    earliestRetryAt,
    capability: needs.capabilities[0] ?? 'chat',
    maxCost: route?.max_cost,
    tokens,
    attemptTimeoutMs: route?.max_latency_ms,
    exploration,
    completionChoices: needs.completion?.choices,
  };
  if (!full) {
    // A call's own list would miss what it never judged: built in full on first read (by an
    // error naming every exclusion), as explain() would show it.
    return new CallPlan(plan, () => planRoute(context, caller, requested, spec, needs, route, 'explain').candidates);
  }

  // Candidates in the order a call walks them (then those route.allow_fallbacks leaves out, in
  // rank order), then everything else in catalogue order.
  const ordered: ExplainCandidate[] = [];
  const shownFirst = new Set<ExplainCandidate>();
  for (let index = 0; index < ranked.length + notTried.length; index++) {
    const entry = index < ranked.length ? ranked[index]! : notTried[index - ranked.length]!;
    const shown = explained.get(entry.candidate)!;
    if (entry.estCost !== undefined) shown.est_cost = entry.estCost;
    shown.est_latency_ms = Math.round(entry.estLatencyMs);
    const reading = readings.get(entry.candidate);
    if (reading !== undefined) {
      shown.est_latency_p90_ms = Math.round(reading.p90);
      shown.latency_uncertainty = Math.round(reading.uncertainty * 1000) / 1000;
      shown.latency_range_ms = [Math.round(reading.optimisticP90), Math.round(reading.pessimisticP90)];
      shown.latency_samples = Math.round(reading.samples * 10) / 10;
      if (reading.staleMs !== undefined) shown.latency_stale_ms = Math.round(reading.staleMs);
    }
    if (exploration?.candidate === entry.candidate) shown.explore = true;
    shown.score = Math.round(clampScore(entry.score) * 1e4) / 1e4;
    if (entry.note) shown.reasons.push(entry.note);
    if (index >= ranked.length) shown.reasons.push('not tried: route.allow_fallbacks is false, so only the first choice is called');
    ordered.push(shown);
    shownFirst.add(shown);
  }
  // Eligible, yet left out of the ranking by the strategy (a user's that drops some): never tried.
  for (const shown of explained.values()) if (!shownFirst.has(shown)) shown.reasons.push(`not tried: strategy ${strategy.name} did not rank it`);
  for (const candidate of candidates) if (!shownFirst.has(candidate)) ordered.push(candidate);
  plan.candidates = ordered;
  return plan;
}

/**
 * Reads each candidate's expected completion tokens, pooled per model across the request's
 * candidates (`byModel`: the pool's candidates of each model). A candidate with no answers of
 * its own, of a model none has answered, reads the prior: computed once.
 */
function completionReader(
  context: RouterContext,
  pool: readonly Candidate[],
  byModel: ReadonlyMap<string, readonly Candidate[]>,
  completion: NonNullable<RequestNeeds['completion']>,
  now: number,
): (candidate: Candidate) => CompletionReading {
  const health = context.health;
  // Models none of the pool's deployments has answered for (with a large catalogue, nearly all):
  // each of their candidates reads the prior, without a lookup of its own or of its model's pool.
  const learned = learnedCompletions(context, pool, byModel);
  const pools = new Map<string, CompletionEstimate | undefined>();
  let prior: CompletionReading | undefined;
  const priorReading = () => (prior ??= readCompletion(undefined, undefined, completion.priorTokens, completion.cap, now, health.completionOptions));
  return (candidate) => {
    if (learned !== undefined && !learned.has(candidate.model)) return priorReading();
    let pooled = pools.get(candidate.model);
    if (pooled === undefined && !pools.has(candidate.model)) {
      pooled = poolCompletionEstimates(modelCompletions(context, pool, byModel, candidate.model), now, health.completionOptions);
      pools.set(candidate.model, pooled);
    }
    const own = health.completion(candidate.key);
    if (own === undefined && pooled === undefined) return priorReading();
    return readCompletion(own, pooled, completion.priorTokens, completion.cap, now, health.completionOptions);
  };
}

function clampScore(score: number): number {
  return Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
}

/** Cost of the request: `perChoice` completion tokens per choice (learned, or a cap), or the needs' prior. */
export function estimateCost(price: { input: number; output: number }, needs: RequestNeeds, perChoice: number | undefined): number {
  const completionTokens = perChoice === undefined ? needs.completionTokens : perChoice * (needs.completion?.choices ?? 1);
  return roundMoney((needs.promptTokens * price.input + completionTokens * price.output) / 1_000_000);
}

function rankingInput(candidate: Candidate, estCost: number | undefined, latency: LatencyReading): RankingInput {
  return { candidate, estCost, estLatencyMs: latency.p50, latencyMeasured: latency.measured, latencyP90Ms: latency.p90, quality: candidate.offer.quality };
}

/** Reused to compare a candidate with the k-th kept one before building its input. */
const probe: { -readonly [K in keyof RankingInput]: RankingInput[K] } = {
  candidate: undefined as unknown as Candidate,
  estCost: undefined,
  estLatencyMs: 0,
  latencyMeasured: false,
  latencyP90Ms: 0,
  quality: undefined,
};

/**
 * Keeps in `first` the first `k` candidates seen so far in `order`, as a stable sort would list
 * them (`topK`, one candidate at a time): one that cannot make them costs one comparison and no
 * allocation.
 */
function keepFirst(
  first: RankingInput[],
  k: number,
  order: (a: RankingInput, b: RankingInput) => number,
  candidate: Candidate,
  estCost: number | undefined,
  latency: LatencyReading,
): void {
  if (first.length === k) {
    probe.candidate = candidate;
    probe.estCost = estCost;
    probe.estLatencyMs = latency.p50;
    probe.latencyMeasured = latency.measured;
    probe.latencyP90Ms = latency.p90;
    probe.quality = candidate.offer.quality;
    const better = order(probe, first[k - 1]!) < 0;
    probe.candidate = undefined as unknown as Candidate;
    if (!better) return;
    first.pop();
  }
  insertStable(first, rankingInput(candidate, estCost, latency), order);
}

/** `route.order`: the named providers first, in that order; the rest keep the strategy's order. */
function applyOrder(ranked: Ranked[], order: readonly string[]): Ranked[] {
  const position = (entry: Ranked) => {
    const index = order.findIndex((name) => name === entry.candidate.provider.id || name === entry.candidate.key);
    return index === -1 ? order.length : index;
  };
  return ranked
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => position(a.entry) - position(b.entry) || a.index - b.index)
    .map(({ entry }) => entry);
}

/** Throws the routing error a plan with no eligible candidate stands for. */
export function assertRoutable(plan: Plan, context: RouterContext): void {
  if (plan.ranked.length > 0) return;
  const excluded: Exclusion[] = plan.candidates.map(({ provider, model, reasons }) => ({ provider, model, reasons }));
  const dropped = plan.candidates.filter((candidate) => candidate.eligible);
  if (dropped.length > 0) {
    // Every filter admitted them; the strategy returned none of them.
    const names = dropped.map((candidate) => `${candidate.provider}/${candidate.model}`).join(', ');
    throw strategyFailed(plan.objective, `ranked none of the ${dropped.length} deployments eligible for "${plan.requested}" under policy ${plan.policy} (${names})`, excluded);
  }
  if (plan.tier === '1' && plan.policyExcluded === plan.candidates.length) {
    const { provider, model, reasons } = excluded[0]!;
    const admitted = admittedProviders(context, plan.policies, model);
    const next = admitted === '' ? `No deployment it admits serves ${model}: choose a model one does` : `It admits ${admitted} for ${model}: request "${model}"`;
    throw new PolicyViolationError(`policy ${plan.policy} excludes ${provider}: ${reasons.join('; ')}. Nothing was sent. ${next} (router.models.list() lists what it admits).`, excluded);
  }
  if (plan.circuitExcluded > 0) throw circuitsOpen(plan, excluded);
  if (plan.limitExcluded > 0) throw deploymentsAtLimits(plan.requested, plan.policy, excluded, plan.limitRetryAfterMs ?? 1_000);
  if (plan.configurationExcluded > 0) throw notConfigured(plan, excluded);
  if (excluded.length === 0) {
    // Nothing to exclude: no configured model can do what the request asks (auto and tier 3
    // draw only on models with the capability). Not the policy's doing.
    throw new NoEligibleProviderError(
      `no configured model can serve "${plan.requested}": none offers ${capabilityWord(plan.capability)}; nothing was sent`,
      excluded,
    );
  }
  const deniedByPolicy = plan.policyExcluded === plan.candidates.length;
  const next = deniedByPolicy ? ' Choose a model the policy admits (router.models.list() lists them).' : '';
  throw new NoEligibleProviderError(
    `no provider is eligible for "${plan.requested}" under policy ${plan.policy}; nothing was sent.${next} Excluded:\n${describeExclusions(excluded)}`,
    excluded,
    { deniedByPolicy },
  );
}

/** The providers of `model` every policy of the request admits, listed: where a refused pin can go instead. */
function admittedProviders(context: RouterContext, policies: readonly CompiledPolicy[], model: string): string {
  const providers = new Set<string>();
  for (const candidate of context.index.byModel(model)) {
    if (policyReasonsOf(context, policies, candidate.provider.id).length === 0) providers.add(candidate.provider.id);
  }
  return [...providers].join(', ');
}
