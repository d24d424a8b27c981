import { unknownQuality } from './quality.js';
import type { Ranked, Strategy } from './types.js';

/**
 * The weights of `balanced`: each candidate's cost, latency and quality are normalised to 0..1
 * within this request's candidates (1 = the best of them), then combined.
 */
export const balancedWeights = { cost: 0.4, latency: 0.3, quality: 0.3 } as const;

/** A weighted mix of cost, time to first token and declared quality. */
export const balanced: Strategy = {
  name: 'balanced',
  rank(inputs) {
    const costs = inputs.flatMap((input) => (input.estCost === undefined ? [] : [input.estCost]));
    const lowestCost = Math.min(...costs);
    const lowestLatency = Math.min(...inputs.map((input) => input.estLatencyMs));
    const ranked: Ranked[] = inputs.map((input) => {
      const cost = input.estCost === undefined ? 0 : input.estCost === 0 ? 1 : lowestCost / input.estCost;
      const latency = input.estLatencyMs <= 0 ? 1 : lowestLatency / input.estLatencyMs;
      const score =
        balancedWeights.cost * cost +
        balancedWeights.latency * latency +
        balancedWeights.quality * (input.quality ?? unknownQuality);
      return { ...input, score, ...(input.estCost === undefined ? { note: 'price unknown; cost counted as worst' } : {}) };
    });
    return ranked.sort((a, b) => b.score - a.score);
  },
};
