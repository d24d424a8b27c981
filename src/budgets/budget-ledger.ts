import { periodAt, type BudgetPeriod } from './budget-period.js';

/*
 * Where spend per key and period is counted, in integer micro-units. A request reserves its
 * estimated cost before it is sent (refused when spent + reserved + estimate would pass the
 * limit) and settles to its actual cost when it ends. The memory ledger counts in this process;
 * a shared store (Redis) counts for the fleet, atomically.
 */

/** What a key has used of its budget in the current period. @unit micro-units of the currency */
export interface LedgerState {
  spent: number;
  reserved: number;
  /**
   * When the period counted ends, when the ledger keeps time on a clock of its own (a shared
   * store: the fleet's); otherwise it is this process's period. @unit epoch milliseconds; null for `total`
   */
  resetsAt?: number | null;
}

/** Whose count: one key's, per period, in one currency (amounts of two currencies never add up). */
export interface LedgerAccount {
  keyId: string;
  period: BudgetPeriod;
  /** The router's currency, which every amount of the account is in (ISO 4217). */
  currency: string;
}

export interface ReserveRequest extends LedgerAccount {
  /** The request's id: reserved once, settled once. */
  id: string;
  estimate: number;
  limit: number;
  /** How long a reservation is held if it is never settled (its instance died). @unit milliseconds */
  holdMs: number;
}

export interface BudgetLedger {
  /** Reserves `estimate`; `granted` false (nothing reserved) when it would pass `limit`. */
  reserve(request: ReserveRequest): Promise<LedgerState & { granted: boolean }>;
  /** Replaces the reservation `id` by the actual cost, in the period of `now` (when it was reserved). */
  settle(account: LedgerAccount, id: string, actual: number, now?: number): Promise<void>;
  usage(account: LedgerAccount): Promise<LedgerState>;
}

/** One key's count in one period, and from when nothing can ask about it any more. */
interface PeriodEntry extends LedgerState {
  reservations: Map<string, { amount: number; until: number }>;
  /**
   * When the period has ended and every reservation made in it has lapsed: `router.usage()`
   * reads the current period only, and a settlement comes at most `holdMs` after its
   * reservation. @unit epoch milliseconds; Infinity for `total`
   */
  dropAt: number;
}

/** Releases the reservations held past their time: no request holds them any more (its settlement was lost). */
function releaseLapsed(state: PeriodEntry, now: number): void {
  for (const [id, reservation] of state.reservations) {
    if (reservation.until > now) continue;
    state.reserved -= reservation.amount;
    state.reservations.delete(id);
  }
}

/** The default ledger: this process only. `size`: how many key × period entries it holds. */
export function memoryBudgetLedger(): BudgetLedger & { readonly size: number } {
  const entries = new Map<string, PeriodEntry>();
  /** The earliest `dropAt` of any entry: until then nothing is swept. @unit epoch milliseconds */
  let nextDrop = Infinity;
  /** Drops the entries of past periods, so many keys over many periods do not grow the ledger without bound. */
  const dropPast = (now: number) => {
    if (now < nextDrop) return;
    nextDrop = Infinity;
    for (const [name, found] of entries) {
      if (found.dropAt <= now) entries.delete(name);
      else nextDrop = Math.min(nextDrop, found.dropAt);
    }
  };
  const entry = ({ keyId, period, currency }: LedgerAccount, now: number) => {
    const { start, resetsAt } = periodAt(period, now);
    const name = `${keyId}\u0000${currency}\u0000${period}\u0000${start}`;
    let found = entries.get(name);
    if (found === undefined) {
      found = { spent: 0, reserved: 0, reservations: new Map(), dropAt: resetsAt ?? Infinity };
      entries.set(name, found);
      nextDrop = Math.min(nextDrop, found.dropAt);
    }
    return found;
  };
  return {
    get size() {
      return entries.size;
    },
    async reserve(request) {
      const now = Date.now();
      dropPast(now);
      const state = entry(request, now);
      releaseLapsed(state, now);
      if (state.spent + state.reserved + request.estimate > request.limit) return { granted: false, spent: state.spent, reserved: state.reserved };
      state.reserved += request.estimate;
      state.reservations.set(request.id, { amount: request.estimate, until: now + request.holdMs });
      // A reservation made now may be settled until it lapses, after the period's end.
      state.dropAt = Math.max(state.dropAt, now + request.holdMs);
      return { granted: true, spent: state.spent, reserved: state.reserved };
    },
    async settle(account, id, actual, now = Date.now()) {
      const state = entry(account, now);
      const reservation = state.reservations.get(id);
      if (reservation !== undefined) {
        state.reserved -= reservation.amount;
        state.reservations.delete(id);
      }
      state.spent += actual;
    },
    async usage(account) {
      const now = Date.now();
      dropPast(now);
      const state = entry(account, now);
      releaseLapsed(state, now);
      return { spent: state.spent, reserved: state.reserved };
    },
  };
}
