import type { ResolvedExplorationOptions } from '../strategies/exploration.js';

/**
 * The exploration budget of one router: a token bucket that earns `share` of a token per request
 * that could explore, holds at most `burst`, and starts empty, so over any run of N such
 * requests at most share × N are explorations. A never-measured candidate may be explored on
 * credit (at most {@link explorationCredit} tokens owed): a new deployment is measured at once.
 * While credit is owed, each request repays three quarters of its share and saves the rest for
 * ordinary exploration, so an estimate that one noisy first answer got wrong is re-measured within
 * some 4 / share requests instead of only once every deployment's first measurement is repaid
 * (with the share at 5 %, after 80 requests rather than some 160 for eight new deployments); over
 * any run of N requests there are still at most share × N + the credit explorations.
 * Per process, so with several processes each keeps its own share.
 */
export interface ExplorationBudget {
  /** A request that could explore was planned: earn its share. */
  earn(): void;
  /** Whether an exploration may happen now (on credit for a never-measured candidate). */
  available(onCredit: boolean): boolean;
  /**
   * Whether the next request that could explore may do so: `available` after it earned its
   * share, without earning it (what `explain()` says of the call it describes).
   */
  availableNext(onCredit: boolean): boolean;
  /** Spends a token (borrowed, for a never-measured candidate, when none is saved). */
  spend(): void;
  /** Tokens now (negative while repaying credit): saved tokens less what is owed. */
  readonly balance: number;
}

/** Most tokens never-measured candidates may borrow. */
export const explorationCredit = 12;

/** Part of each request's share that repays credit while any is owed. */
export const creditRepayment = 0.75;

export function createExplorationBudget(options: ResolvedExplorationOptions): ExplorationBudget {
  let saved = 0;
  let owed = 0;
  /** The bucket after one more request earned its share. */
  const afterEarning = () => {
    let earned = options.share;
    let stillOwed = owed;
    if (stillOwed > 0) {
      const repaid = Math.min(stillOwed, earned * creditRepayment);
      stillOwed -= repaid;
      earned -= repaid;
      if (stillOwed < 1e-9) stillOwed = 0;
    }
    return { saved: Math.min(options.burst, saved + earned), owed: stillOwed };
  };
  const allows = (bucket: { saved: number; owed: number }, onCredit: boolean) =>
    options.share > 0 && (bucket.saved >= 1 - 1e-9 || (onCredit && bucket.owed < explorationCredit - 1e-9));
  return {
    earn() {
      ({ saved, owed } = afterEarning());
    },
    available(onCredit) {
      return allows({ saved, owed }, onCredit);
    },
    availableNext(onCredit) {
      return allows(afterEarning(), onCredit);
    },
    spend() {
      if (saved >= 1 - 1e-9) saved -= 1;
      else owed += 1;
    },
    get balance() {
      return saved - owed;
    },
  };
}
