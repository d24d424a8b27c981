import { RouterError } from '../errors.js';

/**
 * Exchange rates as the value of one unit of each currency in a common unit (USD by default):
 * `{ USD: 1, EUR: 1.16 }` says one euro is worth 1.16 dollars. Prices in different currencies
 * compare and report through this table.
 */
export type FxTable = Readonly<Record<string, number>>;

/** Late-2026 approximations, in dollars; configure `fx` for accounting that matters. */
export const defaultFx: FxTable = { USD: 1, EUR: 1.16, CHF: 1.24, GBP: 1.33 };

/**
 * The router's table: the configured rates, and for a currency they leave out, its built-in
 * rate in their unit. The built-in rates are in dollars; a table in another unit (`{ EUR: 1,
 * USD: 0.86 }`) would otherwise read a franc's dollar value as euros. The unit is found through
 * USD when the table rates it, else through another currency both tables rate; a table sharing
 * none with the built-in one has no unit to translate into and gets no built-in rate.
 */
export function withDefaultRates(fx: FxTable | undefined): FxTable {
  if (fx === undefined) return defaultFx;
  const anchor = ['USD', ...Object.keys(defaultFx)].find((currency) => Object.hasOwn(fx, currency));
  if (anchor === undefined) return { ...fx };
  const scale = fx[anchor]! / defaultFx[anchor]!;
  const table: Record<string, number> = {};
  for (const [currency, rate] of Object.entries(defaultFx)) table[currency] = rate * scale;
  return { ...table, ...fx };
}

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

/**
 * `amount`, which is above `limit`, with three significant digits, or as many more as it takes to
 * still read above it: a reason saying `0.000100 exceeds 0.0001` would contradict itself.
 */
export function amountAbove(amount: number, limit: number): string {
  for (let digits = 3; digits < 17; digits++) {
    const shown = amount.toPrecision(digits);
    if (Number(shown) > limit) return shown;
  }
  return String(amount);
}
