/*
 * A latency estimate that follows change, as plain data a shared store can keep and merge.
 *
 * The state is three decayed sums over log-latency (weight, Σ ln x, Σ (ln x)²): each sample
 * decays the old ones by its age (`halfLifeMs`) and by one sample (`halfLifeSamples`), so the
 * estimate is a lognormal fitted to recent samples. Three rules make it react:
 *
 * - Peak: a sample above `peakFactor` × the current p90 is news, not noise (for a lognormal
 *   with σ 0.4 about 1 sample in 800 gets there by chance). The estimate jumps to it at once
 *   and the peak fades with `peakHalfLifeMs`, so a deployment that turned slow loses its rank
 *   on the first slow answer.
 * - Runs: `resetRun` consecutive samples beyond `resetSigma` σ on the same side restart the
 *   sums from them. Good news is held until its run completes (one lucky answer does not win
 *   traffic back; two do); bad news counts at once.
 * - Memory of better days: when a deployment turns slow, the level it had before is kept
 *   (`before`, `changedAt`), so exploration can watch for its recovery: slow-downs usually end.
 *   Only a level that rested on `formerLevelWeight` samples is remembered (one lucky answer is
 *   no former speed to wait for). An answer back near that level counts as far faster news even
 *   when the slow estimate is too wide to call it far off: held, and once a second confirms it
 *   the estimate restarts from them and the former level is forgotten (the slow answers were a
 *   blip, or the deployment recovered).
 * - Ageing: the weight of the sums fades with idle time, so the uncertainty of an estimate
 *   nobody refreshed widens (its centre stays: a slow deployment does not look fast for being
 *   idle) and its optimistic bound falls until exploration re-tries it.
 */

/** What one deployment's latency of one kind looks like, as stored. Times are epoch milliseconds. */
export interface LatencyEstimate {
  /** When the sums were last updated. @unit epoch milliseconds */
  at: number;
  /** Decayed count of samples behind the sums. */
  weight: number;
  /** Decayed Σ ln(latency ms). */
  sum: number;
  /** Decayed Σ ln(latency ms)². */
  squares: number;
  /** The last outlier sample, which fades from `peakAt`. @unit milliseconds */
  peak: number | null;
  peakAt: number | null;
  /** The current run of far-off samples (ln ms) and its side: -1 faster, 1 slower. */
  run: number[];
  runSide: -1 | 0 | 1;
  /** Samples ever taken. */
  count: number;
  /** Mean ln(ms) before the deployment last turned slow; null once it recovered (or never slowed). */
  before: number | null;
  /** When it last turned slow or recovered. @unit epoch milliseconds */
  changedAt: number | null;
}

/** How latency estimates decay and react. Set with `health.latency` in the router options. */
export interface LatencyEstimateOptions {
  /** Idle time after which a sample counts half. @unit milliseconds @default 30000 */
  halfLifeMs?: number;
  /** Newer samples after which a sample counts half. @default 20 */
  halfLifeSamples?: number;
  /** A sample this many times the current p90 sets the peak. @default 2 */
  peakFactor?: number;
  /** Time after which a peak counts half. @unit milliseconds @default 10000 */
  peakHalfLifeMs?: number;
  /** Consecutive far-off samples on one side that restart the estimate from them. @default 2 */
  resetRun?: number;
  /** How far off (in σ of log-latency) a sample must be to start or extend a run. @default 2.5 */
  resetSigma?: number;
  /**
   * σ of log-latency assumed until samples show their own, while no deployment of the request's
   * pool has been measured three times; then their typical σ is assumed instead (within ¼ to 2 ×
   * this). @default 0.5
   */
  priorSpread?: number;
}

export type ResolvedLatencyEstimateOptions = Required<LatencyEstimateOptions>;

export const defaultLatencyEstimateOptions: ResolvedLatencyEstimateOptions = {
  halfLifeMs: 30_000,
  halfLifeSamples: 20,
  peakFactor: 2,
  peakHalfLifeMs: 10_000,
  resetRun: 2,
  resetSigma: 2.5,
  priorSpread: 0.5,
};

/** z of the 90th percentile of a normal distribution. */
export const z90 = 1.2816;

/** An estimate as routing reads it at one moment. */
export interface LatencyReading {
  /** Expected median. @unit milliseconds */
  p50: number;
  /** Expected 90th percentile. @unit milliseconds */
  p90: number;
  /** Effective samples behind the estimate, after ageing (0 when never measured). */
  samples: number;
  /** Standard error of the log-median: how unsure the estimate is. Grows with idle time. */
  uncertainty: number;
  /** p50 and p90 if the deployment were as fast as it plausibly is (the optimistic bound). @unit milliseconds */
  optimisticP50: number;
  optimisticP90: number;
  /** The pessimistic p90. @unit milliseconds */
  pessimisticP90: number;
  /** Since the last sample; undefined when never measured. @unit milliseconds */
  staleMs: number | undefined;
  /** Whether any sample was ever taken. */
  measured: boolean;
  /** The p50 and p90 it had before it last turned slow, while that is remembered. @unit milliseconds */
  beforeP50: number | undefined;
  beforeP90: number | undefined;
  /** Since it last turned slow or recovered. @unit milliseconds */
  changedMs: number | undefined;
  /**
   * Its last answer was far faster than the estimate, held until one more confirms a recovery:
   * that answer as a p50, and the p90 it implies. @unit milliseconds
   */
  heldP50: number | undefined;
  heldP90: number | undefined;
}

