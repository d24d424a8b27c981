import type { ChatRequest } from '../wire/chat-request.js';
import type { TokenUsage, UpstreamChatCompletion, UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import type { CompletionRequest, UpstreamCompletion } from '../wire/completions.js';
import type { EmbeddingsRequest, UpstreamEmbeddingsResponse } from '../wire/embeddings.js';

/**
 * The provider adapter contract, version 1. A provider is one *deployment*: one endpoint with
 * one set of jurisdiction facts. The same company's EU endpoint and global endpoint are two
 * providers. Adapters are read-only after construction; the router builds its indexes from
 * `id`, `jurisdiction` and `models` once, at `createRouter`.
 *
 * The `do*` methods are called by the router only: it has already checked the policy, picked
 * the deployment and rewritten `model` to the provider's native id.
 */
export interface Provider {
  /** Contract version; bumped on breaking changes. */
  readonly specificationVersion: 'v1';
  /**
   * Stable kebab-case id, unique within a router, used in model strings (`{id}/{model}`), in
   * `route.attempts` and in audit records. Must not collide with a jurisdiction or strategy name.
   */
  readonly id: string;
  /**
   * The id of the built-in preset this deployment was built from, as it would be without the
   * preset's `id` option (`openai`, `mistral-eu`, `bedrock-eu-central-1`); absent for other
   * providers. A policy's `providers.deny` and a request's `route.ignore` that name it exclude
   * the deployment under whatever id it was given, so renaming a deployment never lets it out
   * of a deny list.
   */
  readonly preset?: string | undefined;
  /**
   * Facts about who operates the deployment and where inference runs. `undefined` means
   * unknown: such a provider is eligible only under policies that ask nothing of it.
   */
  readonly jurisdiction: JurisdictionFacts | undefined;
  /** The models this deployment serves, with prices. */
  readonly models: readonly ModelOffer[];
  /**
   * Where requests go, when the deployment has one address (for telemetry's `server.address`).
   * Never holds credentials.
   */
  readonly baseURL?: string | undefined;
  /** The deployment's rate limits, which routing respects. */
  readonly limits?: import('../budgets/deployment-limits.js').DeploymentLimits | undefined;
  /**
   * Why this deployment cannot be called now because its configuration is incomplete (no API
   * key, no Azure resource…), as a sentence naming the setting, e.g.
   * `no API key: set SCW_SECRET_KEY or pass apiKey`; `undefined` when it is ready. Asked at
   * planning (keys read from the environment are read then), so a missing setting excludes the
   * deployment with this reason instead of failing as an outage. Test keys still simulate it.
   */
  missingConfiguration?(): string | undefined;
  /**
   * Runs the request translation of `doChat` / `doChatStream` without sending anything, and
   * throws the `RouterError` those would reject with before sending (a field the upstream's API
   * cannot honour, an image it cannot take): the router calls it for a test key, right before
   * the pseudo-LLM answers, so a test key meets the refusals of the deployment it simulates.
   * Pure: no network, no credentials, no signing, no clock. Absent when the adapter passes
   * requests through unchanged (`openaiCompatible()`), so refuses nothing before sending but a
   * body JSON cannot write, which the router checks itself for a test key.
   */
  checkChat?(request: ChatRequest): void;
  /** One non-streaming chat completion. Rejects with a `RouterError` on any failure. */
  doChat(request: ChatRequest, options: CallOptions): Promise<ChatResult>;
  /**
   * A streaming chat completion. Resolves once the upstream has accepted the request (HTTP
   * headers received); rejects with a `RouterError` if it did not. The returned stream yields
   * chunks as they arrive and throws a `RouterError` if the upstream fails mid-stream.
   */
  doChatStream(request: ChatRequest, options: CallOptions): Promise<ChatStreamResult>;
  /**
   * Embeddings, when the deployment serves any embedding model. Required then: `createRouter`
   * refuses a model offering `embeddings` on a provider without it.
   */
  doEmbed?(request: EmbeddingsRequest, options: CallOptions): Promise<EmbedResult>;
  /**
   * As `checkChat`, for `doEmbed`: throws the `RouterError` it would reject with before sending
   * (an input or option the upstream's models cannot take). Pure; absent when nothing is refused.
   */
  checkEmbed?(request: EmbeddingsRequest): void;
  /**
   * A legacy text completion (`POST /completions`), when the deployment serves a model with the
   * `completions` capability (required then: `createRouter` refuses the offer without it).
   * Non-streaming.
   */
  doComplete?(request: CompletionRequest, options: CallOptions): Promise<CompleteResult>;
}

/** Per-call options the router passes to an adapter. */
export interface CallOptions {
  /** Aborts the upstream call: caller abort, deadline or a dropped stream. */
  signal?: AbortSignal | undefined;
  /** Extra request headers for the upstream. */
  headers?: Record<string, string> | undefined;
}

export interface ChatResult {
  /** The upstream's answer in OpenAI shape. `usage` may be missing. */
  completion: UpstreamChatCompletion;
  /** The upstream's request id (`x-request-id`), when it sent one. */
  requestId?: string | undefined;
}

export interface ChatStreamResult {
  /**
   * Chunks in arrival order. Breaking out of iteration closes the upstream connection. The last
   * `usage` any chunk carries counts; it may be partial (the prompt's counts alone, which
   * Anthropic reports before the answer), and a count it leaves out is estimated if the stream
   * ends before a whole usage arrives.
   */
  chunks: AsyncIterable<UpstreamChatCompletionChunk>;
  requestId?: string | undefined;
}

export interface CompleteResult {
  /** The upstream's `text_completion`. `usage` may be missing. */
  completion: UpstreamCompletion;
  requestId?: string | undefined;
}

export interface EmbedResult {
  response: UpstreamEmbeddingsResponse;
  requestId?: string | undefined;
}

/**
 * Who operates a deployment and where it runs inference. Facts, not labels: the policy derives
 * eligibility (US control, EU hosting…) from them.
 */
export interface JurisdictionFacts {
  operator: {
    /** The legal entity that operates the endpoint, e.g. `Mistral AI SAS`. */
    name: string;
    /** ISO 3166-1 alpha-2 country of the operator, e.g. `FR`. */
    country: string;
    /**
     * The operator's parent chain, nearest first. Any US entity here means US control. `[]`: the
     * operator has no parent company. Absent: the chain is unknown, so policies on operator
     * countries or US control exclude the deployment.
     */
    parents?: { name: string; country: string }[];
  };
  /** ISO alpha-2 countries where inference runs, e.g. `['FR', 'DE']`. Empty means unknown. */
  hosting: string[];
  /** Infrastructure or other sub-processors that may touch request data. */
  subprocessors?: { name: string; country: string }[];
  /** The provider contractually retains no prompts or completions. Absent means unknown. */
  zeroRetention?: boolean;
  /** When these facts were last checked, ISO date. */
  verifiedAt?: string;
  /** Where the facts come from (a URL). */
  source?: string;
}

/** A capability a request may need from a model. */
export type Capability = 'chat' | 'tools' | 'vision' | 'json' | 'embeddings' | 'completions';

/** What one model costs on one deployment: per 1M tokens, in `currency`. */
export interface ModelPrice {
  /** An input (prompt) token. */
  input: number;
  /** An output (completion) token, reasoning included. */
  output: number;
  /**
   * An input token read from the provider's prompt cache (OpenAI's
   * `prompt_tokens_details.cached_tokens`, Anthropic's `cache_read_input_tokens`), usually a
   * tenth to a half of `input`.
   * @default input
   */
  cachedInput?: number;
  /**
   * An input token written to the provider's prompt cache (Anthropic's and Bedrock's
   * `cache_creation_input_tokens`, reported as `prompt_tokens_details.cache_write_tokens`),
   * 1.25× `input` for Claude's five-minute cache.
   * @default input
   */
  cacheWrite?: number;
  currency: 'EUR' | 'USD' | 'CHF';
}

/** One model as one deployment serves it. */
export interface ModelOffer {
  /** Canonical id, the same across providers, e.g. `llama-3.3-70b-instruct`. */
  id: string;
  /** The provider's own id when it differs, e.g. `meta-llama/Llama-3.3-70B-Instruct`. */
  native?: string;
  /**
   * Price per 1M tokens, in the vendor's billing currency (converted through the router's `fx`).
   * Input tokens the upstream reports as read from its prompt cache (`cached_tokens`) cost
   * `cachedInput`, and those it reports as written to it (Anthropic's cache writes) `cacheWrite`;
   * either left out costs `input`.
   * @example { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75, currency: 'USD' }
   */
  price?: ModelPrice;
  /** Context window in tokens. */
  context?: number;
  /** What the model can do. @default ['chat'] */
  capabilities?: Capability[];
  /** 0..1, used by the `quality` and `balanced` strategies. */
  quality?: number;
  /** `false` when this deployment cannot stream the model: it is left out of `stream: true` requests. @default true */
  streaming?: boolean;
  /** ISO date the price was read. */
  priceAsOf?: string;
}

export type { TokenUsage };
