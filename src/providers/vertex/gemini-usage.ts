import type { TokenUsage } from '../../wire/chat-response.js';

/*
 * Gemini's OpenAI-compatible layer (Gemini API and Vertex) counts a thinking model's thought
 * tokens in `total_tokens` only: `completion_tokens` is the visible answer, so prompt plus
 * completion falls short of the total (9 + 3 of 105). Google bills thought tokens as output, and
 * OpenAI's `completion_tokens` includes reasoning tokens, so the shortfall is added to
 * `completion_tokens` (which the cost is priced on) and reported as `reasoning_tokens`.
 */

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Folds the thought tokens a Gemini usage leaves out of `completion_tokens` back in, in place. */
export function countThoughtTokens(usage: TokenUsage | null | undefined): void {
  if (usage === null || usage === undefined) return;
  const { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total } = usage;
  if (!isCount(prompt) || !isCount(completion) || !isCount(total) || total <= prompt + completion) return;
  const thoughts = total - prompt - completion;
  usage.completion_tokens = completion + thoughts;
  const details = usage.completion_tokens_details;
  if (!isCount(details?.reasoning_tokens)) usage.completion_tokens_details = { ...details, reasoning_tokens: thoughts };
}
