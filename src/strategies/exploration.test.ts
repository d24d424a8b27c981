import { describe, expect, it } from 'vitest';
import { createExplorationBudget, creditRepayment, explorationCredit } from '../router/exploration-budget.js';
import { defaultLatencyEstimateOptions, readLatency, addLatencySample, type LatencyReading } from '../health/latency-estimate.js';
import type { Candidate } from '../catalog/candidate.js';
import { order, rankingInput, strategyContext } from '../../test/helpers/ranking-inputs.js';
import { chooseExploration, defaultExplorationOptions } from './exploration.js';
import { balanced } from './balanced.js';
import { fastest } from './fastest.js';

const options = defaultLatencyEstimateOptions;
const now = 10_000_000;

/** A reading of `samples` taken `ageMs` ago. */
function reading(samples: number[], ageMs = 0): LatencyReading {
  let state;
  for (const ms of samples) state = addLatencySample(state, ms, now - ageMs, options);
  return readLatency(state, now, options, { p50: 100 });
}

function ranked(entries: [string, LatencyReading][]) {
  const inputs = entries.map(([provider, value]) => ({ ...rankingInput({ provider, p50: value.measured ? value.p50 : undefined }), latencyP90Ms: value.p90, estLatencyMs: value.p50 }));
  const readings = new Map<Candidate, LatencyReading>(inputs.map((input, index) => [input.candidate, entries[index]![1]]));
  return { ranking: fastest.rank(inputs, strategyContext), readings };
}

