import type { Candidate } from '../../src/catalog/candidate.js';
import type { Provider } from '../../src/providers/types.js';
import type { RankingInput } from '../../src/strategies/types.js';

/*
 * Ranking inputs for strategy tests: what planning hands a strategy, without a router.
 */

export interface InputSpec {
  provider: string;
  /** Expected cost of the request; undefined = unpriced. */
  cost?: number | undefined;
  /** Measured p50; undefined = unmeasured (the prior is used). @unit milliseconds */
  p50?: number | undefined;
  p90?: number | undefined;
  quality?: number | undefined;
}

/** The latency planning assumes for an unmeasured candidate. @unit milliseconds */
export const testPriorMs = 800;

export function rankingInput(spec: InputSpec): RankingInput {
  const provider = { id: spec.provider, models: [] } as unknown as Provider;
  const candidate: Candidate = {
    key: `${spec.provider}/model-a`,
    provider,
    offer: { id: 'model-a' },
    model: 'model-a',
    native: 'model-a',
    capabilities: new Set(['chat']),
    price: spec.cost === undefined ? undefined : { input: spec.cost, output: spec.cost, cachedInput: spec.cost, cacheWrite: spec.cost },
  };
  return {
    candidate,
    estCost: spec.cost,
    estLatencyMs: spec.p50 ?? testPriorMs,
    latencyMeasured: spec.p50 !== undefined,
    latencyP90Ms: spec.p50 === undefined ? undefined : (spec.p90 ?? spec.p50),
    quality: spec.quality,
  };
}

export const rankingInputs = (...specs: InputSpec[]): RankingInput[] => specs.map(rankingInput);

/** Provider ids in rank order. */
export const order = (ranked: readonly { candidate: Candidate }[]): string[] => ranked.map((entry) => entry.candidate.provider.id);

export const strategyContext = { promptTokens: 1000, completionTokens: 256 };
