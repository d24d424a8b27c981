import type { Candidate } from '../catalog/candidate.js';
import { z90, type LatencyReading } from '../health/latency-estimate.js';
import type { Ranked, RankingInput, Strategy, StrategyContext } from './types.js';

/*
 * Exploration: a small, bounded share of requests goes to an eligible candidate whose latency
 * estimate is uncertain or stale, so estimates keep following the deployments (a deployment
 * that recovered is found again; one nobody measured is measured). Only for strategies that
 * rank on latency. It never widens the candidate set: it only chooses which eligible,
 * already-ranked candidate goes first.
 *
 * Which candidate: one that would rank first if its latency were as good as it plausibly is (its
 * optimistic bound, an upper-confidence rule); never-measured candidates first, then the best
 * optimistic bound. A candidate that could not rank first even then is never explored, however
 * old or uncertain its estimate: measuring it cannot change a ranking, and under a strategy that
 * also weighs cost (`balanced`) each such exploration pays a dearer deployment for nothing. An
 * estimate older than `maxStalenessMs` is given the widest bound (that of a deployment never
 * measured) before that question is asked. Deterministic: the same estimates give the same choice.
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
  /**
   * An estimate older than this is as uncertain as one never measured: it is re-measured if it
   * would rank first at that widest optimistic bound. @unit milliseconds @default 300000
   */
  maxStalenessMs?: number;
  /** How many standard errors the optimistic bound lies below the estimate. @default 1.5 */
  optimism?: number;
  /**
   * How long a deployment that turned slow is watched for its recovery: while it would rank
   * first at its former speed, it is the first to be re-measured. @unit milliseconds @default 1800000
   */
  recoveryWatchMs?: number;
  /**
   * How long a deployment must have been slow before it is first re-measured for recovery: a
   * re-measure costs a slow answer, and right after a slow-down the budget is better spent
   * finding where traffic should go instead. @unit milliseconds @default 30000
   */
  recoveryWatchDelayMs?: number;
}

export type ResolvedExplorationOptions = Required<ExplorationOptions>;

export const defaultExplorationOptions: ResolvedExplorationOptions = { share: 0.05, burst: 3, maxStalenessMs: 300_000, optimism: 1.5, recoveryWatchMs: 1_800_000, recoveryWatchDelayMs: 30_000 };

/**
 * A watched deployment is re-measured once its last sample is older than this part of the time
 * since it turned slow: the gaps between re-measurements grow geometrically (by 1 / (1 − this)).
 */
export const recoveryWatchBackoff = 1 / 8;

/** Why a candidate would be explored. */
export interface ExplorationChoice {
  candidate: Candidate;
  /**
   * The candidate has never been measured, or its last answer was much faster than its
   * estimate and needs confirming: it may borrow from the budget.
   */
  unmeasured: boolean;
  reason: string;
}