describe('choosing what to explore', () => {
  it('picks a candidate that would rank first at its optimistic bound, never the best estimate itself', () => {
    const { ranking, readings } = ranked([
      ['known', reading(Array<number>(20).fill(50))],
      ['unsure', reading([60], 60_000)], // one old sample: plausibly faster than 50
      ['slow', reading(Array<number>(20).fill(400))],
    ]);
    expect(order(ranking)[0]).toBe('known');
    const choice = chooseExploration(fastest, ranking, readings, strategyContext, defaultExplorationOptions)!;
    expect(choice.candidate.provider.id).toBe('unsure');
    expect(choice.reason).toMatch(/^plausibly better: optimistic p90/);
  });

  it('explores nothing when every estimate is fresh and the best is clearly best', () => {
    const { ranking, readings } = ranked([
      ['known', reading(Array<number>(20).fill(50))],
      ['slow', reading(Array<number>(20).fill(400))],
    ]);
    expect(chooseExploration(fastest, ranking, readings, strategyContext, defaultExplorationOptions)).toBeUndefined();
  });

  it('re-measures an estimate older than maxStalenessMs when, as unsure as a new one, it would rank first', () => {
    // With an hour's half-life, 400 s of idleness hardly widens it: only staleness makes it worth a look.
    const slowAgeing = { ...options, halfLifeMs: 3_600_000 };
    let state;
    for (let index = 0; index < 20; index++) state = addLatencySample(state, index % 2 === 0 ? 45 : 75, now - 400_000, slowAgeing);
    const { ranking, readings } = ranked([
      ['known', reading(Array<number>(20).fill(50))],
      ['stale', readLatency(state, now, slowAgeing, { p50: 100 })],
    ]);
    expect(readings.get(ranking[1]!.candidate)!.optimisticP90).toBeGreaterThan(50);
    const choice = chooseExploration(fastest, ranking, readings, strategyContext, defaultExplorationOptions)!;
    expect(choice.candidate.provider.id).toBe('stale');
    expect(choice.reason).toMatch(/^stale: latency last measured 400 s ago, and at its widest optimistic p90 \(\d+ ms\) it would rank first/);
  });

  it('never re-measures a deployment that could not rank first even at its widest bound, however stale', () => {
    // Eight times slower than the best, with a tight spread: measuring it again cannot change the ranking.
    const { ranking, readings } = ranked([
      ['known', reading(Array<number>(20).fill(50))],
      ['slow', reading(Array<number>(20).fill(400), 4_000_000)],
    ]);
    expect(readings.get(ranking[1]!.candidate)!.staleMs).toBe(4_000_000);
    expect(chooseExploration(fastest, ranking, readings, strategyContext, defaultExplorationOptions)).toBeUndefined();
  });

  it('under balanced, never explores a dearer candidate whose cost it could not make up for even at its optimistic latency', () => {
    // 'dear' costs ten times as much: even infinitely fast, 0.4 × 0.1 + 0.3 < 0.4 + 0.3 × (its latency share).
    const known = { ...rankingInput({ provider: 'cheap', cost: 1, p50: 100, p90: 130 }) };
    const dear = { ...rankingInput({ provider: 'dear', cost: 10 }), estLatencyMs: 100, latencyP90Ms: 160 };
    const inputs = [known, dear];
    const unmeasured = readLatency(undefined, now, options, { p50: 100 });
    const readings = new Map<Candidate, LatencyReading>([
      [known.candidate, reading(Array<number>(20).fill(100))],
      [dear.candidate, unmeasured],
    ]);
    const ranking = balanced.rank(inputs, strategyContext);
    expect(order(ranking)).toEqual(['cheap', 'dear']);
    expect(chooseExploration(balanced, ranking, readings, strategyContext, defaultExplorationOptions)).toBeUndefined();
    // A candidate as cheap is worth measuring.
    const peer = { ...rankingInput({ provider: 'peer', cost: 1 }), estLatencyMs: 100, latencyP90Ms: 160 };
    const withPeer = balanced.rank([known, peer], strategyContext);
    readings.set(peer.candidate, unmeasured);
    expect(chooseExploration(balanced, withPeer, readings, strategyContext, defaultExplorationOptions)).toMatchObject({ candidate: peer.candidate, unmeasured: true });
  });

  it('watches a deployment that turned slow: while it would rank first at its former speed, it is re-measured first', () => {
    const slowedAgo = (ms: number) => {
      let slowed;
      for (const sample of Array<number>(20).fill(40)) slowed = addLatencySample(slowed, sample, now - ms - 10_000, options);
      for (const sample of [400, 410]) slowed = addLatencySample(slowed, sample, now - ms, options); // 10× slower, twice: it changed
      return ranked([
        ['steady', reading(Array<number>(20).fill(60))],
        ['slowed', readLatency(slowed, now, options, { p50: 100 })],
        ['stale', reading([35, 65], 400_000)],
      ]);
    };
    const { ranking, readings } = slowedAgo(40_000);
    expect(order(ranking)[0]).toBe('steady');
    const choice = chooseExploration(fastest, ranking, readings, strategyContext, defaultExplorationOptions)!;
    expect(choice.candidate.provider.id).toBe('slowed');
    expect(choice.reason).toMatch(/^watching for recovery: it turned slow 40 s ago/);
    // Past the watch, it waits its turn like any other.
    const later = chooseExploration(fastest, ranking, readings, strategyContext, { ...defaultExplorationOptions, recoveryWatchMs: 1_000 })!;
    expect(later.candidate.provider.id).not.toBe('slowed');
    // Right after the slow-down (before recoveryWatchDelayMs) the budget goes to finding where traffic should go instead.
    const fresh = slowedAgo(5_000);
    const early = chooseExploration(fastest, fresh.ranking, fresh.readings, strategyContext, defaultExplorationOptions)!;
    expect(early.candidate.provider.id).toBe('stale');
    expect(chooseExploration(fastest, fresh.ranking, fresh.readings, strategyContext, { ...defaultExplorationOptions, recoveryWatchDelayMs: 0 })!.candidate.provider.id).toBe('slowed');
  });

  it('re-measures a watched deployment less often the longer it has been slow (back-off in log-time)', () => {
    const watchedAfter = (slowForMs: number, lastSampleAgoMs: number) => {
      let slowed;
      for (const ms of Array<number>(20).fill(40)) slowed = addLatencySample(slowed, ms, now - slowForMs - 10_000, options);
      for (const ms of [400, 410]) slowed = addLatencySample(slowed, ms, now - slowForMs, options);
      for (let at = now - slowForMs + 1_000; at <= now - lastSampleAgoMs; at += 1_000) slowed = addLatencySample(slowed, 405, at, options);
      const { ranking, readings } = ranked([
        ['steady', reading(Array<number>(20).fill(60))],
        ['slowed', readLatency(slowed, now, options, { p50: 100 })],
      ]);
      return chooseExploration(fastest, ranking, readings, strategyContext, defaultExplorationOptions)?.reason ?? 'nothing';
    };
    // Slow for 60 s, last measured 10 s ago: due again.
    expect(watchedAfter(60_000, 10_000)).toMatch(/^watching for recovery/);
    // Slow for 20 min, last measured 60 s ago: not yet (its re-measurements are 2.5 min apart by now) …
    expect(watchedAfter(1_200_000, 60_000)).not.toMatch(/^watching for recovery/);
    // … and due once idle for an eighth of the time it has been slow.
    expect(watchedAfter(1_200_000, 160_000)).toMatch(/^watching for recovery/);
  });

  it('confirms a recovery on credit when an answer comes back near the former speed, even if that answer alone would not rank first', () => {
    let slowed;
    for (const ms of Array<number>(20).fill(40)) slowed = addLatencySample(slowed, ms, now - 10_000, options);
    for (const ms of [400, 410]) slowed = addLatencySample(slowed, ms, now - 5_000, options);
    slowed = addLatencySample(slowed, 50, now - 1_000, options); // back near 40: held until confirmed
    const watched = readLatency(slowed, now, options, { p50: 100 });
    expect(watched.heldP50).toBeCloseTo(50, 6);
    expect(watched.heldP90!).toBeGreaterThan(60); // at the held answer's own p90 it would not beat 'steady'
    const { ranking, readings } = ranked([
      ['steady', reading(Array<number>(20).fill(60))],
      ['slowed', watched],
    ]);
    const choice = chooseExploration(fastest, ranking, readings, strategyContext, defaultExplorationOptions)!;
    expect(choice).toMatchObject({ candidate: ranking[1]!.candidate, unmeasured: true });
    expect(choice.reason).toMatch(/^confirming a recovery/);
  });

  it('measures a never-measured candidate first, on credit', () => {
    const { ranking, readings } = ranked([
      ['known', reading(Array<number>(20).fill(50))],
      ['new', readLatency(undefined, now, options, { p50: 50 })],
    ]);
    expect(chooseExploration(fastest, ranking, readings, strategyContext, defaultExplorationOptions)).toMatchObject({ unmeasured: true, reason: 'latency never measured' });
  });
});

