import { describe, expect, it } from 'vitest';
import { addCompletionSample, defaultCompletionEstimateOptions, poolCompletionEstimates, readCompletion, type CompletionEstimate } from './completion-estimate.js';

const options = defaultCompletionEstimateOptions;
const now = 5_000_000;

function answered(lengths: number[]): CompletionEstimate {
  let state: CompletionEstimate | undefined;
  for (const tokens of lengths) state = addCompletionSample(state, tokens, now, options);
  return state!;
}

describe('the expected completion length', () => {
  it('is the old rule (max_tokens, or 256) until any answer is seen', () => {
    expect(readCompletion(undefined, undefined, 1024, 2048, now, options).expected).toBe(1024);
  });

  it('follows what the deployment answers, however large max_tokens is', () => {
    const own = answered(Array<number>(40).fill(120));
    const reading = readCompletion(own, own, 1024, 4096, now, options);
    expect(reading.expected).toBeGreaterThan(118);
    expect(reading.expected).toBeLessThan(125);
  });

  it('never exceeds the request’s max_tokens, expected or pessimistic', () => {
    const own = answered([900, 1000, 1100, 950]);
    const reading = readCompletion(own, own, 256, 300, now, options);
    expect(reading.expected).toBeLessThanOrEqual(300);
    expect(reading.pessimistic).toBeLessThanOrEqual(300);
  });

  it('lends a deployment with no answers of its own the answers of the same model elsewhere', () => {
    const elsewhere = answered(Array<number>(10).fill(100));
    const pool = poolCompletionEstimates([undefined, elsewhere], now, options);
    expect(readCompletion(undefined, pool, 1024, 2048, now, options).expected).toBeCloseTo(100, 6);
  });

  it('puts the pessimistic length, for route.max_cost, above the expected one when answers vary', () => {
    const own = answered([50, 400, 80, 300, 60, 500]);
    const reading = readCompletion(own, own, 256, 2048, now, options);
    expect(reading.pessimistic).toBeGreaterThan(reading.expected);
  });
});
