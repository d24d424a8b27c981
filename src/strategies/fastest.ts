import { toRanked } from './ranked.js';
import type { RankingInput, Strategy } from './types.js';

/**
 * Lowest time to first token first, by the measured p50 per provider+model (a bounded window of
 * recent calls; p90 breaks ties).
 *
 * Exploration rule: a candidate not measured yet ranks as if it were as fast as the fastest
 * measured one, ahead of it, so each new deployment is tried once and measured, and from then
 * on competes on its own numbers. With nothing measured, every candidate stands on the prior
 * and ties go to the cheaper one. No randomness: the same inputs always rank the same way. A
 * deployment that fails instead of answering stays unmeasured, and its circuit breaker bounds
 * how often it is explored.
 */
export const fastest: Strategy = {
  name: 'fastest',
  rank(inputs) {
    let bestMeasured = Number.POSITIVE_INFINITY;
    for (const input of inputs) if (input.latencyMeasured && input.estLatencyMs < bestMeasured) bestMeasured = input.estLatencyMs;
    const key = (input: RankingInput) => (input.latencyMeasured ? input.estLatencyMs : Math.min(input.estLatencyMs, bestMeasured));
    const lowest = Math.min(...inputs.map(key));
    const ranked = inputs.map((input) => {
      const expected = key(input);
      const note = input.latencyMeasured
        ? undefined
        : bestMeasured === Number.POSITIVE_INFINITY
          ? 'latency not measured yet; ranked on its prior'
          : `latency not measured yet; explored ahead of the fastest measured (${Math.round(bestMeasured)} ms) to measure it`;
      return toRanked(input, expected <= 0 ? 1 : lowest / expected, note);
    });
    return ranked.sort(
      (a, b) =>
        key(a) - key(b) ||
        Number(a.latencyMeasured) - Number(b.latencyMeasured) ||
        (a.latencyP90Ms ?? a.estLatencyMs) - (b.latencyP90Ms ?? b.estLatencyMs) ||
        (a.estCost ?? Number.POSITIVE_INFINITY) - (b.estCost ?? Number.POSITIVE_INFINITY),
    );
  },
};
