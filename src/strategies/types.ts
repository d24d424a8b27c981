import type { Candidate } from '../catalog/candidate.js';

/** What a strategy knows of one eligible candidate for this request. */
export interface RankingInput {
  readonly candidate: Candidate;
  /** Expected cost of this request in the router's currency; undefined when unpriced. */
  readonly estCost: number | undefined;
  /** Expected time to first token: the measured p50, or a prior. @unit milliseconds */
  readonly estLatencyMs: number;
  /** Whether `estLatencyMs` is measured rather than a prior. */
  readonly latencyMeasured: boolean;
  /** Measured p90 time to first token; undefined until measured. @unit milliseconds */
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
  rank(inputs: readonly RankingInput[], context: StrategyContext): Ranked[];
}

/** A user-supplied ranking function; its `name` becomes the objective when it has one. */
export type StrategyFunction = (inputs: readonly RankingInput[], context: StrategyContext) => Ranked[];