describe('the exploration budget', () => {
  it('allows at most share × requests explorations over any run of requests', () => {
    for (const share of [0.01, 0.05, 0.1]) {
      const budget = createExplorationBudget({ ...defaultExplorationOptions, share });
      let explored = 0;
      for (let request = 1; request <= 2_000; request++) {
        budget.earn();
        if (budget.available(false)) {
          budget.spend();
          explored += 1;
        }
        expect(explored).toBeLessThanOrEqual(Math.floor(share * request + 1e-9));
      }
      expect(explored).toBe(Math.floor(share * 2_000 + 1e-9));
    }
  });

  it('lends to never-measured candidates up to its credit, and explores again within 4 / share requests while repaying', () => {
    const budget = createExplorationBudget(defaultExplorationOptions);
    let lent = 0;
    while (budget.available(true)) {
      budget.spend();
      lent += 1;
    }
    expect(lent).toBe(explorationCredit);
    expect(budget.balance).toBeCloseTo(-explorationCredit);
    let waited = 0;
    while (!budget.available(false)) {
      budget.earn();
      waited += 1;
    }
    // Three quarters of each request's share repay the credit, the rest is saved for ordinary exploration.
    expect(waited).toBe(Math.ceil(1 / (defaultExplorationOptions.share * (1 - creditRepayment)) - 1e-9));
    expect(budget.balance).toBeLessThan(-explorationCredit / 2);
  });

  it('explores at most share × requests + the credit over any run, and the whole share once repaid', () => {
    const share = defaultExplorationOptions.share;
    const budget = createExplorationBudget(defaultExplorationOptions);
    let explored = 0;
    for (let lent = 0; lent < 8; lent++) {
      budget.spend();
      explored += 1;
    }
    for (let request = 1; request <= 2_000; request++) {
      budget.earn();
      if (budget.available(false)) {
        budget.spend();
        explored += 1;
      }
      expect(explored).toBeLessThanOrEqual(Math.floor(share * request + 8 + 1e-9));
    }
    // The credit was repaid, and the share earned since is explored in full.
    expect(explored).toBe(Math.floor(share * 2_000 + 1e-9));
  });

  it('never explores at share 0, not even on credit', () => {
    const budget = createExplorationBudget({ ...defaultExplorationOptions, share: 0 });
    for (let request = 0; request < 1_000; request++) {
      budget.earn();
      expect(budget.available(false)).toBe(false);
      expect(budget.available(true)).toBe(false);
    }
  });
});
