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
import { roundMoney } from '../pricing/currency.js';
import type { Capability, Provider } from '../providers/types.js';
import type { Ranked, RankingInput, Strategy } from '../strategies/types.js';
import { strategyAliases } from '../strategies/registry.js';
import { closestName } from '../models/suggest.js';
import type { RouteOptions } from '../wire/chat-request.js';
import { circuitsOpen, notConfigured, notConfiguredPrefix } from './routing-errors.js';
import { describeCircuit } from '../health/circuit-breaker.js';
import { poolCompletionEstimates, readCompletion, type CompletionEstimate, type CompletionReading } from '../health/completion-estimate.js';
import type { LatencyReading } from '../health/latency-estimate.js';
import { chooseExploration } from '../strategies/exploration.js';
import type { Caller, RouterContext } from './router-context.js';

/**
 * Median latency assumed for a deployment when no candidate of the request has been measured;
 * once some are, an unmeasured one is assumed as fast as their typical (geometric mean) median.
 * @unit milliseconds
 */
export const latencyPriorMs = 800;

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

export interface Plan {
  requested: string;
  tier: string;
  policy: string;
  /** The policies that applied (router, key, model string), for the audit record's policy hash. */
  policies: readonly CompiledPolicy[];
  objective: string;
  /** Every candidate considered: the ranked ones first, in the order a call tries them. */
  candidates: ExplainCandidate[];
  /** Eligible candidates, best first: the order execution walks. */
  ranked: Ranked[];
  /** Candidates excluded only by the jurisdiction policy. */
  policyExcluded: number;
  /** Candidates excluded only by an open circuit. */
  circuitExcluded: number;
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
  const strategy = context.strategies.get(strategyAliases[name] ?? name);
  if (strategy === undefined) {
    throw new InvalidRequestError(
      `route.objective "${name}" is not a strategy; use one of ${[...context.strategies.keys()].join(', ')}`,
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
    return [candidate];
  }
  if (spec.tier === '3' || spec.tier === 'auto') {
    const primary = needs.capabilities[0]!;
    return context.index.all.filter((candidate) => candidate.capabilities.has(primary));
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

const capabilityWords: Readonly<Record<Capability, string>> = {
  chat: 'chat',
  tools: 'tool calling',
  vision: 'image input',
  json: 'JSON output',
  embeddings: 'embeddings',
  completions: 'legacy completions',
};

/** Adds why `candidate` cannot serve this request, if it cannot. */
function addFitReasons(reasons: string[], candidate: Candidate, needs: RequestNeeds, route: RouteOptions | undefined): void {
  for (const capability of needs.capabilities) {
    if (!candidate.capabilities.has(capability)) reasons.push(`model does not support ${capabilityWords[capability]}`);
  }
  if (needs.stream && candidate.offer.streaming === false) reasons.push('model does not support streaming here');
  const window = candidate.offer.context;
  if (window !== undefined && needs.contextTokens > window) {
    reasons.push(`request needs ~${needs.contextTokens} tokens of context; the model's window is ${window}`);
  }
  if (route === undefined) return;
  const id = candidate.provider.id;
  if (route.only && !route.only.includes(id) && !route.only.includes(candidate.key)) reasons.push('not listed in route.only');
  if (route.ignore && (route.ignore.includes(id) || route.ignore.includes(candidate.key))) reasons.push('listed in route.ignore');
}

/** The policy reasons against a provider under every policy that applies, each once. */
export function policyReasons(context: RouterContext, policies: readonly CompiledPolicy[], providerId: string): string[] {
  if (policies.length === 1) return context.reasonsFor(policies[0]!, providerId).slice();
  const reasons = new Set<string>();
  for (const policy of policies) for (const reason of context.reasonsFor(policy, providerId)) reasons.add(reason);
  return [...reasons];
}

/** What a deployment's configuration lacks, asked safely: a check that throws says so. */
function missingConfiguration(provider: Provider): string | undefined {
  try {
    const reason = provider.missingConfiguration?.();
    return typeof reason === 'string' && reason !== '' ? reason : undefined;
  } catch (error) {
    return `its missingConfiguration() threw (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Builds the routing decision for one request. Pure: calls no provider. */
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
  const candidates: ExplainCandidate[] = [];
  const inputs: RankingInput[] = [];
  const explained = new Map<Candidate, ExplainCandidate>();
  let policyExcluded = 0;
  let circuitExcluded = 0;
  let configurationExcluded = 0;
  let earliestRetryAt: number | undefined;
  const now = Date.now();
  // A stream is compared on time to its first chunk, any other call on time to its whole answer.
  const latencyKind = needs.stream ? 'ttft' : 'answer';
  const latencyWords = needs.stream ? 'time to first token' : 'answer time';

  const health = context.health;
  const candidatePool = pool(context, spec, needs);
  const prior = { p50: poolLatencyPrior(context, candidatePool, latencyKind) };
  const optimism = context.options.exploration.optimism;
  const completions = needs.completion && completionReader(context, candidatePool, needs.completion, now);
  const readings = new Map<Candidate, LatencyReading>();

  for (const candidate of candidatePool) {
    const reasons = policyReasons(context, policies, candidate.provider.id);
    const policyCount = reasons.length;
    addFitReasons(reasons, candidate, needs, route);
    const completion = completions?.(candidate);
    const estCost = candidate.price && estimateCost(candidate.price, needs, completion?.expected);
    const latency = health.latency(candidate.key, latencyKind, now, prior, optimism);
    if (route !== undefined) {
      if (route.max_cost !== undefined) {
        // The pessimistic length (≈ p90 of recent answers, never above max_tokens): a limit is a promise.
        const boundCost = candidate.price && estimateCost(candidate.price, needs, completion?.pessimistic);
        if (boundCost === undefined) reasons.push('price unknown; route.max_cost needs a price to compare');
        else if (boundCost > route.max_cost) reasons.push(`estimated cost ${boundCost.toPrecision(3)} ${context.currency} exceeds route.max_cost ${route.max_cost}`);
      }
      if (route.max_latency_ms !== undefined && latency.measured && latency.p90 > route.max_latency_ms) {
        reasons.push(`estimated p90 ${latencyWords} ${Math.round(latency.p90)} ms exceeds route.max_latency_ms ${route.max_latency_ms}`);
      }
    }
    // Excluded by the policy whatever else is wrong with it: a tier-1 request for it is a violation.
    if (policyCount > 0) policyExcluded += 1;
    // Not for test keys, which simulate the deployment without any configuration.
    if (!caller.simulated && candidate.provider.missingConfiguration !== undefined) {
      const reason = missingConfiguration(candidate.provider);
      if (reason !== undefined) {
        if (reasons.length === 0) configurationExcluded += 1;
        reasons.push(`${notConfiguredPrefix}${reason}`);
      }
    }
    const limits = candidate.provider.limits;
    if (limits !== undefined) {
      const atLimit = context.deploymentLimiter.reason(candidate.provider.id, limits, needs.promptTokens + needs.completionTokens, now);
      if (atLimit !== undefined) reasons.push(atLimit);
    }
    const circuit = context.health.circuit(candidate.key, now);
    const circuitReason = describeCircuit(circuit, now);
    if (circuitReason !== undefined) {
      if (reasons.length === 0) circuitExcluded += 1;
      if (circuit.state === 'open' && (earliestRetryAt === undefined || circuit.retryAt < earliestRetryAt)) earliestRetryAt = circuit.retryAt;
      reasons.push(circuitReason);
    }
    const entry: ExplainCandidate = { provider: candidate.provider.id, model: candidate.model, eligible: reasons.length === 0, reasons };
    candidates.push(entry);
    if (entry.eligible) {
      explained.set(candidate, entry);
      readings.set(candidate, latency);
      inputs.push({
        candidate,
        estCost,
        estLatencyMs: latency.p50,
        latencyMeasured: latency.measured,
        latencyP90Ms: latency.p90,
        quality: candidate.offer.quality,
      });
      if (circuit.state === 'half-open') reasons.push('circuit half-open: the next attempt on it is the trial');
    }
  }

  let ranked = inputs.length === 0 ? [] : ownRanking(inputs, strategy.rank(inputs, needs));
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
  if (route?.allow_fallbacks === false) ranked = ranked.slice(0, 1);
  // Candidates in the order a call walks them, then everything else in catalogue order.
  const ordered: ExplainCandidate[] = [];
  const shownFirst = new Set<ExplainCandidate>();
  for (const entry of ranked) {
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
    ordered.push(shown);
    shownFirst.add(shown);
  }
  for (const candidate of candidates) if (!shownFirst.has(candidate)) ordered.push(candidate);

  return {
    requested,
    tier: spec.tier,
    policy: policies.length === 1 ? policies[0]!.name : effectivePolicyName(policies),
    policies,
    objective: strategy.name,
    candidates: ordered,
    ranked,
    policyExcluded,
    circuitExcluded,
    configurationExcluded,
    earliestRetryAt,
    capability: needs.capabilities[0] ?? 'chat',
    maxCost: route?.max_cost,
    tokens: needs.promptTokens + needs.completionTokens,
    attemptTimeoutMs: route?.max_latency_ms,
    exploration,
    completionChoices: needs.completion?.choices,
  };
}

/**
 * What an unmeasured (or long unmeasured) deployment is assumed to take: the typical median of
 * the measured deployments in the request's pool, so a newcomer is neither favoured nor buried.
 */
function poolLatencyPrior(context: RouterContext, candidates: readonly Candidate[], kind: 'ttft' | 'answer'): number {
  let total = 0;
  let count = 0;
  for (const candidate of candidates) {
    const estimate = context.health.latencyEstimate(candidate.key, kind);
    if (estimate === undefined || estimate.weight <= 0) continue;
    total += estimate.sum / estimate.weight;
    count += 1;
  }
  return count === 0 ? latencyPriorMs : Math.exp(total / count);
}

/** Reads each candidate's expected completion tokens, pooled per model across the request's candidates. */
function completionReader(
  context: RouterContext,
  candidates: readonly Candidate[],
  completion: NonNullable<RequestNeeds['completion']>,
  now: number,
): (candidate: Candidate) => CompletionReading {
  const health = context.health;
  const pools = new Map<string, CompletionEstimate | undefined>();
  return (candidate) => {
    if (!pools.has(candidate.model)) {
      const same = candidates.filter((other) => other.model === candidate.model).map((other) => health.completion(other.key));
      pools.set(candidate.model, poolCompletionEstimates(same, now, health.completionOptions));
    }
    return readCompletion(health.completion(candidate.key), pools.get(candidate.model), completion.priorTokens, completion.cap, now, health.completionOptions);
  };
}

/**
 * Holds a strategy (a user function, above all) to its contract: only the eligible inputs it
 * was given, each once. Anything else is dropped, so no ranking can make the router call an
 * ineligible deployment.
 */
function ownRanking(inputs: readonly RankingInput[], ranked: readonly Ranked[]): Ranked[] {
  // The common case, checked without allocating: one input, ranked once.
  if (inputs.length === 1 && ranked.length === 1 && ranked[0]!.candidate === inputs[0]!.candidate) return ranked as Ranked[];
  const allowed = new Set(inputs.map((input) => input.candidate));
  const kept: Ranked[] = [];
  for (const entry of ranked) {
    if (allowed.delete(entry.candidate)) kept.push(entry);
  }
  return kept;
}

function clampScore(score: number): number {
  return Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
}

/** Cost of the request: `perChoice` learned completion tokens per choice, or the needs' prior. */
function estimateCost(price: { input: number; output: number }, needs: RequestNeeds, perChoice: number | undefined): number {
  const completionTokens = perChoice === undefined ? needs.completionTokens : perChoice * (needs.completion?.choices ?? 1);
  return roundMoney((needs.promptTokens * price.input + completionTokens * price.output) / 1_000_000);
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
export function assertRoutable(plan: Plan): void {
  if (plan.ranked.length > 0) return;
  const excluded: Exclusion[] = plan.candidates.map(({ provider, model, reasons }) => ({ provider, model, reasons }));
  if (plan.tier === '1' && plan.policyExcluded === plan.candidates.length) {
    throw new PolicyViolationError(
      `policy ${plan.policy} excludes ${excluded[0]!.provider}: ${excluded[0]!.reasons.join('; ')}. Nothing was sent.`,
      excluded,
    );
  }
  if (plan.circuitExcluded > 0) throw circuitsOpen(plan, excluded);
  if (plan.configurationExcluded > 0) throw notConfigured(plan, excluded);
  if (excluded.length === 0) {
    // Nothing to exclude: no configured model can do what the request asks (auto and tier 3
    // draw only on models with the capability). Not the policy's doing.
    throw new NoEligibleProviderError(
      `no configured model can serve "${plan.requested}": none offers ${capabilityWords[plan.capability]}; nothing was sent`,
      excluded,
    );
  }
  throw new NoEligibleProviderError(
    `no provider is eligible for "${plan.requested}" under policy ${plan.policy}; nothing was sent. Excluded:\n${describeExclusions(excluded)}`,
    excluded,
    { deniedByPolicy: plan.policyExcluded === plan.candidates.length },
  );
}
