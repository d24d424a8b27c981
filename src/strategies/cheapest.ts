import type { Ranked, Strategy } from './types.js';

/** Lowest expected cost of this request first. Unpriced candidates rank last and say so. */
export const cheapest: Strategy = {
  name: 'cheapest',
  rank(inputs) {
    const priced = inputs.filter((input) => input.estCost !== undefined);
    const lowest = Math.min(...priced.map((input) => input.estCost!));
    const ranked: Ranked[] = inputs.map((input) =>
      input.estCost === undefined
        ? { ...input, score: 0, note: 'price unknown; ranked last by cheapest' }
        : { ...input, score: input.estCost === 0 ? 1 : lowest / input.estCost },
    );
    return ranked.sort(
      (a, b) => (a.estCost ?? Number.POSITIVE_INFINITY) - (b.estCost ?? Number.POSITIVE_INFINITY) || a.estLatencyMs - b.estLatencyMs,
    );
  },
};