/**
 * The candidate exploration would send this request to, or undefined when none is worth it.
 * `readings` holds each ranked candidate's latency reading. In order of precedence: a recovery
 * to confirm, a candidate never measured, one that turned slow and would rank first at its
 * former speed (watched for `recoveryWatchMs`), one that would rank first at its optimistic
 * bound, one not measured for `maxStalenessMs`; within each, the best optimistic p90 (for a
 * recovery watch, the best former p90). Every class asks that the candidate could rank first
 * (at its held answer or former speed, at the prior's or its own optimistic bound, at the
 * widest bound when stale): one that could not is never explored.
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
  const greedyMeasured = readings.get(greedy)?.measured === true;
  let best: { choice: ExplorationChoice; precedence: number; bound: number } | undefined;
  for (let index = 1; index < ranked.length; index++) {
    const entry = ranked[index]!;
    const reading = readings.get(entry.candidate);
    if (reading === undefined) continue;
    const found = classify(strategy, ranked, entry, reading, context, options, greedyMeasured);
    if (found === undefined) continue;
    // Among deployments watched for recovery, the one that was fastest before it slowed down.
    const bound = found.precedence === 2 ? reading.beforeP90! : reading.optimisticP90;
    if (best === undefined || found.precedence < best.precedence || (found.precedence === best.precedence && bound < best.bound)) {
      best = { choice: { candidate: entry.candidate, unmeasured: found.onCredit, reason: found.reason }, precedence: found.precedence, bound };
    }
  }
  return best?.choice;
}

function classify(
  strategy: Strategy,
  ranked: readonly Ranked[],
  entry: Ranked,
  reading: LatencyReading,
  context: StrategyContext,
  options: ResolvedExplorationOptions,
  greedyMeasured: boolean,
): { precedence: number; reason: string; onCredit: boolean } | undefined {
  const ms = (value: number) => `${Math.round(value)} ms`;
  // A held answer confirms a recovery worth having when, at its speed or at the former speed it is
  // back near, the candidate would rank first (a slow estimate's wide spread can hide the former).
  const formerWins = (): boolean => reading.beforeP90 !== undefined && winsAt(strategy, ranked, entry, reading.beforeP50!, reading.beforeP90, context);
  if (reading.heldP50 !== undefined && (winsAt(strategy, ranked, entry, reading.heldP50, reading.heldP90!, context) || formerWins())) {
    return { precedence: 0, onCredit: true, reason: `confirming a recovery: its last answer (${ms(reading.heldP50)}) was far faster than its estimate` };
  }
  if (!reading.measured) {
    // Measuring one unmeasured candidate instead of another teaches nothing more; nor does
    // measuring one that would not rank first even at the prior's optimistic bound.
    return greedyMeasured && winsAt(strategy, ranked, entry, reading.optimisticP50, reading.optimisticP90, context)
      ? { precedence: 1, onCredit: true, reason: 'latency never measured' }
      : undefined;
  }
  if (
    reading.beforeP90 !== undefined &&
    reading.changedMs !== undefined &&
    reading.changedMs < options.recoveryWatchMs &&
    reading.changedMs >= options.recoveryWatchDelayMs &&
    // Back-off in log-time: re-measured once idle for a fixed part of how long it has been slow,
    // so a deployment slow for an hour is not re-measured as often as one slow for a minute.
    (reading.staleMs ?? 0) >= reading.changedMs * recoveryWatchBackoff &&
    winsAt(strategy, ranked, entry, reading.beforeP50!, reading.beforeP90, context)
  ) {
    return { precedence: 2, onCredit: false, reason: `watching for recovery: it turned slow ${Math.round(reading.changedMs / 1000)} s ago, and at its former p90 (${ms(reading.beforeP90)}) it would rank first` };
  }
  if (winsAt(strategy, ranked, entry, reading.optimisticP50, reading.optimisticP90, context)) {
    return {
      precedence: 3,
      onCredit: false,
      reason: `plausibly better: optimistic p90 ${ms(reading.optimisticP90)} (estimate ${ms(reading.p90)}, ${reading.samples.toFixed(1)} effective samples)`,
    };
  }
  if (reading.staleMs !== undefined && reading.staleMs > options.maxStalenessMs) {
    const widest = widestBound(reading, options.optimism);
    if (winsAt(strategy, ranked, entry, widest.p50, widest.p90, context)) {
      return { precedence: 4, onCredit: false, reason: `stale: latency last measured ${Math.round(reading.staleMs / 1000)} s ago, and at its widest optimistic p90 (${ms(widest.p90)}) it would rank first` };
    }
  }
  return undefined;
}

/**
 * The optimistic bound of an estimate as unsure as one never measured: its log-median less
 * `optimism` × twice its spread (the spread read back from its p50 and p90).
 */
function widestBound(reading: LatencyReading, optimism: number): { p50: number; p90: number } {
  const spread = Math.max(0, Math.log(reading.p90 / reading.p50) / z90);
  const p50 = reading.p50 * Math.exp(-optimism * 2 * spread);
  return { p50, p90: p50 * Math.exp(z90 * spread) };
}

/** Whether `entry` would rank first if its latency were `p50` / `p90`. */
function winsAt(strategy: Strategy, ranked: readonly Ranked[], entry: Ranked, p50: number, p90: number, context: StrategyContext): boolean {
  const inputs: RankingInput[] = ranked.map((other) => (other === entry ? { ...other, estLatencyMs: p50, latencyP90Ms: p90 } : other));
  return strategy.rank(inputs, context)[0]?.candidate === entry.candidate;
}
