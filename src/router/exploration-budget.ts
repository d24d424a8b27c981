import type { ResolvedExplorationOptions } from '../strategies/exploration.js';

/**
 * The exploration budget of one router: a token bucket that earns `share` of a token per request
 * that could explore, holds at most `burst`, and starts empty, so over any run of N such
 * requests at most share × N are explorations. A never-measured candidate may be explored on
 * credit (the balance goes below zero, at most {@link explorationCredit} tokens, and later
 * requests repay it before exploring again): a new deployment is measured at once, and the share
 * holds again once the credit is repaid.
 * Per process, so with several processes each keeps its own share.
 */
export interface ExplorationBudget {
  /** A request that could explore was planned: earn its share. */
  earn(): void;
  /** Whether an exploration may happen now (on credit for a never-measured candidate). */
  available(onCredit: boolean): boolean;
  spend(): void;
  /** Tokens now (negative while repaying credit). */
  readonly balance: number;
}

/** Most tokens never-measured candidates may borrow. */
export const explorationCredit = 12;

export function createExplorationBudget(options: ResolvedExplorationOptions): ExplorationBudget {
  let balance = 0;
  return {
    earn() {
      balance = Math.min(options.burst, balance + options.share);
    },
    available(onCredit) {
      if (options.share <= 0) return false;
      return onCredit ? balance > -explorationCredit + 1e-9 : balance >= 1 - 1e-9;
    },
    spend() {
      balance -= 1;
    },
    get balance() {
      return balance;
    },
  };
}
