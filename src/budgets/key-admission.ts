import type { Plan } from '../router/plan.js';
import type { Caller, RouterContext } from '../router/router-context.js';
import type { Usage } from '../wire/chat-response.js';
import type * as BudgetGuard from './budget-guard.js';
import type * as RateGuard from './rate-guard.js';

// Loaded on the first call of a key with rate limits or a budget: most routers have neither.
let rateGuard: Promise<typeof RateGuard> | undefined;
let budgetGuard: Promise<typeof BudgetGuard> | undefined;

/**
 * What a request holds against its key until it ends: called once with the usage it had (none
 * for a failure), it settles the budget reservation to the actual cost and corrects the
 * tokens-per-minute charge to the actual tokens.
 */
export type KeySettlement = (usage: Usage | undefined) => void;

/**
 * Before any routed call of a key (chat, Responses, embeddings, legacy completions): its rate
 * limits, then its budget, both before anything is sent. Throws 429 `rate_limited`, 429
 * `budget_exceeded` or 503 `store_unavailable`; resolves to the settlement, or undefined when
 * the key has nothing to settle.
 *
 * @param tokens the request's estimated tokens (prompt plus expected completion), for `tpm`.
 */
export async function admitKey(context: RouterContext, caller: Caller, id: string, plan: Plan, tokens: number): Promise<KeySettlement | undefined> {
  const keyId = caller.keyId;
  if (keyId === null) return undefined;
  const settleRate = caller.rates === undefined ? undefined : await (await (rateGuard ??= import('./rate-guard.js'))).takeRate(context, keyId, caller.rates, tokens);
  let settleBudget: ((actual: number) => void) | undefined;
  if (caller.budget !== undefined && !caller.simulated) {
    // A fallback may be dearer than the first choice: the reservation covers the dearest.
    const estimate = plan.ranked.reduce((most, candidate) => Math.max(most, candidate.estCost ?? 0), 0);
    try {
      const { reserveBudget } = await (budgetGuard ??= import('./budget-guard.js'));
      settleBudget = await reserveBudget(context.budgets, keyId, caller.budget, id, estimate);
    } catch (error) {
      // Refused: the request is not sent, so its tokens were not used.
      settleRate?.(0);
      throw error;
    }
  }
  if (settleRate === undefined && settleBudget === undefined) return undefined;
  return (usage) => {
    // What was delivered is what is spent: a stream cut part-way passes the usage it had.
    settleBudget?.(usage && !usage.price_unknown ? usage.cost : 0);
    settleRate?.(usage ? usage.total_tokens || usage.prompt_tokens + usage.completion_tokens : 0);
  };
}
