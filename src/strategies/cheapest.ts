import { toRanked } from './ranked.js';
import type { Ranked, Strategy } from './types.js';

/** Lowest expected cost of this request first. Unpriced candidates rank last and say so. */
export const cheapest: Strategy = {
  name: 'cheapest',
  rank(inputs) {
    const priced = inputs.filter((input) => input.estCost !== undefined);
    const lowest = Math.min(...priced.map((input) => input.estCost!));
    const ranked: Ranked[] = inputs.map((input) =>
      input.estCost === undefined
        ? toRanked(input, 0, 'price unknown; ranked last by cheapest')
        : toRanked(input, input.estCost === 0 ? 1 : lowest / input.estCost),
    );
    return ranked.sort(
      (a, b) => (a.estCost ?? Number.POSITIVE_INFINITY) - (b.estCost ?? Number.POSITIVE_INFINITY) || a.estLatencyMs - b.estLatencyMs,
    );
  },
};