/** What an unmeasured deployment is assumed to take: typically the measured candidates' typical median. */
export interface LatencyPrior {
  /** @unit milliseconds */
  p50: number;
  /**
   * σ of log-latency assumed for an estimate until its own samples show one: typically the
   * measured candidates' typical spread. `priorSpread` of the options when absent.
   */
  spread?: number;
}

const minimumSpread = 0.05;

/** Effective samples an estimate needs before a slow-down from it is remembered as a former speed. */
export const formerLevelWeight = 3;

function decayFactor(elapsedMs: number, halfLifeMs: number): number {
  return elapsedMs <= 0 ? 1 : Math.pow(2, -elapsedMs / halfLifeMs);
}

function centre(state: Pick<LatencyEstimate, 'weight' | 'sum' | 'squares'>): { mean: number; variance: number } {
  const mean = state.sum / state.weight;
  return { mean, variance: Math.max(0, state.squares / state.weight - mean * mean) };
}

/**
 * Reads an estimate at `now`. `optimism` is the z used for the optimistic and pessimistic
 * bounds (how many standard errors away).
 */
export function readLatency(
  state: LatencyEstimate | undefined,
  now: number,
  options: ResolvedLatencyEstimateOptions,
  prior: LatencyPrior,
  optimism = 1.5,
): LatencyReading {
  const priorMean = Math.log(Math.max(prior.p50, 0.01));
  const priorSpread = prior.spread ?? options.priorSpread;
  if (state === undefined || state.weight <= 0) {
    const spread = priorSpread;
    const uncertainty = 2 * spread;
    return {
      p50: Math.max(prior.p50, 0.01),
      p90: Math.exp(priorMean + z90 * spread),
      samples: 0,
      uncertainty,
      optimisticP50: Math.exp(priorMean - optimism * uncertainty),
      optimisticP90: Math.exp(priorMean - optimism * uncertainty + z90 * spread),
      pessimisticP90: Math.exp(priorMean + optimism * uncertainty + z90 * spread),
      staleMs: undefined,
      measured: false,
      beforeP50: undefined,
      beforeP90: undefined,
      changedMs: undefined,
      heldP50: undefined,
      heldP90: undefined,
    };
  }
  const idle = Math.max(0, now - state.at);
  const weight = state.weight * decayFactor(idle, options.halfLifeMs);
  const { mean, variance } = centre(state);
  // One sample says nothing of spread: the prior's counts for one sample's worth.
  const spread = Math.max(minimumSpread, Math.sqrt((state.weight * variance + priorSpread ** 2) / (state.weight + 1)));
  // Grows by √2 per idle half-life, up to twice the spread (that of an unmeasured deployment):
  // an estimate nobody refreshed becomes worth re-trying, yet a far slower one stays behind.
  const uncertainty = Math.min(2 * spread, spread / Math.sqrt(weight + 0.01));
  const peak = state.peak === null ? 0 : state.peak * decayFactor(now - (state.peakAt ?? now), options.peakHalfLifeMs);
  const optimisticMean = mean - optimism * uncertainty;
  const optimisticFloor = peak;
  // Good news awaiting confirmation: the deployment may be as fast as that news, its old peak notwithstanding.
  const confirming = state.runSide === -1 && state.run.length > 0;
  const held = confirming ? Math.min(...state.run) : undefined;
  return {
    p50: Math.max(Math.exp(mean), peak),
    p90: Math.max(Math.exp(mean + z90 * spread), peak),
    samples: weight,
    uncertainty,
    optimisticP50: Math.max(Math.exp(optimisticMean), optimisticFloor),
    optimisticP90: Math.max(Math.exp(optimisticMean + z90 * spread), optimisticFloor),
    pessimisticP90: Math.max(Math.exp(mean + optimism * uncertainty + z90 * spread), peak),
    staleMs: idle,
    measured: true,
    beforeP50: state.before == null ? undefined : Math.exp(state.before),
    beforeP90: state.before == null ? undefined : Math.exp(state.before + z90 * spread),
    changedMs: state.changedAt == null ? undefined : Math.max(0, now - state.changedAt),
    heldP50: held === undefined ? undefined : Math.exp(held),
    heldP90: held === undefined ? undefined : Math.exp(held + z90 * spread),
  };
}

