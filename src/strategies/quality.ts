import { toRanked } from './ranked.js';
import type { Ranked, Strategy } from './types.js';

/** Value assumed for an offer that declares no quality: the middle of the scale, noted. */
export const unknownQuality = 0.5;

/** Highest declared quality first; ties go to the cheaper candidate. */
export const quality: Strategy = {
  name: 'quality',
  rank(inputs) {
    const ranked: Ranked[] = inputs.map((input) =>
      toRanked(input, input.quality ?? unknownQuality, input.quality === undefined ? `quality not declared; assumed ${unknownQuality}` : undefined),
    );
    return ranked.sort(
      (a, b) => b.score - a.score || (a.estCost ?? Number.POSITIVE_INFINITY) - (b.estCost ?? Number.POSITIVE_INFINITY),
    );
  },
};
