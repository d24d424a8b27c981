import type { Attempt } from '../errors.js';

/*
 * OpenAI response shapes (`chat.completion`, `chat.completion.chunk`) and sovroute's additions:
 * `provider`, `route` and the cost fields of `usage`. Wire names keep OpenAI's snake_case.
 */

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A URL the answer cites (search-enabled models). */
export interface UrlCitation {
  type: 'url_citation';
  url_citation: { url: string; title: string; start_index: number; end_index: number };
}

/**
 * The answer's message. It can go back into the conversation as is: it is a
 * `ChatCompletionMessageParam`, of sovroute's and of the openai SDK's.
 */
export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  /**
   * The calls the model asks for, typed as function calls as every openai SDK major types them.
   * With OpenAI's `custom` tools a call may instead have `type: 'custom'` and `custom`: check `type`.
   */
  tool_calls?: ToolCall[];
  annotations?: UrlCitation[];
  /** @deprecated the legacy single function call, from upstreams that still send it. */
  function_call?: { name: string; arguments: string } | null;
  /** Fields an upstream adds (e.g. `reasoning_content`) pass through. */
  [extra: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/** The log probability of one token, and of the likeliest alternatives when `top_logprobs` was asked. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  /** The token's UTF-8 bytes; null when it has no byte form. */
  bytes: number[] | null;
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] | null }>;
}

/** Per-token log probabilities of a choice, present when the request set `logprobs: true`. */
export interface ChoiceLogprobs {
  content: TokenLogprob[] | null;
  refusal: TokenLogprob[] | null;
}

export interface ChatCompletionChoice {
  index: number;
  message: ChatCompletionMessage;
  finish_reason: FinishReason;
  logprobs: ChoiceLogprobs | null;
}

/** Token counts as an upstream reports them. */
export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [extra: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [extra: string]: unknown };
}

/** Token counts plus what the call cost, in the router's currency. */
export interface Usage extends TokenUsage {
  /** What this call cost, in `currency`; 0 for a free deployment, and 0 with `price_unknown` when no price is known. */
  cost: number;
  currency: string;
  /** Present when the upstream reported no usage and the tokens were estimated. */
  estimated?: true;
  /** Present when the deployment has no known price: `cost` is then 0 but not known to be free. */
  price_unknown?: true;
}

/** How the router reached this answer. */
export interface Route {
  /** The `model` string as the caller sent it. */
  requested: string;
  /** Which form of model string it was: `1`, `2`, `2+`, `3`, `auto` or `pinned`. */
  tier: string;
  /** The effective jurisdiction policy (router ∩ key ∩ model string). */
  policy: string;
  /** The strategy that ranked the candidates. */
  objective: string;
  fallback_used: boolean;
  /** With a `test-` key: the deployment a real key would have used. */
  simulated_for?: { provider: string; model: string };
  attempts: Attempt[];
  /** The audit record id of this request. */
  audit_id?: string;
  /** Estimated cost before the call, in the router's currency. */
  estimated_cost?: number;
  /** Router time spent outside the upstream call. @unit milliseconds */
  overhead_ms?: number;
  /**
   * Present when the request was an exploration: its first candidate was chosen to measure it
   * (its latency estimate was uncertain or stale), not as the best estimate.
   */
  explored?: true;
  /** `route.max_cost` as requested, present when the actual cost went over it. */
  max_cost?: number;
  /** The actual cost (`usage.cost`) exceeded `route.max_cost`: reported, the answer is still returned. */
  max_cost_exceeded?: true;
  [extra: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage: Usage;
  /** As the openai SDK types it; some upstreams send null. */
  system_fingerprint?: string;
  /** The provider id that answered. */
  provider: string;
  route: Route;
  [extra: string]: unknown;
}

export interface ChunkToolCallDelta {
  index: number;
  id?: string;
  /**
   * Typed `'function'` as every openai SDK major types it (so a chunk stays assignable to theirs);
   * a call of one of OpenAI's custom tools has `'custom'` here and carries `custom` instead of
   * `function`: check `type`.
   */
  type?: 'function';
  function?: { name?: string; arguments?: string };
  custom?: { name?: string; input?: string };
}

export interface ChatCompletionChunkChoice {
  index: number;
  delta: {
    role?: 'assistant';
    content?: string | null;
    refusal?: string | null;
    tool_calls?: ChunkToolCallDelta[];
    [extra: string]: unknown;
  };
  finish_reason: FinishReason | null;
  logprobs?: ChoiceLogprobs | null;
}

/** A stream chunk as an upstream sends it. */
export interface UpstreamChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChatCompletionChunkChoice[];
  usage?: TokenUsage | null;
  system_fingerprint?: string | null;
  [extra: string]: unknown;
}

/**
 * A stream chunk as the caller receives it. The last chunk has no choices: it carries `usage`
 * with cost, `provider` and `route`, whether or not `stream_options.include_usage` was set.
 */
export interface ChatCompletionChunk extends UpstreamChatCompletionChunk {
  /** Absent on content chunks, or `null` with `stream_options.include_usage`; on the last chunk, the totals with cost. */
  usage?: Usage | null;
  /** As the openai SDK types it; some upstreams send null. */
  system_fingerprint?: string;
  /** On the final chunk only. */
  provider?: string;
  /** On the final chunk only. */
  route?: Route;
}

/** What an upstream returns before the router adds `provider`, `route` and cost. */
export interface UpstreamChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: TokenUsage | null;
  [extra: string]: unknown;
}
