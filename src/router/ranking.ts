import { cheapest } from '../strategies/cheapest.js';
import { quality } from '../strategies/quality.js';
import type { Ranked, RankingInput, Strategy, StrategyContext } from '../strategies/types.js';

/** Built-in strategies, whose `select` returns only inputs it was given: not checked per request. */
const trusted: ReadonlySet<Strategy> = new Set([cheapest, quality]);

/**
 * Holds a strategy (a user function, above all) to its contract: only the eligible inputs it
 * was given, each once, at the cost planning estimated. Anything else is dropped, so no ranking
 * can make the router call an ineligible deployment, or reserve less of a key's budget.
 */
export function ownRanking(inputs: readonly RankingInput[], ranked: readonly Ranked[]): Ranked[] {
  // The common case, checked without allocating: one input, ranked once, with its estimate.
  if (inputs.length === 1 && ranked.length === 1 && ranked[0]!.candidate === inputs[0]!.candidate && ranked[0]!.estCost === inputs[0]!.estCost) {
    return ranked as Ranked[];
  }
  const allowed = new Map(inputs.map((input) => [input.candidate, input]));
  const kept: Ranked[] = [];
  for (const entry of ranked) {
    const input = allowed.get(entry.candidate);
    if (input === undefined) continue;
    allowed.delete(entry.candidate);
    // The cost planning estimated, not one the strategy returned: a key's budget reserves it.
    kept.push(entry.estCost === input.estCost ? entry : { ...entry, estCost: input.estCost });
  }
  return kept;
}

/**
 * The ranking a call walks, with only the first `k` ranked up front (`strategy.select`): the
 * array holds those. Iterating past them (a call whose first `k` candidates all failed) ranks
 * every input once with `strategy.rank` and appends the rest to the array, in rank order, so
 * the walk, and lookups made after it, see the whole ranking as `rank` gives it.
 */
export function rankFirst(strategy: Strategy, inputs: readonly RankingInput[], context: StrategyContext, k: number): Ranked[] {
  if (strategy.select === undefined || inputs.length <= k) return ownRanking(inputs, strategy.rank(inputs, context));
  const selected = strategy.select(inputs, context, k);
  // Checking a user's selection costs a set of every input; the built-ins' is theirs by construction.
  const ranked = trusted.has(strategy) ? selected : ownRanking(inputs, selected);
  let complete = false;
  const completeRanking = () => {
    if (complete) return;
    complete = true;
    const first = new Set(ranked.map((entry) => entry.candidate));
    for (const entry of ownRanking(inputs, strategy.rank(inputs, context))) if (!first.has(entry.candidate)) ranked.push(entry);
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
