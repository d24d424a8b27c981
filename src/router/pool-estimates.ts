import type { Candidate } from '../catalog/candidate.js';
import type { CompletionEstimate } from '../health/completion-estimate.js';
import type { LatencyKind } from '../health/health-tracker.js';
import type { LatencyPrior } from '../health/latency-estimate.js';
import type { RouterContext } from './router-context.js';

/*
 * What planning reads of a whole pool's health at once: the pool's latency prior and the
 * learned answer lengths of each model. Reading them means asking every deployment of the
 * pool, so they are kept per pool and recomputed only when the health tracker learned
 * something (`context.healthVersion()`); with a store passed in (`health.store`), every request
 * reads them afresh.
 */

/**
 * Median latency assumed for a deployment when no candidate of the request has been measured;
 * once some are, an unmeasured one is assumed as fast as their typical (geometric mean) median.
 * @unit milliseconds
 */
export const latencyPriorMs = 800;

interface PoolEstimates {
  version: number;
  prior: Partial<Record<LatencyKind, LatencyPrior>>;
  /** The answer-length estimates of each model some deployment of the pool has learned; other models have none. */
  completions?: Map<string, (CompletionEstimate | undefined)[]>;
}

const cache = new WeakMap<RouterContext, WeakMap<readonly Candidate[], PoolEstimates>>();

function estimatesOf(context: RouterContext, pool: readonly Candidate[]): PoolEstimates | undefined {
  const version = context.healthVersion();
  if (version === undefined) return undefined;
  let byPool = cache.get(context);
  if (byPool === undefined) cache.set(context, (byPool = new WeakMap()));
  let estimates = byPool.get(pool);
  if (estimates === undefined || estimates.version !== version) byPool.set(pool, (estimates = { version, prior: {} }));
  return estimates;
}

/** Samples a deployment needs before its spread counts towards the pool's typical spread. */
const spreadSamples = 3;

/**
 * What an unmeasured (or long unmeasured) deployment is assumed to take: the typical median of
 * the measured deployments in the request's pool, so a newcomer is neither favoured nor buried;
 * and the spread an estimate of few samples is assumed to have: the typical spread (root mean
 * square of σ of log-latency) of the deployments measured at least {@link spreadSamples} times.
 * Without it, a deployment re-measured once would carry the configured `priorSpread` (wide,
 * to be safe with no evidence at all) in its p90 and lose to a well-measured incumbent that is
 * slower in truth.
 */
export function poolLatencyPrior(context: RouterContext, pool: readonly Candidate[], kind: LatencyKind): LatencyPrior {
  const estimates = estimatesOf(context, pool);
  const cached = estimates?.prior[kind];
  if (cached !== undefined) return cached;
  let total = 0;
  let count = 0;
  let variances = 0;
  let spreadCount = 0;
  for (const candidate of pool) {
    const estimate = context.health.latencyEstimate(candidate.key, kind);
    if (estimate === undefined || estimate.weight <= 0) continue;
    const mean = estimate.sum / estimate.weight;
    total += mean;
    count += 1;
    if (estimate.count >= spreadSamples) {
      variances += Math.max(0, estimate.squares / estimate.weight - mean * mean);
      spreadCount += 1;
    }
  }
  const prior: LatencyPrior = { p50: count === 0 ? latencyPriorMs : Math.exp(total / count) };
  if (spreadCount > 0) {
    const configured = context.health.latencyOptions.priorSpread;
    // Bounded: a pool of near-constant deployments must not make a newcomer's first sample look certain.
    prior.spread = Math.min(2 * configured, Math.max(configured / 4, Math.sqrt(variances / spreadCount)));
  }
  if (estimates) estimates.prior[kind] = prior;
  return prior;
}

/**
 * The answer-length estimates of the deployments of `model` in the pool (`byModel`), for
 * pooling; an empty list when none has learned any.
 */
export function modelCompletions(
  context: RouterContext,
  pool: readonly Candidate[],
  byModel: ReadonlyMap<string, readonly Candidate[]>,
  model: string,
): readonly (CompletionEstimate | undefined)[] {
  const learned = learnedCompletions(context, pool, byModel);
  if (learned === undefined) return readCompletions(context, byModel.get(model) ?? []);
  return learned.get(model) ?? [];
}

/**
 * The answer-length estimates of every model of the pool some deployment has learned, by model;
 * a model absent from it has none, not even its deployments' own. Undefined where that cannot
 * be kept between requests (a `health.store`): ask each model then.
 */
export function learnedCompletions(
  context: RouterContext,
  pool: readonly Candidate[],
  byModel: ReadonlyMap<string, readonly Candidate[]>,
): ReadonlyMap<string, readonly (CompletionEstimate | undefined)[]> | undefined {
  const estimates = estimatesOf(context, pool);
  if (estimates === undefined) return undefined;
  if (estimates.completions === undefined) {
    // One pass over the pool finds every model with something learned; the rest have nothing.
    estimates.completions = new Map();
    for (const [name, candidates] of byModel) {
      const states = readCompletions(context, candidates);
      if (states.some((state) => state !== undefined)) estimates.completions.set(name, states);
    }
  }
  return estimates.completions;
}

function readCompletions(context: RouterContext, candidates: readonly Candidate[]): (CompletionEstimate | undefined)[] {
  return candidates.map((candidate) => context.health.completion(candidate.key));
}
