import type { BudgetLedger } from './budget-ledger.js';
import type { RateLimiter } from './rate-limiter.js';
import { loadOnce } from '../internal/load-once.js';

/*
 * The in-memory budget ledger and rate limiter, loaded on the first call of a key with a budget
 * or rate limits: a router without them neither loads nor bundles their code (docs/performance.md,
 * "Bundle size"). Their methods are asynchronous already; calls made while the code loads run
 * in the order they were made, as the in-memory state needs.
 */

export function lazyMemoryLedger(): BudgetLedger {
  const load = loadOnce(() => import('./budget-ledger.js').then((module) => module.memoryBudgetLedger()));
  return {
    reserve: async (request) => (await load()).reserve(request),
    settle: async (account, id, actual, now) => (await load()).settle(account, id, actual, now),
    usage: async (account) => (await load()).usage(account),
  };
}

export function lazyMemoryRateLimiter(): RateLimiter {
  const load = loadOnce(() => import('./rate-limiter.js').then((module) => module.memoryRateLimiter()));
  return {
    take: async (keyId, limits, tokens) => (await load()).take(keyId, limits, tokens),
    settle: async (keyId, tpm, delta) => (await load()).settle(keyId, tpm, delta),
    refund: async (keyId, rpm) => (await load()).refund!(keyId, rpm),
  };
}
