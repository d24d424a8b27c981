import { byCost, cheapest } from '../strategies/cheapest.js';
import { byQuality, quality } from '../strategies/quality.js';
import { toRanked } from '../strategies/ranked.js';
import type { Ranked, RankingInput, Strategy, StrategyContext } from '../strategies/types.js';

/** Built-in strategies, whose `select` returns only inputs it was given: not checked per request. */
const trusted: ReadonlySet<Strategy> = new Set([cheapest, quality]);

/**
 * The order in which a built-in strategy's `select` keeps its first `k` (a stable `topK` by
 * this comparison, scores that depend on nothing outside those `k`): planning can keep the first
 * `k` itself while it judges, and build the other candidates' inputs only if a call walks past
 * them (see `PreselectedInputs`).
 */
export const selectionOrder: ReadonlyMap<Strategy, (a: RankingInput, b: RankingInput) => number> = new Map([
  [cheapest, byCost],
  [quality, byQuality],
]);

/** The first `k` inputs in a strategy's selection order, and every input on demand. */
export interface PreselectedInputs {
  readonly first: readonly RankingInput[];
  /** How many inputs there are in all. */
  readonly count: number;
  /** Every input, in catalogue order; built on the first call. */
  all(): readonly RankingInput[];
}

/**
 * Holds a strategy (a user function, above all) to its contract: only the eligible inputs it
 * was given, each once, with planning's estimates (cost, latency, quality). Anything else is dropped, so no ranking
 * can make the router call an ineligible deployment, or reserve less of a key's budget.
 */
export function ownRanking(inputs: readonly RankingInput[], ranked: readonly Ranked[]): Ranked[] {
  // The common case, checked without allocating: one input, ranked once, with its estimates.
  if (inputs.length === 1 && ranked.length === 1 && ranked[0]?.candidate === inputs[0]!.candidate && sameEstimates(ranked[0]!, inputs[0]!)) {
    return ranked as Ranked[];
  }
  const allowed = new Map(inputs.map((input) => [input.candidate, input]));
  const kept: Ranked[] = [];
  for (const entry of ranked) {
    // A hole (`null`, `undefined`: a user's lookup that missed) is dropped like any other stranger.
    const input = typeof entry === 'object' && entry !== null ? allowed.get(entry.candidate) : undefined;
    if (input === undefined) continue;
    allowed.delete(entry.candidate);
    // Planning's estimates, not ones the strategy returned (or left out): a key's budget reserves
    // the cost, and explain() shows them. The strategy's own are its score and note.
    kept.push(sameEstimates(entry, input) ? entry : toRanked(input, entry.score, typeof entry.note === 'string' ? entry.note : undefined));
  }
  return kept;
}

function sameEstimates(entry: Ranked, input: RankingInput): boolean {
  return (
    entry.estCost === input.estCost &&
    entry.estLatencyMs === input.estLatencyMs &&
    entry.latencyP90Ms === input.latencyP90Ms &&
    entry.latencyMeasured === input.latencyMeasured &&
    entry.quality === input.quality
  );
}

/**
 * The ranking a call walks, with only the first `k` ranked up front (`strategy.select`): the
 * array holds those. Iterating past them (a call whose first `k` candidates all failed) ranks
 * every input once with `strategy.rank` and appends the rest to the array, in rank order, so
 * the walk, and lookups made after it, see the whole ranking as `rank` gives it.
 */
export function rankFirst(strategy: Strategy, given: readonly RankingInput[] | PreselectedInputs, context: StrategyContext, k: number): Ranked[] {
  const preselected = 'first' in given ? given : undefined;
  const count = preselected?.count ?? (given as readonly RankingInput[]).length;
  let every: readonly RankingInput[] | undefined = preselected === undefined ? (given as readonly RankingInput[]) : undefined;
  const inputs = () => (every ??= preselected!.all());
  if (strategy.select === undefined || count <= k) return ownRanking(inputs(), strategy.rank(inputs(), context));
  // Preselected: the first k in the strategy's own order, so its selection of them is its selection of all.
  const selected = strategy.select(preselected?.first ?? inputs(), context, k);
  // Checking a user's selection costs a set of every input; the built-ins' is theirs by construction.
  const ranked = trusted.has(strategy) ? selected : ownRanking(inputs(), selected);
  let complete = false;
  const completeRanking = () => {
    if (complete) return;
    complete = true;
    const first = new Set(ranked.map((entry) => entry.candidate));
    for (const entry of ownRanking(inputs(), strategy.rank(inputs(), context))) if (!first.has(entry.candidate)) ranked.push(entry);
  };
  Object.defineProperty(ranked, Symbol.iterator, {
    value: function* walk(): Generator<Ranked> {
      for (let index = 0; ; index++) {
        if (index === ranked.length) completeRanking();
        if (index >= ranked.length) return;
        yield ranked[index]!;
      }
    },
  });
  return ranked;
}
