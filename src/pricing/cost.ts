import type { Candidate, CandidatePrice } from '../catalog/candidate.js';
import type { TokenUsage, Usage } from '../wire/chat-response.js';
import { roundMoney } from './currency.js';

/**
 * The caller-facing usage of one call: the upstream's token counts (or estimates, marked
 * `estimated: true`, when it reported none) and what they cost at the candidate's price, in
 * the router's currency. A deployment with no known price reports `cost: 0` marked
 * `price_unknown: true` (never a silent zero), and its audit record holds `cost: null`.
 */
export function priceUsage(
  reported: TokenUsage | null | undefined,
  candidate: Candidate,
  estimate: { promptTokens: number; completionTokens: number },
  currency: string,
): Usage {
  const complete = reported && isCount(reported.prompt_tokens) && isCount(reported.completion_tokens);
  const counts = complete ? undefined : fillCounts(reported, estimate);
  const prompt = counts ? counts.prompt_tokens : reported!.prompt_tokens;
  const completion = counts ? counts.completion_tokens : reported!.completion_tokens;
  const cost = candidate.price ? roundMoney(tokensCost(candidate.price, prompt, completion, reported?.prompt_tokens_details)) : 0;
  // Copied with Object.assign, not a spread: adding keys after a spread is V8's slow path (~3 µs).
  // Both counts reported but not their total (some upstreams leave it out): the sum, not an estimate.
  const usage: Usage = counts
    ? Object.assign({}, reported, counts, { cost, currency, estimated: true as const })
    : isCount(reported!.total_tokens)
      ? Object.assign({}, reported, { cost, currency })
      : Object.assign({}, reported, { total_tokens: prompt + completion, cost, currency });
  if (!candidate.price) usage.price_unknown = true;
  const details = reported?.prompt_tokens_details;
  if (details) capCacheCounts(usage, prompt, details);
  return usage;
}

/**
 * The cache counts the caller sees as they were priced and recorded: an upstream that reports
 * more tokens read from (or written to) its cache than the prompt holds is capped at the prompt.
 */
function capCacheCounts(usage: Usage, prompt: number, details: NonNullable<TokenUsage['prompt_tokens_details']>): void {
  const cached = cachedTokens(prompt, details);
  const written = cacheWriteTokens(prompt, details);
  const overCached = isCount(details.cached_tokens) && details.cached_tokens !== cached;
  const overWritten = isCount(details.cache_write_tokens) && details.cache_write_tokens !== written;
  if (!overCached && !overWritten) return;
  usage.prompt_tokens_details = Object.assign({}, details, overCached ? { cached_tokens: cached } : {}, overWritten ? { cache_write_tokens: written } : {});
}

/**
 * What the tokens cost: the prompt tokens the upstream says were read from its prompt cache
 * (`cached_tokens`) or written to it (`cache_write_tokens`, Anthropic's cache writes) at their
 * own prices, the rest of the prompt at the input price. Both are part of `prompt_tokens`, as
 * in OpenAI's usage, so neither is counted twice.
 */
function tokensCost(price: CandidatePrice, prompt: number, completion: number, details: TokenUsage['prompt_tokens_details']): number {
  const cached = cachedTokens(prompt, details);
  const written = cacheWriteTokens(prompt, details);
  return ((prompt - cached - written) * price.input + cached * price.cachedInput + written * price.cacheWrite + completion * price.output) / 1_000_000;
}

/**
 * The prompt tokens priced as read from the prompt cache: the upstream's count, at most the prompt.
 * Numbers, not an object: every priced call asks.
 */
export function cachedTokens(prompt: number, details: TokenUsage['prompt_tokens_details']): number {
  return details && isCount(details.cached_tokens) ? Math.min(details.cached_tokens, prompt) : 0;
}

/** The prompt tokens priced as written to the prompt cache: at most what the cache reads leave of the prompt. */
export function cacheWriteTokens(prompt: number, details: TokenUsage['prompt_tokens_details']): number {
  return details && isCount(details.cache_write_tokens) ? Math.min(details.cache_write_tokens, prompt - cachedTokens(prompt, details)) : 0;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Token counts when the upstream reported none or only some (e.g. `prompt_tokens` and
 * `total_tokens`): what it did report is kept, a missing count is derived from the total when
 * it can be, and estimated otherwise. The result is marked `estimated`.
 */
function fillCounts(
  reported: TokenUsage | null | undefined,
  estimate: { promptTokens: number; completionTokens: number },
): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const total = isCount(reported?.total_tokens) ? reported.total_tokens : undefined;
  let prompt = isCount(reported?.prompt_tokens) ? reported.prompt_tokens : undefined;
  let completion = isCount(reported?.completion_tokens) ? reported.completion_tokens : undefined;
  if (total !== undefined && prompt !== undefined && completion === undefined) completion = Math.max(0, total - prompt);
  if (total !== undefined && completion !== undefined && prompt === undefined) prompt = Math.max(0, total - completion);
  prompt ??= estimate.promptTokens;
  completion ??= estimate.completionTokens;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
