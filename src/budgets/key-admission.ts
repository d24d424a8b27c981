import { eagerRankCount, estimateCost, type Plan, type RequestNeeds } from '../router/plan.js';
import type { Ranked } from '../strategies/types.js';
import type { Caller, RouterContext } from '../router/router-context.js';
import type { Usage } from '../wire/chat-response.js';
import { loadOnce } from '../internal/load-once.js';
import { amountAbove, roundMoney } from '../pricing/currency.js';

// Loaded on the first call of a key with rate limits or a budget: most routers have neither.
const rateGuard = loadOnce(() => import('./rate-guard.js'));
const budgetGuard = loadOnce(() => import('./budget-guard.js'));

/**
 * What a request holds against its key until it ends: called once with the usage it had (none
 * for a failure), it settles the budget reservation to the actual cost and corrects the
 * tokens-per-minute charge to the actual tokens.
 */
export type KeySettlement = (usage: Usage | undefined) => void;

/**
 * What a key's budget reserved for one request, and what each candidate would cost against it.
 * The reservation covers the dearest of the first eight candidates; a fallback past them
 * that would cost more is skipped (with the reason), so a request that sets `max_tokens` spends
 * more than it reserved only by what its prompt's token estimate fell short.
 */
export interface BudgetCeiling {
  amount: number;
  cost(entry: Ranked): number;
}

/**
 * What a key's budget reserves for a plan: the dearest of the candidates ranked up front, each
 * at what it may cost the key. A call reserves it (`admitKey`); `explain()` shows what it bounds.
 */
export function budgetCeiling(plan: Plan, needs: RequestNeeds | undefined): BudgetCeiling {
  const cost = (entry: Ranked) => reservedCost(entry, needs);
  let amount = 0;
  // Only the first candidates, as a strategy that selects ranks them up front (one that ranks
  // everything, like balanced, would otherwise reserve for the dearest deployment of all):
  // indexes, not the iterator, which would rank the rest.
  const upFront = Math.min(plan.ranked.length, eagerRankCount);
  for (let index = 0; index < upFront; index++) amount = Math.max(amount, cost(plan.ranked[index]!));
  return { amount, cost };
}

/**
 * Why the walk skips `entry` for costing more than the ceiling, or undefined when it fits: one
 * sentence for the call's error and `explain()`. Only past the candidates ranked up front can a
 * cost pass the reservation, which covers those.
 */
export function ceilingSkipReason(ceiling: BudgetCeiling, entry: Ranked): string | undefined {
  const cost = ceiling.cost(entry);
  if (cost <= ceiling.amount) return undefined;
  return `estimated cost ${amountAbove(cost, ceiling.amount)} is more than the key's budget reserved for this request (${ceiling.amount.toPrecision(3)})`;
}

/** Where admission leaves what the request holds: its settlement and its budget ceiling. */
export interface AdmittedRequest {
  readonly id: string;
  settle: KeySettlement | undefined;
  budgetCeiling: BudgetCeiling | undefined;
}

/**
 * Before any routed call of a key (chat, Responses, embeddings, legacy completions): its rate
 * limits, then its budget, both before anything is sent. Throws 429 `rate_limited`, 429
 * `budget_exceeded` or 503 `store_unavailable`; resolves to the settlement, or undefined when
 * the key has nothing to settle.
 *
 * @param tokens the request's estimated tokens (prompt plus expected completion), for `tpm`.
 */
export async function admitKey(context: RouterContext, caller: Caller, record: AdmittedRequest, plan: Plan, tokens: number, needs?: RequestNeeds): Promise<void> {
  record.settle = await admit(context, caller, record, plan, tokens, needs);
}

async function admit(context: RouterContext, caller: Caller, record: AdmittedRequest, plan: Plan, tokens: number, needs: RequestNeeds | undefined): Promise<KeySettlement | undefined> {
  const keyId = caller.keyId;
  const id = record.id;
  if (keyId === null) return undefined;
  const settleRate = caller.rates === undefined ? undefined : await (await rateGuard()).takeRate(context, keyId, caller.rates, tokens);
  let settleBudget: ((actual: number) => void) | undefined;
  if (caller.budget !== undefined && !caller.simulated) {
    // A fallback may be dearer than the first choice: the reservation covers the dearest ranked
    // up front, at max_tokens when the request sets it (then the answer's part is an upper bound).
    const ceiling = budgetCeiling(plan, needs);
    try {
      const { reserveBudget } = await budgetGuard();
      settleBudget = await reserveBudget(context.budgets, keyId, caller.budget, id, ceiling.amount);
    } catch (error) {
      // Refused: the request is not sent, so neither it nor its tokens count against the key's rates.
      settleRate?.(0, true);
      throw error;
    }
    // Only a reservation bounds the walk: a ledger away under `onUnavailable: 'allow'` reserved nothing.
    if (settleBudget !== undefined) record.budgetCeiling = ceiling;
  }
  if (settleRate === undefined && settleBudget === undefined) return undefined;
  return (usage) => {
    // What was delivered is what is spent: a stream cut part-way passes the usage it had.
    settleBudget?.(usage && !usage.price_unknown ? usage.cost : 0);
    settleRate?.(usage ? usage.total_tokens || usage.prompt_tokens + usage.completion_tokens : 0);
  };
}

/**
 * What a candidate may cost the key: with `max_tokens` set, the prompt and every allowed token
 * of every choice at its prices; otherwise its estimate (the expected answer length). Either way
 * each prompt token at the dearest price it may be billed at: a cache write (Claude's costs 1.25×
 * input) settles above an estimate at the input price, past the limit the reservation kept.
 */
function reservedCost(entry: Ranked, needs: RequestNeeds | undefined): number {
  const price = entry.candidate.price;
  if (needs === undefined || price === undefined) return entry.estCost ?? 0;
  const cap = needs.completion?.cap;
  const premium = Math.max(0, price.cacheWrite - price.input, price.cachedInput - price.input);
  const base = cap === undefined ? (entry.estCost ?? 0) : estimateCost(price, needs, cap);
  return premium === 0 ? base : roundMoney(base + (needs.promptTokens * premium) / 1_000_000);
}
