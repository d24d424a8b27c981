/*
 * How long a deployment's answers are, learned from the answers it gave, for the cost a request
 * is expected to have. A request's `max_tokens` only bounds its answer: a request allowing 4,096
 * tokens that gets 120 back costs 120 tokens of output. Decayed by time and by answer, so a
 * change in what callers ask shows; plain data, so a shared store keeps it and can merge it.
 */

/** Decayed sums of the completion tokens of one deployment's answers (per choice). */
export interface CompletionEstimate {
  /** @unit epoch milliseconds */
  at: number;
  weight: number;
  sum: number;
  squares: number;
}

/** How completion lengths are learned. Set with `health.completion` in the router options. */
export interface CompletionEstimateOptions {
  /** Idle time after which an answer counts half. @unit milliseconds @default 3600000 */
  halfLifeMs?: number;
  /** Newer answers after which an answer counts half. @default 50 */
  halfLifeSamples?: number;
  /**
   * How many answers' worth the prior (the request's `max_tokens`, or 256 when unset) counts
   * for, so one answer does not swing the estimate. @default 1
   */
  priorWeight?: number;
}

export type ResolvedCompletionEstimateOptions = Required<CompletionEstimateOptions>;

export const defaultCompletionEstimateOptions: ResolvedCompletionEstimateOptions = {
  halfLifeMs: 3_600_000,
  halfLifeSamples: 50,
  priorWeight: 1,
};

function decay(state: CompletionEstimate, now: number, options: ResolvedCompletionEstimateOptions): number {
  return now <= state.at ? 1 : Math.pow(2, -(now - state.at) / options.halfLifeMs);
}

/** Adds one answer's completion tokens (per choice), changing `state`. */
export function addCompletionSample(
  state: CompletionEstimate | undefined,
  tokens: number,
  now: number,
  options: ResolvedCompletionEstimateOptions,
): CompletionEstimate {
  if (state === undefined) return { at: now, weight: 1, sum: tokens, squares: tokens * tokens };
  const factor = decay(state, now, options) * Math.pow(2, -1 / options.halfLifeSamples);
  state.weight = state.weight * factor + 1;
  state.sum = state.sum * factor + tokens;
  state.squares = state.squares * factor + tokens * tokens;
  state.at = Math.max(state.at, now);
  return state;
}

/** Sums of several estimates (the pool of one model's deployments), decayed to `now`. */
export function poolCompletionEstimates(
  states: Iterable<CompletionEstimate | undefined>,
  now: number,
  options: ResolvedCompletionEstimateOptions,
): CompletionEstimate | undefined {
  let pooled: CompletionEstimate | undefined;
  for (const state of states) {
    if (state === undefined) continue;
    const factor = decay(state, now, options);
    pooled ??= { at: now, weight: 0, sum: 0, squares: 0 };
    pooled.weight += state.weight * factor;
    pooled.sum += state.sum * factor;
    pooled.squares += state.squares * factor;
  }
  return pooled;
}

/** Expected and pessimistic (≈ p90) completion tokens per choice of one request. */
export interface CompletionReading {
  expected: number;
  pessimistic: number;
}

/**
 * The completion tokens a request can expect from a deployment: its own answers, shrunk toward
 * the pool of deployments of the same model, shrunk toward `priorTokens` (the rule used when
 * nothing is known); never above `cap` (the request's `max_tokens`).
 */
export function readCompletion(
  own: CompletionEstimate | undefined,
  pool: CompletionEstimate | undefined,
  priorTokens: number,
  cap: number | undefined,
  now: number,
  options: ResolvedCompletionEstimateOptions,
): CompletionReading {
  const limit = cap ?? Number.POSITIVE_INFINITY;
  const ownWeight = own ? own.weight * decay(own, now, options) : 0;
  const poolWeight = pool ? pool.weight * decay(pool, now, options) : 0;
  const poolMean = poolWeight > 0 ? pool!.sum / pool!.weight : priorTokens;
  const poolSquares = poolWeight > 0 ? pool!.squares / pool!.weight : priorTokens * priorTokens;
  // The pool stands in for the deployment's own answers with at most priorWeight answers' weight.
  const poolShare = Math.min(poolWeight, options.priorWeight);
  const centreMean = (poolShare * poolMean + (options.priorWeight - poolShare) * priorTokens) / options.priorWeight;
  const centreSquares = (poolShare * poolSquares + (options.priorWeight - poolShare) * priorTokens * priorTokens) / options.priorWeight;
  const mean = own && ownWeight > 0 ? (own.sum / own.weight) * (ownWeight / (ownWeight + options.priorWeight)) + centreMean * (options.priorWeight / (ownWeight + options.priorWeight)) : centreMean;
  const squares = own && ownWeight > 0 ? (own.squares / own.weight) * (ownWeight / (ownWeight + options.priorWeight)) + centreSquares * (options.priorWeight / (ownWeight + options.priorWeight)) : centreSquares;
  const deviation = Math.sqrt(Math.max(0, squares - mean * mean));
  return { expected: Math.min(limit, mean), pessimistic: Math.min(limit, mean + 1.2816 * deviation) };
}
