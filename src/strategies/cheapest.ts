import { toRanked } from './ranked.js';
import { topK } from './top-k.js';
import type { Ranked, RankingInput, Strategy } from './types.js';

/** Lower expected cost first; a price tie goes to the quicker candidate. */
export const byCost = (a: RankingInput, b: RankingInput) =>
  (a.estCost ?? Number.POSITIVE_INFINITY) - (b.estCost ?? Number.POSITIVE_INFINITY) || a.estLatencyMs - b.estLatencyMs;

function lowestCost(inputs: readonly RankingInput[]): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (const input of inputs) if (input.estCost !== undefined && input.estCost < lowest) lowest = input.estCost;
  return lowest;
}

function scored(input: RankingInput, lowest: number): Ranked {
  return input.estCost === undefined
    ? toRanked(input, 0, 'price unknown; ranked last by cheapest')
    : toRanked(input, input.estCost === 0 ? 1 : lowest / input.estCost);
}

/** Lowest expected cost of this request first. Unpriced candidates rank last and say so. */
export const cheapest: Strategy = {
  name: 'cheapest',
  rank(inputs) {
    const lowest = lowestCost(inputs);
    return inputs.map((input) => scored(input, lowest)).sort(byCost);
  },
  select(inputs, _context, k) {
    const lowest = lowestCost(inputs);
    return topK(inputs, k, byCost).map((input) => scored(input, lowest));
  },
};
