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
}

export interface ReserveRequest {
  keyId: string;
  period: BudgetPeriod;
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
  /** Replaces the reservation `id` by the actual cost. */
  settle(keyId: string, period: BudgetPeriod, id: string, actual: number, now?: number): Promise<void>;
  usage(keyId: string, period: BudgetPeriod): Promise<LedgerState>;
}

/** The default ledger: this process only. */
export function memoryBudgetLedger(): BudgetLedger {
  const entries = new Map<string, LedgerState & { reservations: Map<string, { amount: number; until: number }> }>();
  const entry = (keyId: string, period: BudgetPeriod, now: number) => {
    const name = `${keyId}\u0000${periodAt(period, now).start}`;
    let found = entries.get(name);
    if (found === undefined) {
      found = { spent: 0, reserved: 0, reservations: new Map() };
      entries.set(name, found);
    }
    return found;
  };
  return {
    async reserve(request) {
      const now = Date.now();
      const state = entry(request.keyId, request.period, now);
      for (const [id, reservation] of state.reservations) {
        if (reservation.until > now) continue;
        state.reserved -= reservation.amount;
        state.reservations.delete(id);
      }
      if (state.spent + state.reserved + request.estimate > request.limit) return { granted: false, spent: state.spent, reserved: state.reserved };
      state.reserved += request.estimate;
      state.reservations.set(request.id, { amount: request.estimate, until: now + request.holdMs });
      return { granted: true, spent: state.spent, reserved: state.reserved };
    },
    async settle(keyId, period, id, actual, now = Date.now()) {
      const state = entry(keyId, period, now);
      const reservation = state.reservations.get(id);
      if (reservation !== undefined) {
        state.reserved -= reservation.amount;
        state.reservations.delete(id);
      }
      state.spent += actual;
    },
    async usage(keyId, period) {
      const { spent, reserved } = entry(keyId, period, Date.now());
      return { spent, reserved };
    },
  };
}
