import { toRanked } from './ranked.js';
import { topK } from './top-k.js';
import type { Ranked, RankingInput, Strategy } from './types.js';

/** Value assumed for an offer that declares no quality: the middle of the scale, noted. */
export const unknownQuality = 0.5;

/** Higher declared quality first; a tie goes to the cheaper candidate. */
export const byQuality = (a: RankingInput, b: RankingInput) =>
  (b.quality ?? unknownQuality) - (a.quality ?? unknownQuality) || (a.estCost ?? Number.POSITIVE_INFINITY) - (b.estCost ?? Number.POSITIVE_INFINITY);

function scored(input: RankingInput): Ranked {
  return toRanked(input, input.quality ?? unknownQuality, input.quality === undefined ? `quality not declared; assumed ${unknownQuality}` : undefined);
}

/** Highest declared quality first; ties go to the cheaper candidate. */
export const quality: Strategy = {
  name: 'quality',
  rank(inputs) {
    return inputs.map(scored).sort(byQuality);
  },
  select(inputs, _context, k) {
    return topK(inputs, k, byQuality).map(scored);
  },
};
