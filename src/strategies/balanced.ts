import { unknownQuality } from './quality.js';
import { toRanked } from './ranked.js';
import type { Ranked, Strategy } from './types.js';

/**
 * The weights of `balanced`: each candidate's cost, latency and quality are normalised to 0..1
 * within this request's candidates (1 = the best of them), then combined.
 */
export const balancedWeights = { cost: 0.4, latency: 0.3, quality: 0.3 } as const;

/**
 * A weighted mix of cost, median latency and declared quality. Latency comes from the same
 * decayed estimates as `fastest` (an unmeasured candidate stands on the measured ones' typical
 * median, not a fixed guess), and it declares `usesLatency`, so planning keeps exploring.
 */
export const balanced: Strategy = {
  name: 'balanced',
  usesLatency: true,
  rank(inputs) {
    let lowestCost = Number.POSITIVE_INFINITY;
    let lowestLatency = Number.POSITIVE_INFINITY;
    for (const input of inputs) {
      if (input.estCost !== undefined && input.estCost < lowestCost) lowestCost = input.estCost;
      if (input.estLatencyMs < lowestLatency) lowestLatency = input.estLatencyMs;
    }
    const ranked: Ranked[] = inputs.map((input) => {
      const cost = input.estCost === undefined ? 0 : input.estCost === 0 ? 1 : lowestCost / input.estCost;
      const latency = input.estLatencyMs <= 0 ? 1 : lowestLatency / input.estLatencyMs;
      const score =
        balancedWeights.cost * cost +
        balancedWeights.latency * latency +
        balancedWeights.quality * (input.quality ?? unknownQuality);
      return toRanked(input, score, input.estCost === undefined ? 'price unknown; cost counted as worst' : undefined);
    });
    return ranked.sort((a, b) => b.score - a.score);
  },
};
