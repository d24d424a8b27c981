import type { Candidate } from '../catalog/candidate.js';

/** What a strategy knows of one eligible candidate for this request. */
export interface RankingInput {
  readonly candidate: Candidate;
  /** Expected cost of this request in the router's currency; undefined when unpriced. */
  readonly estCost: number | undefined;
  /**
   * Expected median latency (time to first token for a stream, to the whole answer otherwise):
   * the decayed estimate, or a prior (the typical median of the measured candidates).
   * @unit milliseconds
   */
  readonly estLatencyMs: number;
  /** Whether `estLatencyMs` is measured rather than a prior. */
  readonly latencyMeasured: boolean;
  /** Expected p90 latency, estimated like `estLatencyMs`; undefined only when unknown. @unit milliseconds */
  readonly latencyP90Ms: number | undefined;
  /** 0..1 when the offer declares it. */
  readonly quality: number | undefined;
}

/** A ranked candidate: `score` is 0..1, higher is better; `note` explains anything unusual. */
export interface Ranked extends RankingInput {
  score: number;
  note?: string;
}

export interface StrategyContext {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/**
 * A routing strategy ranks the eligible candidates, best first. It never adds candidates and
 * never sees ineligible ones: eligibility is decided before ranking.
 */
export interface Strategy {
  readonly name: string;
  /**
   * The ranking depends on measured latency: planning then keeps a small share of requests
   * measuring other eligible candidates (router option `exploration`). @default false
   */
  readonly usesLatency?: boolean;
  rank(inputs: readonly RankingInput[], context: StrategyContext): Ranked[];
  /**
   * The first `k` entries of `rank(inputs, context)`, exactly (same order, scores and notes),
   * without ranking the rest. Optional: planning uses it, when present, for a call that needs
   * only the first few candidates of a large catalogue, and falls back to `rank` otherwise.
   */
  select?(inputs: readonly RankingInput[], context: StrategyContext, k: number): Ranked[];
}

/** A user-supplied ranking function; its `name` becomes the objective when it has one. */
export type StrategyFunction = (inputs: readonly RankingInput[], context: StrategyContext) => Ranked[];
