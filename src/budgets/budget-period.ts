/** How long a budget lasts before it starts again: a UTC calendar day, ISO week (from Monday), month, or never. */
export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';

/** The period containing `now`: its start (part of the ledger's key) and when the next begins (null for `total`). @unit epoch milliseconds */
export function periodAt(period: BudgetPeriod, now: number): { start: number; resetsAt: number | null } {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  switch (period) {
    case 'day':
      return { start: Date.UTC(year, month, day), resetsAt: Date.UTC(year, month, day + 1) };
    case 'week': {
      const sinceMonday = (date.getUTCDay() + 6) % 7;
      return { start: Date.UTC(year, month, day - sinceMonday), resetsAt: Date.UTC(year, month, day - sinceMonday + 7) };
    }
    case 'month':
      return { start: Date.UTC(year, month, 1), resetsAt: Date.UTC(year, month + 1, 1) };
    case 'total':
      return { start: 0, resetsAt: null };
  }
}

/** Amounts are kept in integer millionths of the currency: sums of many small costs stay exact. */
export const microUnits = 1_000_000;
export const toMicro = (amount: number) => Math.round(amount * microUnits);
export const fromMicro = (micro: number) => micro / microUnits;
/**
 * What a call spent, in micro-units, rounded up: a call costing less than one (a short
 * embedding) still counts, where rounding to the nearest counted every such call as free. At most
 * one micro-unit more per call; a cost's own precision (1e-12 of a unit, `roundMoney`) is the
 * tolerance, so floating-point noise adds none.
 */
export const spentMicro = (amount: number) => Math.max(0, Math.ceil(amount * microUnits - 1e-6));
