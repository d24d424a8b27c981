import type { Candidate } from '../catalog/candidate.js';
import type { TokenUsage, Usage } from '../wire/chat-response.js';
import { roundMoney } from './currency.js';

/**
 * The caller-facing usage of one call: the upstream's token counts (or estimates, marked
 * `estimated: true`, when it reported none) and what they cost at the candidate's price, in
 * the router's currency. An unpriced deployment costs 0 and its route says the price is unknown.
 */
export function priceUsage(
  reported: TokenUsage | null | undefined,
  candidate: Candidate,
  estimate: { promptTokens: number; completionTokens: number },
  currency: string,
): Usage {
  const usage: Usage = reported
    ? { ...reported, cost: 0, currency }
    : {
        prompt_tokens: estimate.promptTokens,
        completion_tokens: estimate.completionTokens,
        total_tokens: estimate.promptTokens + estimate.completionTokens,
        cost: 0,
        currency,
        estimated: true,
      };
  if (candidate.price) {
    usage.cost = roundMoney(
      (usage.prompt_tokens * candidate.price.input + usage.completion_tokens * candidate.price.output) / 1_000_000,
    );
  }
  return usage;
}
