import { RouterError } from '../errors.js';

/**
 * Exchange rates as the value of one unit of each currency in a common unit (USD by default):
 * `{ USD: 1, EUR: 1.16 }` says one euro is worth 1.16 dollars. Prices in different currencies
 * compare and report through this table.
 */
export type FxTable = Readonly<Record<string, number>>;

/** Late-2026 approximations; configure `fx` for accounting that matters. */
export const defaultFx: FxTable = { USD: 1, EUR: 1.16, CHF: 1.24, GBP: 1.33 };

export function convert(amount: number, from: string, to: string, fx: FxTable): number {
  if (from === to) return amount;
  const fromRate = fx[from];
  const toRate = fx[to];
  if (fromRate === undefined || toRate === undefined) {
    throw new RouterError(`no exchange rate between ${from} and ${to}; add both to the router's fx option`, {
      code: 'invalid_request',
      param: 'fx',
    });
  }
  return (amount * fromRate) / toRate;
}

/** Rounds away floating-point noise (1e-12 of a currency unit) without losing real precision. */
export function roundMoney(amount: number): number {
  return Math.round(amount * 1e12) / 1e12;
}
