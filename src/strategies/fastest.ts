import { toRanked } from './ranked.js';
import type { RankingInput, Strategy } from './types.js';

/** The latency `fastest` ranks on: the estimated p90, or the median when no p90 is known. */
const rankLatency = (input: RankingInput) => input.latencyP90Ms ?? input.estLatencyMs;

/**
 * Lowest latency first: the estimated p90 time to first token for a stream (to the whole answer
 * otherwise), from estimates that follow change (time- and sample-decayed, a slow answer counts
 * at once); the median breaks ties, then the price.
 *
 * A candidate not measured yet stands on a prior: the typical median of the measured candidates,
 * with a wide spread, so it neither jumps the queue nor is buried. Measuring it is exploration's
 * job (planning sends a bounded share of requests to uncertain or stale candidates, since this
 * strategy declares `usesLatency`). No randomness: the same inputs always rank the same way.
 */
export const fastest: Strategy = {
  name: 'fastest',
  usesLatency: true,
  rank(inputs) {
    const lowest = Math.min(...inputs.map(rankLatency));
    const ranked = inputs.map((input) => {
      const expected = rankLatency(input);
      return toRanked(input, expected <= 0 ? 1 : lowest / expected, input.latencyMeasured ? undefined : 'latency not measured yet; ranked on the prior');
    });
    return ranked.sort(
      (a, b) =>
        rankLatency(a) - rankLatency(b) ||
        a.estLatencyMs - b.estLatencyMs ||
        Number(b.latencyMeasured) - Number(a.latencyMeasured) ||
        (a.estCost ?? Number.POSITIVE_INFINITY) - (b.estCost ?? Number.POSITIVE_INFINITY),
    );
  },
};
