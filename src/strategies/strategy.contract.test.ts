import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { balanced } from './balanced.js';
import { cheapest } from './cheapest.js';
import { fastest } from './fastest.js';
import { quality } from './quality.js';
import { toStrategy } from './registry.js';
import { order, rankingInput, rankingInputs, strategyContext, type InputSpec } from '../../test/helpers/ranking-inputs.js';
import type { Ranked, RankingInput, Strategy } from './types.js';

/*
 * The contract every strategy keeps, built-in or the user's: planning relies on it to show a
 * ranking in explain() and to walk it in execution.
 */

/** A user function as a user would write one: highest quality per unit of cost. */
function qualityPerCost(inputs: readonly RankingInput[]): Ranked[] {
  const value = (input: RankingInput) => (input.quality ?? 0.5) / ((input.estCost ?? Number.POSITIVE_INFINITY) + 1e-9);
  const best = Math.max(...inputs.map(value));
  return inputs
    .map((input) => ({ ...input, score: best > 0 && Number.isFinite(best) ? value(input) / best : 0 }))
    .sort((a, b) => b.score - a.score);
}

const strategies: [string, Strategy][] = [
  ['cheapest', cheapest],
  ['fastest', fastest],
  ['balanced', balanced],
  ['quality', quality],
  ['a user function', toStrategy(qualityPerCost)],
];

const specArbitrary: fc.Arbitrary<Omit<InputSpec, 'provider'>> = fc.record({
  cost: fc.option(fc.oneof(fc.constant(0), fc.double({ min: 1e-9, max: 10, noNaN: true })), { nil: undefined }),
  p50: fc.option(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 30_000, noNaN: true })), { nil: undefined }),
  quality: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});
const inputsArbitrary = fc
  .array(specArbitrary, { minLength: 1, maxLength: 8 })
  .map((specs) => specs.map((spec, index) => rankingInput({ ...spec, provider: `provider-${index}` })));

describe.each(strategies)('the %s strategy', (_name, strategy) => {
  it('ranks exactly the candidates it is given: none added, none dropped, none twice', () => {
    fc.assert(
      fc.property(inputsArbitrary, (inputs) => {
        const ranked = strategy.rank(inputs, strategyContext);
        expect(ranked).toHaveLength(inputs.length);
        expect(new Set(ranked.map((entry) => entry.candidate))).toEqual(new Set(inputs.map((input) => input.candidate)));
      }),
    );
  });

  it('lists the best first: scores never rise along the ranking, which execution walks in order', () => {
    fc.assert(
      fc.property(inputsArbitrary, (inputs) => {
        const scores = strategy.rank(inputs, strategyContext).map((entry) => entry.score);
        for (let index = 1; index < scores.length; index++) expect(scores[index]!).toBeLessThanOrEqual(scores[index - 1]!);
      }),
    );
  });

  it('scores every candidate between 0 and 1', () => {
    fc.assert(
      fc.property(inputsArbitrary, (inputs) => {
        for (const entry of strategy.rank(inputs, strategyContext)) {
          expect(Number.isFinite(entry.score)).toBe(true);
          expect(entry.score).toBeGreaterThanOrEqual(0);
          expect(entry.score).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('ranks the same input the same way every time', () => {
    fc.assert(
      fc.property(inputsArbitrary, (inputs) => {
        const first = strategy.rank(inputs, strategyContext);
        const second = strategy.rank([...inputs], strategyContext);
        expect(order(second)).toEqual(order(first));
        expect(second.map((entry) => entry.score)).toEqual(first.map((entry) => entry.score));
      }),
    );
  });

  it('passes each candidate’s estimates through unchanged and leaves its inputs alone', () => {
    fc.assert(
      fc.property(inputsArbitrary, (inputs) => {
        const before = inputs.map(({ candidate: _candidate, ...rest }) => ({ ...rest }));
        const ranked = strategy.rank(inputs, strategyContext);
        for (const entry of ranked) {
          const input = inputs.find((candidate) => candidate.candidate === entry.candidate)!;
          expect({ estCost: entry.estCost, estLatencyMs: entry.estLatencyMs, quality: entry.quality }).toEqual({
            estCost: input.estCost,
            estLatencyMs: input.estLatencyMs,
            quality: input.quality,
          });
        }
        expect(inputs.map(({ candidate: _candidate, ...rest }) => rest)).toEqual(before);
      }),
    );
  });

  it('ranks unpriced and unmeasured candidates without failing or dropping them', () => {
    const inputs = rankingInputs({ provider: 'unpriced', p50: 100 }, { provider: 'unmeasured', cost: 0.01 }, { provider: 'neither' });
    const ranked = strategy.rank(inputs, strategyContext);
    expect(order(ranked).sort()).toEqual(['neither', 'unmeasured', 'unpriced']);
  });

  it('ranks a single candidate', () => {
    const ranked = strategy.rank(rankingInputs({ provider: 'only', cost: 0.5, p50: 10 }), strategyContext);
    expect(order(ranked)).toEqual(['only']);
  });
});
