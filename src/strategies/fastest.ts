import type { Ranked, Strategy } from './types.js';

/**
 * Lowest expected time to first token first: the measured p50 per provider+model, or a prior
 * until measured. Unmeasured candidates rank on their prior, so a new deployment is tried
 * whenever its prior beats what the others have shown, and is measured from then on.
 */
export const fastest: Strategy = {
  name: 'fastest',
  rank(inputs) {
    const lowest = Math.min(...inputs.map((input) => input.estLatencyMs));
    const ranked: Ranked[] = inputs.map((input) => ({
      ...input,
      score: input.estLatencyMs <= 0 ? 1 : lowest / input.estLatencyMs,
      ...(input.latencyMeasured ? {} : { note: 'latency not measured yet; ranked on its prior' }),
    }));
    return ranked.sort(
      (a, b) => a.estLatencyMs - b.estLatencyMs || (a.estCost ?? Number.POSITIVE_INFINITY) - (b.estCost ?? Number.POSITIVE_INFINITY),
    );
  },
};
