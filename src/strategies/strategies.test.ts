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
  it('ranks measured deployments by their estimated p90 latency', () => {
    const ranked = fastest.rank(rankingInputs({ provider: 'slow', p50: 400 }, { provider: 'quick', p50: 40 }), strategyContext);
    expect(order(ranked)).toEqual(['quick', 'slow']);
    expect(ranked.map((entry) => entry.score)).toEqual([1, 0.1]);
  });

  it('puts the steadier deployment first when medians are equal: the p90 decides', () => {
    const ranked = fastest.rank(rankingInputs({ provider: 'spiky', p50: 50, p90: 900 }, { provider: 'steady', p50: 50, p90: 60 }), strategyContext);
    expect(order(ranked)).toEqual(['steady', 'spiky']);
  });

  it('ranks a faster median first when the p90s tie', () => {
    const ranked = fastest.rank(rankingInputs({ provider: 'later', p50: 80, p90: 100 }, { provider: 'sooner', p50: 40, p90: 100 }), strategyContext);
    expect(order(ranked)).toEqual(['sooner', 'later']);
  });

  it('ranks an unmeasured deployment on its prior, not ahead of measured ones: measuring it is exploration’s job', () => {
    const ranked = fastest.rank(rankingInputs({ provider: 'measured', p50: 120 }, { provider: 'new' }), strategyContext);
    expect(testPriorMs).toBeGreaterThan(120);
    expect(order(ranked)).toEqual(['measured', 'new']);
    expect(ranked[1]!.note).toBe('latency not measured yet; ranked on the prior');
    expect(ranked[1]!.estLatencyMs).toBe(testPriorMs);
    expect(fastest.usesLatency).toBe(true);
  });

  it('with nothing measured, ranks on the prior and gives ties to the cheaper deployment', () => {
    const ranked = fastest.rank(rankingInputs({ provider: 'dear', cost: 0.3 }, { provider: 'cheap', cost: 0.1 }), strategyContext);
    expect(order(ranked)).toEqual(['cheap', 'dear']);
    expect(ranked[0]!.note).toBe('latency not measured yet; ranked on the prior');
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
