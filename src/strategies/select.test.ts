import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { order, rankingInput, strategyContext, type InputSpec } from '../../test/helpers/ranking-inputs.js';
import { cheapest } from './cheapest.js';
import { quality } from './quality.js';
import { topK } from './top-k.js';
import type { Strategy } from './types.js';

/* `select(inputs, context, k)` is `rank(inputs, context).slice(0, k)`: planning relies on it to rank only the first few. */

// Few distinct values, so ties (which a stable ranking keeps in input order) are common.
const specArbitrary: fc.Arbitrary<Omit<InputSpec, 'provider'>> = fc.record({
  cost: fc.option(fc.constantFrom(0, 0.1, 0.2, 0.5), { nil: undefined }),
  p50: fc.option(fc.constantFrom(50, 100, 400), { nil: undefined }),
  quality: fc.option(fc.constantFrom(0.2, 0.5, 0.9), { nil: undefined }),
});
const inputsArbitrary = fc
  .array(specArbitrary, { minLength: 1, maxLength: 40 })
  .map((specs) => specs.map((spec, index) => rankingInput({ ...spec, provider: `provider-${index}` })));

describe.each([
  ['cheapest', cheapest],
  ['quality', quality],
] as [string, Strategy][])('%s.select', (_name, strategy) => {
  it('gives the first k of the full ranking, with the same scores and notes', () => {
    fc.assert(
      fc.property(inputsArbitrary, fc.integer({ min: 0, max: 45 }), (inputs, k) => {
        expect(strategy.select!(inputs, strategyContext, k)).toEqual(strategy.rank(inputs, strategyContext).slice(0, k));
      }),
    );
  });
});

describe('topK', () => {
  it('lists what a stable sort lists first', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }), fc.integer({ min: 0, max: 70 }), (values, k) => {
        const items = values.map((value, index) => ({ value, index }));
        const compare = (a: { value: number }, b: { value: number }) => a.value - b.value;
        expect(topK(items, k, compare)).toEqual([...items].sort(compare).slice(0, k));
      }),
    );
  });

  it('keeps input order among equals', () => {
    const inputs = [3, 1, 1, 2, 1].map((cost, index) => rankingInput({ provider: `p${index}`, cost }));
    expect(order(cheapest.select!(inputs, strategyContext, 3))).toEqual(['p1', 'p2', 'p4']);
  });
});
