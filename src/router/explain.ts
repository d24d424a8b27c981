import type { ChatCompletionCreateParams } from '../wire/chat-request.js';
import { prepareChat } from './chat-completions.js';
import type { ExplainCandidate } from './plan.js';
import type { RouterContext } from './router-context.js';

/** The routing decision for a request, made without calling anyone (DESIGN §8). */
export interface Explanation {
  requested: string;
  tier: string;
  policy: string;
  objective: string;
  /** Every candidate considered, eligible or not, with the reasons; eligible ones in rank order first. */
  candidates: ExplainCandidate[];
  /** The candidate a call would try first, or null when none is eligible. */
  chosen: { provider: string; model: string } | null;
}

export function explainChat(context: RouterContext, params: ChatCompletionCreateParams, apiKey: string | undefined): Explanation {
  const { plan } = prepareChat(context, params, apiKey);
  const first = plan.ranked[0];
  return {
    requested: plan.requested,
    tier: plan.tier,
    policy: plan.policy,
    objective: plan.objective,
    candidates: plan.candidates, // already in rank order, eligible first
    chosen: first ? { provider: first.candidate.provider.id, model: first.candidate.model } : null,
  };
}
