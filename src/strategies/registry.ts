import { balanced } from './balanced.js';
import { checkedStrategy } from './checked-strategy.js';
import { cheapest } from './cheapest.js';
import { fastest } from './fastest.js';
import { quality } from './quality.js';
import type { Strategy, StrategyFunction } from './types.js';

export const builtInStrategies: Readonly<Record<string, Strategy>> = { cheapest, fastest, balanced, quality };

/** Short names accepted in model strings and `route.objective`. */
export const strategyAliases: Readonly<Record<string, string>> = { cheap: 'cheapest', fast: 'fastest' };

/**
 * A user function becomes a strategy named after the function (or `custom`); a user's strategy,
 * function or object, is held to its contract (see `checkedStrategy`).
 */
export function toStrategy(value: Strategy | StrategyFunction): Strategy {
  if (typeof value !== 'function') return Object.values(builtInStrategies).includes(value) ? value : checkedStrategy(value);
  return checkedStrategy({ name: value.name || 'custom', rank: value });
}
