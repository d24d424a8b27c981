import { budgetCeiling, ceilingSkipReason } from '../budgets/key-admission.js';
import type { ChatCompletionCreateParams } from '../wire/chat-request.js';
import { prepareChat } from './chat-completions.js';
import { policyReasons, type ExplainCandidate, type Plan, type RequestNeeds } from './plan.js';
import type { Caller, RouterContext } from './router-context.js';

/** The routing decision for a request, made without calling anyone (DESIGN §8). */
export interface Explanation {
  requested: string;
  tier: string;
  policy: string;
  objective: string;
  /**
   * Every candidate considered, eligible or not, with the reasons; eligible ones in rank order
   * first. For a request naming a model, every other configured provider follows, excluded with
   * "does not serve …" and what the policy would say of it, so no provider is silently missing.
   */
  candidates: ExplainCandidate[];
  /** The candidate a call would try first, or null when none is eligible. */
  chosen: { provider: string; model: string } | null;
  /**
   * The candidate exploration would measure, why, and whether the exploration budget would let
   * a call do so now (`now`); null when no candidate is worth measuring or the strategy does
   * not rank on latency. `chosen` stays the best estimate.
   */
  exploration: { provider: string; model: string; reason: string; now: boolean } | null;
}

export function explainChat(context: RouterContext, params: ChatCompletionCreateParams, apiKey: string | undefined): Explanation {
  const { spec, plan, caller, needs } = prepareChat(context, params, apiKey);
  markBudgetSkips(plan, caller, needs);
  const first = plan.ranked[0];
  return {
    requested: plan.requested,
    tier: plan.tier,
    policy: plan.policy,
    objective: plan.objective,
    // Already in rank order, eligible first.
    candidates: spec.tier === 'pinned' || spec.tier === '2' || spec.tier === '2+' ? [...plan.candidates, ...notServing(context, plan, spec.model)] : plan.candidates,
    chosen: first ? { provider: first.candidate.provider.id, model: first.candidate.model } : null,
    exploration: plan.exploration
      ? {
          provider: plan.exploration.candidate.provider.id,
          model: plan.exploration.candidate.model,
          reason: plan.exploration.reason,
          // A call earns its share before it asks the budget: so does the answer for it.
          now: context.exploration.availableNext(plan.exploration.unmeasured),
        }
      : null,
  };
}

/**
 * A key with a budget reserves, before a call, the dearest of the candidates ranked up front; the
 * call's walk then skips any fallback that would cost more (see `budgetCeiling`). explain() ranks
 * every candidate, so it marks each one the walk would skip, whatever its rank, with the call's
 * reason. They stay eligible, as a call would weigh them; only the reservation keeps them out.
 * Test keys reserve nothing.
 */
function markBudgetSkips(plan: Plan, caller: Caller, needs: RequestNeeds): void {
  if (caller.budget === undefined || caller.simulated) return;
  const ceiling = budgetCeiling(plan, needs);
  // plan.candidates lists the ranked ones first, in the order of plan.ranked.
  plan.ranked.forEach((entry, index) => {
    const reason = ceilingSkipReason(ceiling, entry);
    const shown = plan.candidates[index];
    if (reason !== undefined && shown !== undefined && shown.provider === entry.candidate.provider.id && shown.model === entry.candidate.model) {
      shown.reasons.push(`not tried: ${reason}`);
    }
  });
}

/**
 * The configured providers that have no deployment of the requested model. Only explain() lists
 * them (a call never considers them, and audit records keep the candidates a call weighed): a
 * user asking "why not OpenAI?" gets the answer instead of an absence.
 */
function notServing(context: RouterContext, plan: Plan, requested: string): ExplainCandidate[] {
  const model = plan.candidates[0]?.model ?? requested;
  const serving = new Set(plan.candidates.map((candidate) => candidate.provider));
  const entries: ExplainCandidate[] = [];
  for (const candidate of context.index.all) {
    const provider = candidate.provider.id;
    if (serving.has(provider)) continue;
    serving.add(provider);
    entries.push({ provider, model, eligible: false, reasons: [`${provider} does not serve ${model}`, ...policyReasons(context, plan.policies, provider)] });
  }
  return entries;
}
