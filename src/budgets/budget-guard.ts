import { BudgetExceededError, StoreUnavailableError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { BudgetLedger, LedgerAccount } from './budget-ledger.js';
import { fromMicro, periodAt, spentMicro, toMicro, type BudgetPeriod } from './budget-period.js';

/** A key's spending cap, in the router's currency. */
export interface KeyBudget {
  /** Most the key may spend per period. @unit the router's currency */
  limit: number;
  /** When the budget starts again (UTC calendar); `total` never. */
  period: BudgetPeriod;
}

/** What `router.usage()` reports. Amounts in `currency`. */
export interface KeyUsage {
  spent: number;
  /**
   * Held by requests in flight: their estimated cost until they settle. A reservation never
   * settled (its process died, its settlement was lost) is left out once it lapses.
   */
  reserved: number;
  remaining: number;
  currency: string;
  period: BudgetPeriod;
  /** When the period ends (ISO time); null for `total`. */
  resetsAt: string | null;
}

export interface BudgetGuardOptions {
  ledger: BudgetLedger;
  /** What a request does when the ledger cannot be reached. */
  onUnavailable: 'deny' | 'allow';
  currency: string;
  /** Longer than any request may take: a reservation never settled (its process died) is released after it. @unit milliseconds */
  holdMs: number;
  logger: Logger;
}

const periodWords: Record<BudgetPeriod, string> = { day: 'daily', week: 'weekly', month: 'monthly', total: 'total' };

const format = (amount: number, currency: string) => `${amount.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')} ${currency}`;

/**
 * Before a request: reserves its estimated cost, or refuses it. Resolves to the settle function
 * the request calls with its actual cost when it ends (undefined when the ledger was away and
 * the request was let through).
 */
export async function reserveBudget(
  options: BudgetGuardOptions,
  keyId: string,
  budget: KeyBudget,
  id: string,
  estimate: number,
): Promise<((actual: number) => void) | undefined> {
  const reservedAt = Date.now();
  // Rounded up as the cost is counted (`spentMicro`): rounded to the nearest, an estimate of 1.4
  // millionths reserved 1 for a call that counts 2, and calls in flight together passed the limit.
  const estimateMicro = Math.max(1, spentMicro(estimate));
  const account: LedgerAccount = { keyId, period: budget.period, currency: options.currency };
  let result: Awaited<ReturnType<BudgetLedger['reserve']>>;
  try {
    result = await options.ledger.reserve({ ...account, id, estimate: estimateMicro, limit: toMicro(budget.limit), holdMs: options.holdMs });
  } catch (error) {
    // A reservation that timed out may still be made when the store catches up: give it back,
    // or it would hold the budget until it lapses (`holdMs`) for a request it does not count.
    options.ledger.settle(account, id, 0, reservedAt).catch(() => undefined);
    if (options.onUnavailable === 'allow') return undefined;
    throw new StoreUnavailableError(
      `the budget of key "${keyId}" cannot be checked: its store does not answer (${error instanceof Error ? error.message : String(error)}); the request was not sent`,
      error,
    );
  }
  if (!result.granted) {
    const remaining = Math.max(0, fromMicro(toMicro(budget.limit) - result.spent - result.reserved));
    const resetsAt = result.resetsAt !== undefined ? result.resetsAt : periodAt(budget.period, reservedAt).resetsAt;
    // Refused only because of what requests in flight hold: they settle at their actual cost,
    // usually below what they reserved, so a retry after they end may fit.
    const heldInFlight = result.reserved > 0 && toMicro(budget.limit) - result.spent >= estimateMicro;
    throw new BudgetExceededError(
      `key "${keyId}" has ${format(remaining, options.currency)} left of its ${periodWords[budget.period]} budget of ${format(budget.limit, options.currency)}` +
        ` (${format(fromMicro(result.reserved), options.currency)} of it held by requests in flight); this request is estimated at ${format(fromMicro(estimateMicro), options.currency)}` +
        (heldInFlight ? '; it may fit once they end, so retry then' : '') +
        (resetsAt === null ? '; the budget does not reset' : `; it resets at ${new Date(resetsAt).toISOString()}`),
      { heldInFlight },
    );
  }
  let settled = false;
  return (actual) => {
    if (settled) return;
    settled = true;
    options.ledger.settle(account, id, spentMicro(actual), reservedAt).catch((error: unknown) => {
      options.logger.warn(`sovroute budgets: settling request ${id} of key "${keyId}" failed; its reservation is released after ${options.holdMs} ms: ${String(error)}`);
    });
  };
}

export async function readUsage(options: BudgetGuardOptions, keyId: string, budget: KeyBudget): Promise<KeyUsage> {
  let state: Awaited<ReturnType<BudgetLedger['usage']>>;
  try {
    state = await options.ledger.usage({ keyId, period: budget.period, currency: options.currency });
  } catch (error) {
    throw new StoreUnavailableError(`the usage of key "${keyId}" cannot be read: its store does not answer (${error instanceof Error ? error.message : String(error)})`, error);
  }
  const resetsAt = state.resetsAt !== undefined ? state.resetsAt : periodAt(budget.period, Date.now()).resetsAt;
  const spent = fromMicro(state.spent);
  const reserved = fromMicro(state.reserved);
  return {
    spent,
    reserved,
    remaining: Math.max(0, fromMicro(toMicro(budget.limit) - state.spent - state.reserved)),
    currency: options.currency,
    period: budget.period,
    resetsAt: resetsAt === null ? null : new Date(resetsAt).toISOString(),
  };
}
