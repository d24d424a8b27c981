import type { Candidate } from '../../src/catalog/candidate.js';
import type { Provider } from '../../src/providers/types.js';
import { balanced } from '../../src/strategies/balanced.js';
import type { RankingInput } from '../../src/strategies/types.js';
import { attemptOutcome, completionDraw, expectedCost, promptTokens, trueP90, trueState, type DeploymentSpec, type Market } from './market.js';

/*
 * The oracles: for each request, the eligible deployments that are up, ranked by the market's
 * TRUE parameters at that moment (never the router's estimates). An oracle knows a drift or an
 * outage the instant it happens; random 503s and resets it cannot foresee, so it meets the same
 * draws as the router would at its choice and falls back down its own ranking.
 */

export type Objective = 'cheapest' | 'fastest' | 'balanced';

function eligibleUp(market: Market, request: number): DeploymentSpec[] {
  return market.deployments.filter((spec) => spec.kind === 'eu' && trueState(spec, request).up);
}

/** What the oracle gets for `request`: who answers, at what cost, after how long (failed attempts included). */
export function oracleOutcome(market: Market, objective: Objective, request: number): { spec: DeploymentSpec; cost: number; ttftMs: number } {
  let ttftMs = 0;
  const ranking = oracleRanking(market, objective, request);
  for (const spec of ranking) {
    const outcome = attemptOutcome(market, market.deployments.indexOf(spec), spec, request, 0);
    ttftMs += outcome.delayMs;
    if (outcome.kind !== 'ok') continue;
    return { spec, ttftMs, cost: (promptTokens * spec.price.input + completionDraw(market, request) * spec.price.output) / 1_000_000 };
  }
  return { spec: ranking[0]!, ttftMs, cost: 0 };
}

/** The oracle's ranking of the eligible deployments that are up at `request`, best first. */
export function oracleRanking(market: Market, objective: Objective, request: number): DeploymentSpec[] {
  const candidates = eligibleUp(market, request);
  if (objective === 'cheapest') return sortBy(candidates, (spec) => expectedCost(spec));
  if (objective === 'fastest') return sortBy(candidates, (spec) => trueP90(spec, request));
  // The balanced objective scored with the strategy's own formula, on true values.
  const inputs: RankingInput[] = candidates.map((spec) => ({
    candidate: { key: `${spec.name}/model-a`, provider: { id: spec.name } as Provider, model: 'model-a' } as Candidate,
    estCost: expectedCost(spec),
    estLatencyMs: trueState(spec, request).medianMs,
    latencyMeasured: true,
    latencyP90Ms: trueP90(spec, request),
    quality: undefined,
  }));
  return balanced.rank(inputs, { promptTokens, completionTokens: 120 }).map((entry) => candidates.find((spec) => spec.name === entry.candidate.provider.id)!);
}

function sortBy<T>(values: readonly T[], score: (value: T) => number): T[] {
  return [...values].sort((a, b) => score(a) - score(b));
}