/** Folds one sample into the sums, decayed by time since the last update and by one sample. */
function fold(state: LatencyEstimate, logLatency: number, now: number, options: ResolvedLatencyEstimateOptions): void {
  const decay = decayFactor(now - state.at, options.halfLifeMs) * decayFactor(1, options.halfLifeSamples);
  state.weight = state.weight * decay + 1;
  state.sum = state.sum * decay + logLatency;
  state.squares = state.squares * decay + logLatency * logLatency;
  state.at = Math.max(state.at, now);
}

/**
 * The sums without the current run of slow answers (each folded in with a weight of about one;
 * exactly one for the latest), or the sums themselves when there is no such run.
 */
function beforeRun(state: LatencyEstimate): Pick<LatencyEstimate, 'weight' | 'sum' | 'squares'> {
  if (state.runSide !== 1 || state.run.length === 0 || state.weight - state.run.length < 1) return state;
  let sum = state.sum;
  let squares = state.squares;
  for (const value of state.run) {
    sum -= value;
    squares -= value * value;
  }
  return { weight: state.weight - state.run.length, sum, squares };
}

/** A new estimate from one sample. */
export function newLatencyEstimate(latencyMs: number, now: number): LatencyEstimate {
  const y = Math.log(Math.max(latencyMs, 0.01));
  return { at: now, weight: 1, sum: y, squares: y * y, peak: null, peakAt: null, run: [], runSide: 0, count: 1, before: null, changedAt: null };
}

/** Adds a sample (changing `state`, which is returned; a new estimate when `state` is undefined). */
export function addLatencySample(
  state: LatencyEstimate | undefined,
  latencyMs: number,
  now: number,
  options: ResolvedLatencyEstimateOptions,
): LatencyEstimate {
  if (state === undefined || state.weight <= 0) return newLatencyEstimate(latencyMs, now);
  const y = Math.log(Math.max(latencyMs, 0.01));
  // Judged against the estimate as it was before a run of slow answers began: those answers are
  // in the sums already (bad news counts at once), and would otherwise widen the very spread
  // the next slow answer is measured against, so the run would never complete.
  const base = beforeRun(state);
  const { mean, variance } = centre(base);
  const spread = Math.max(0.1, Math.sqrt((base.weight * variance + options.priorSpread ** 2) / (base.weight + 1)));
  state.count += 1;
  // Back near its former level (a watched deployment) is good news even when the slow estimate
  // is too wide to call the answer far off: held like any far faster answer until one more confirms it.
  const backNearFormer = state.before != null && y < mean && y < state.before + options.resetSigma * spread;
  const side = y < mean - options.resetSigma * spread || backNearFormer ? -1 : y > mean + options.resetSigma * spread ? 1 : 0;
  if (side === 0 || side !== state.runSide) {
    // A run broken by an ordinary sample (or one from the other side): held good news counts after all.
    if (state.runSide === -1) for (const held of state.run) fold(state, held, now, options);
    state.run = [];
    state.runSide = 0;
  }
  if (side !== 0) {
    state.run.push(y);
    state.runSide = side;
  }
  const known = state.weight >= formerLevelWeight;
  if (side === 1 && latencyMs > options.peakFactor * Math.exp(mean + z90 * spread)) {
    state.peak = latencyMs;
    state.peakAt = now;
    if (state.before == null && known) {
      state.before = mean;
      state.changedAt = now;
    }
  }
  if (side !== -1) fold(state, y, now, options);
  if (state.run.length >= options.resetRun) {
    // The deployment changed: start over from the run.
    state.weight = state.run.length;
    state.sum = state.run.reduce((total, value) => total + value, 0);
    state.squares = state.run.reduce((total, value) => total + value * value, 0);
    state.at = now;
    state.run = [];
    state.runSide = 0;
    if (side === -1) {
      state.peak = state.peakAt = null;
      state.before = null;
    } else if (known) {
      state.before ??= mean;
    }
    state.changedAt = now;
  }
  return state;
}

/**
 * Merges two estimates of the same deployment (e.g. this process's and another's): both are
 * decayed to the later update and their sums added. Commutative, so the order of merging does
 * not matter.
 */
export function mergeLatencyEstimates(a: LatencyEstimate, b: LatencyEstimate, options: ResolvedLatencyEstimateOptions): LatencyEstimate {
  const at = Math.max(a.at, b.at);
  const decayA = decayFactor(at - a.at, options.halfLifeMs);
  const decayB = decayFactor(at - b.at, options.halfLifeMs);
  const peakOf = (state: LatencyEstimate) => (state.peak === null ? 0 : state.peak * decayFactor(at - state.peakAt!, options.peakHalfLifeMs));
  const peak = Math.max(peakOf(a), peakOf(b));
  const later = a.at >= b.at ? a : b;
  return {
    at,
    weight: a.weight * decayA + b.weight * decayB,
    sum: a.sum * decayA + b.sum * decayB,
    squares: a.squares * decayA + b.squares * decayB,
    peak: peak > 0 ? peak : null,
    peakAt: peak > 0 ? at : null,
    run: [...later.run],
    runSide: later.runSide,
    count: a.count + b.count,
    before: later.before,
    changedAt: later.changedAt,
  };
}
