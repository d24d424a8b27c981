import { anthropicMessagesProvider } from '../../providers/anthropic/messages-provider.js';
import type { JurisdictionFacts, ModelOffer, Provider } from '../../providers/types.js';
import { claudeCache, fromPreset, resolvePreset, usd, withConfigurationCheck, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Anthropic PBC', country: 'US', parents: [] },
  // The first-party API runs inference globally by default (US-only on request, with
  // `inference_geo`, which this adapter does not send); it offers no EU inference region. Where
  // a request may run is therefore unknown: every policy that asks about hosting refuses it.
  hosting: [],
  verifiedAt: '2026-11-22',
  source: 'https://platform.claude.com/docs/en/manage-claude/data-residency',
};

// Standard list prices (https://platform.claude.com/docs/en/about-claude/pricing), with cache
// reads at a tenth of input and five-minute cache writes at 1.25× input.
const models: readonly ModelOffer[] = [
  // Claude Opus 5.5: price from a secondary source (a release note), effective 2026-09-22.
  // Its cache-read price (0.20) is the release note's, not a tenth of input.
  { id: 'claude-opus-5-5', price: usd(4, 20, { cachedInput: 0.2, cacheWrite: 5 }), context: 1_000_000, priceAsOf: '2026-09-22' },
  { id: 'claude-opus-5', price: usd(5, 25, claudeCache(5)), context: 1_000_000, priceAsOf: '2026-08-21' },
  { id: 'claude-fable-5', price: usd(10, 50, claudeCache(10)), context: 1_000_000, priceAsOf: '2026-08-21' },
  { id: 'claude-sonnet-5', price: usd(3, 15, claudeCache(3)), context: 1_000_000, priceAsOf: '2026-09-01' },
  { id: 'claude-opus-4-8', price: usd(5, 25, claudeCache(5)), context: 1_000_000, priceAsOf: '2026-08-21' },
  { id: 'claude-sonnet-4-6', price: usd(3, 15, claudeCache(3)), context: 1_000_000, priceAsOf: '2026-08-21' },
  { id: 'claude-haiku-4-5', price: usd(1, 5, claudeCache(1)), context: 200_000, priceAsOf: '2026-08-21' },
];

/** What `anthropic()` takes: the options of every preset (but `transport`: it calls fetch), and Anthropic's required `max_tokens`. */
export interface AnthropicOptions extends Omit<PresetOptions, 'transport'> {
  /**
   * API root; `/v1/messages` is appended (a root ending in `/v1` works too).
   * @default 'https://api.anthropic.com'
   */
  baseURL?: string | undefined;
  /**
   * `max_tokens` for requests that set neither `max_completion_tokens` nor `max_tokens`: the
   * Messages API requires one, OpenAI's does not. A reply that reaches it ends with
   * `finish_reason: 'length'`; set the request's own limit for longer replies. When it does not
   * fit beside the prompt in the model's context window, the request is asked again with what
   * the window leaves.
   * @default 4096
   * @unit tokens
   */
  defaultMaxTokens?: number | undefined;
}

/**
 * Anthropic's Messages API, id `anthropic`: a US operator, inference in the US. Eligible under
 * `global` only. Key: `ANTHROPIC_API_KEY`, sent as `x-api-key` with `anthropic-version:
 * 2023-06-01`. USD prices.
 *
 * OpenAI-shaped chat requests are translated (messages, system and developer prompts, images
 * and PDFs, tools and tool calls, tool_choice, parallel_tool_calls, stop, temperature 0–1,
 * response_format JSON through a forced tool) and answers come back as OpenAI completions and
 * chunks with usage. Parameters Anthropic cannot honour (`n` > 1, `logprobs`, `logit_bias`,
 * audio, `temperature` > 1, `reasoning_effort`…) fail with `invalid_request` naming the field.
 * Chat only: no embeddings, no legacy completions.
 *
 * @example
 * const router = createRouter({ providers: [anthropic(), mistral()], policy: 'global' });
 * await router.chat.completions.create({ model: 'anthropic/claude-sonnet-5', messages });
 */
export function anthropic(options: AnthropicOptions = {}): Provider {
  const { defaultMaxTokens, ...preset } = options;
  const { missingConfiguration, transport: _transport, ...resolved } = resolvePreset(
    { factory: 'anthropic', id: 'anthropic', baseURL: 'https://api.anthropic.com', envVar: 'ANTHROPIC_API_KEY', apiKeyHeader: 'x-api-key', jurisdiction: facts, models },
    preset,
  );
  return fromPreset(withConfigurationCheck(anthropicMessagesProvider({ ...resolved, defaultMaxTokens: defaultMaxTokens ?? 4096 }), missingConfiguration), 'anthropic');
}
