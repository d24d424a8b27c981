import { NoEligibleProviderError, type Exclusion } from '../errors.js';
import type { Ranked, Strategy } from './types.js';

/**
 * A user's strategy, held to its contract where it runs: one that throws, or returns anything
 * but an array (a Promise from an async function, `undefined`), fails the request with a 500
 * naming the strategy and what to do, and nothing is sent. Without this the caller got an
 * "internal error" blamed on no one (`ranked is not iterable`). Built-in strategies are not
 * wrapped: planning recognises them by identity.
 */
export function checkedStrategy(strategy: Strategy): Strategy {
  const { name, select } = strategy;
  const checked: Strategy = { ...strategy, name, rank: (inputs, context) => ranking(name, () => strategy.rank(inputs, context)) };
  if (select) checked.select = (inputs, context, k) => ranking(name, () => select.call(strategy, inputs, context, k));
  return checked;
}

function ranking(name: string, run: () => unknown): Ranked[] {
  let ranked: unknown;
  try {
    ranked = run();
  } catch (error) {
    throw strategyFailed(name, `threw: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (Array.isArray(ranked)) return ranked as Ranked[];
  throw strategyFailed(name, `returned ${ranked instanceof Promise ? 'a Promise' : String(ranked)}, not an array`);
}

/** The error of a strategy that could not rank: the server's fault, not the request's. */
export function strategyFailed(name: string, what: string, excluded: Exclusion[] = []): NoEligibleProviderError {
  return new NoEligibleProviderError(
    `strategy ${name} ${what}; nothing was sent. Fix it (rank returns the inputs it was given, best first, synchronously) or choose another with route.objective`,
    excluded,
    { status: 500, type: 'server_error' },
  );
}
