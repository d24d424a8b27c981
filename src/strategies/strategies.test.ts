import { describe, expect, it } from 'vitest';
import { order, rankingInputs, strategyContext, testPriorMs } from '../../test/helpers/ranking-inputs.js';
import { balanced, balancedWeights } from './balanced.js';
import { cheapest } from './cheapest.js';
import { fastest } from './fastest.js';
import { quality } from './quality.js';

/* What each built-in strategy does beyond the shared contract (strategy.contract.test.ts). */

describe('cheapest', () => {
  it('ranks by the expected cost of the request, and an unknown price last, saying so', () => {
    const ranked = cheapest.rank(
      rankingInputs({ provider: 'unpriced', p50: 10 }, { provider: 'dear', cost: 0.3 }, { provider: 'cheap', cost: 0.1 }, { provider: 'free', cost: 0 }),
      strategyContext,
    );
    expect(order(ranked)).toEqual(['free', 'cheap', 'dear', 'unpriced']);
    expect(ranked.at(-1)!.note).toBe('price unknown; ranked last by cheapest');
    expect(ranked.at(-1)!.score).toBe(0);
  });

  it('breaks a price tie by time to first token', () => {
    const ranked = cheapest.rank(rankingInputs({ provider: 'slow', cost: 0.1, p50: 900 }, { provider: 'quick', cost: 0.1, p50: 90 }), strategyContext);
    expect(order(ranked)).toEqual(['quick', 'slow']);
  });
});

describe('fastest', () => {
  it('ranks measured deployments by their p50 time to first token', () => {
    const ranked = fastest.rank(rankingInputs({ provider: 'slow', p50: 400 }, { provider: 'quick', p50: 40 }), strategyContext);
    expect(order(ranked)).toEqual(['quick', 'slow']);
    expect(ranked.map((entry) => entry.score)).toEqual([1, 0.1]);
  });

  it('breaks a p50 tie with the p90: the steadier deployment first', () => {
    const ranked = fastest.rank(rankingInputs({ provider: 'spiky', p50: 50, p90: 900 }, { provider: 'steady', p50: 50, p90: 60 }), strategyContext);
    expect(order(ranked)).toEqual(['steady', 'spiky']);
  });

  it('explores an unmeasured deployment ahead of the fastest measured one, once its prior would keep it last', () => {
    const ranked = fastest.rank(rankingInputs({ provider: 'measured', p50: 120 }, { provider: 'new' }), strategyContext);
    expect(testPriorMs).toBeGreaterThan(120); // on its prior alone it would never be tried
    expect(order(ranked)).toEqual(['new', 'measured']);
    expect(ranked[0]!.note).toMatch(/not measured yet; explored ahead of the fastest measured \(120 ms\)/);
    expect(ranked[0]!.estLatencyMs).toBe(testPriorMs); // explain() still shows the prior, not a made-up number
  });

  it('with nothing measured, ranks on the prior and gives ties to the cheaper deployment', () => {
    const ranked = fastest.rank(rankingInputs({ provider: 'dear', cost: 0.3 }, { provider: 'cheap', cost: 0.1 }), strategyContext);
    expect(order(ranked)).toEqual(['cheap', 'dear']);
    expect(ranked[0]!.note).toBe('latency not measured yet; ranked on its prior');
  });
});

describe('balanced', () => {
  it('combines normalised cost, latency and quality with the documented weights', () => {
    expect(balancedWeights).toEqual({ cost: 0.4, latency: 0.3, quality: 0.3 });
    const ranked = balanced.rank(
      rankingInputs({ provider: 'a', cost: 0.1, p50: 100, quality: 0.9 }, { provider: 'b', cost: 0.2, p50: 50, quality: 0.5 }),
      strategyContext,
    );
    // a: 0.4 × 1 + 0.3 × (50/100) + 0.3 × 0.9; b: 0.4 × (0.1/0.2) + 0.3 × 1 + 0.3 × 0.5
    expect(order(ranked)).toEqual(['a', 'b']);
    expect(ranked[0]!.score).toBeCloseTo(0.82, 10);
    expect(ranked[1]!.score).toBeCloseTo(0.65, 10);
  });

  it('counts an unknown price as the worst cost and says so', () => {
    const ranked = balanced.rank(rankingInputs({ provider: 'unpriced', p50: 100, quality: 0.5 }, { provider: 'priced', cost: 1, p50: 100, quality: 0.5 }), strategyContext);
    expect(order(ranked)).toEqual(['priced', 'unpriced']);
    expect(ranked[1]!.note).toBe('price unknown; cost counted as worst');
  });
});

describe('quality', () => {
  it('ranks by declared quality, assumes 0.5 when undeclared and says so', () => {
    const ranked = quality.rank(rankingInputs({ provider: 'unknown' }, { provider: 'good', quality: 0.9 }, { provider: 'weak', quality: 0.2 }), strategyContext);
    expect(order(ranked)).toEqual(['good', 'unknown', 'weak']);
    expect(ranked[1]!.note).toBe('quality not declared; assumed 0.5');
  });
});
