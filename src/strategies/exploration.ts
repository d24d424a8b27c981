import type { Candidate } from '../catalog/candidate.js';
import type { LatencyReading } from '../health/latency-estimate.js';
import type { Ranked, RankingInput, Strategy, StrategyContext } from './types.js';

/*
 * Exploration: a small, bounded share of requests goes to an eligible candidate whose latency
 * estimate is uncertain or stale, so estimates keep following the deployments (a deployment
 * that recovered is found again; one nobody measured is measured). Only for strategies that
 * rank on latency. It never widens the candidate set: it only chooses which eligible,
 * already-ranked candidate goes first.
 *
 * Which candidate: the one that would rank first if its latency were as good as it plausibly is
 * (its optimistic bound, an upper-confidence rule), or whose estimate is older than
 * `maxStalenessMs`; never-measured candidates first, then the best optimistic bound. Deterministic:
 * the same estimates give the same choice.
 */

/** Exploration of candidates whose latency is uncertain or stale. Set with `exploration` in the router options. */
export interface ExplorationOptions {
  /**
   * Largest share of requests (of strategies that rank on latency) sent to a candidate other
   * than the best estimate, to measure it. 0 turns exploration off.
   * @default 0.05
   */
  share?: number;
  /** Explorations that may follow each other when the budget has saved up. @default 3 */
  burst?: number;
  /** An estimate older than this is re-measured even if it looks worse. @unit milliseconds @default 60000 */
  maxStalenessMs?: number;
  /** How many standard errors the optimistic bound lies below the estimate. @default 1.5 */
  optimism?: number;
}

export type ResolvedExplorationOptions = Required<ExplorationOptions>;

export const defaultExplorationOptions: ResolvedExplorationOptions = { share: 0.05, burst: 3, maxStalenessMs: 60_000, optimism: 1.5 };

/** Why a candidate would be explored. */
export interface ExplorationChoice {
  candidate: Candidate;
  /** The candidate has never been measured: it may borrow from the budget. */
  unmeasured: boolean;
  reason: string;
}

/**
 * The candidate exploration would send this request to, or undefined when none is worth it.
 * `readings` holds each ranked candidate's latency reading.
 */
export function chooseExploration(
  strategy: Strategy,
  ranked: readonly Ranked[],
  readings: ReadonlyMap<Candidate, LatencyReading>,
  context: StrategyContext,
  options: ResolvedExplorationOptions,
): ExplorationChoice | undefined {
  if (ranked.length < 2) return undefined;
  const greedy = ranked[0]!.candidate;
  let best: { choice: ExplorationChoice; rank: number } | undefined;
  for (let index = 1; index < ranked.length; index++) {
    const entry = ranked[index]!;
    const reading = readings.get(entry.candidate);
    if (reading === undefined) continue;
    let choice: ExplorationChoice | undefined;
    let rank: number;
    if (!reading.measured) {
      // Measuring one unmeasured candidate instead of another teaches nothing more.
      if (!readings.get(greedy)?.measured) continue;
      choice = { candidate: entry.candidate, unmeasured: true, reason: 'latency never measured' };
      rank = -1;
    } else {
      rank = reading.optimisticP90;
      if (reading.staleMs !== undefined && reading.staleMs > options.maxStalenessMs) {
        choice = { candidate: entry.candidate, unmeasured: false, reason: `latency last measured ${Math.round(reading.staleMs / 1000)} s ago` };
      } else if (winsOptimistically(strategy, ranked, entry, reading, context)) {
        choice = {
          candidate: entry.candidate,
          unmeasured: false,
          reason: `plausibly faster: optimistic p90 ${Math.round(reading.optimisticP90)} ms (estimate ${Math.round(reading.p90)} ms, ${reading.samples.toFixed(1)} effective samples)`,
        };
      }
    }
    if (choice !== undefined && choice.candidate !== greedy && (best === undefined || rank < best.rank)) best = { choice, rank };
  }
  return best?.choice;
}

/** Whether `entry` would rank first if its latency were its optimistic bound. */
function winsOptimistically(strategy: Strategy, ranked: readonly Ranked[], entry: Ranked, reading: LatencyReading, context: StrategyContext): boolean {
  const inputs: RankingInput[] = ranked.map((other) =>
    other === entry
      ? { ...other, estLatencyMs: reading.optimisticP50, latencyP90Ms: reading.optimisticP90 }
      : other,
  );
  return strategy.rank(inputs, context)[0]?.candidate === entry.candidate;
}
