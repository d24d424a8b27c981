/*
 * The parts of an `openai` SDK client that openaiClient() uses, typed structurally: the `OpenAI`
 * class differs between majors 4–7 (and between its CJS and ESM builds), so sovroute names only
 * the members it calls and never imports the SDK. Any object with these members fits, the SDK's
 * `AzureOpenAI` included.
 */

/** The per-request options sovroute passes as the second argument of each `create` call. */
export interface OpenAIClientRequestOptions {
  /** The router's signal: caller abort, deadline, or a dropped stream. */
  signal?: AbortSignal | undefined;
  /** Always `0`: the router owns retries and fallbacks, so the SDK must not retry on its own. */
  maxRetries?: number;
  /** The router's per-call headers, on top of the client's `defaultHeaders`. */
  headers?: Record<string, string>;
}

/**
 * One resource method of the SDK: `create(body, options)`. The SDK returns an `APIPromise`; any
 * promise works. When the result has `withResponse()` (every SDK major), the upstream's request id
 * is read from it.
 */
export interface OpenAICreateMethod {
  // Method syntax on purpose: its parameters are compared bivariantly, so the SDK's overloaded
  // `create(body: ChatCompletionCreateParamsNonStreaming, …)` fits this `object` parameter.
  create(body: object, options?: OpenAIClientRequestOptions): PromiseLike<unknown>;
}

/**
 * An `openai` SDK client instance (majors 4–7), or anything shaped like one. Only
 * `chat.completions.create` is required; `embeddings.create` and `completions.create` are needed
 * when the offered models have the `embeddings` or `completions` capability.
 * @example new OpenAI({ apiKey, baseURL: 'https://my-proxy.example/v1' })
 * @example new AzureOpenAI({ endpoint: 'https://my-resource.openai.azure.com', apiVersion: '2024-10-21', apiKey })
 */
export interface OpenAIClientLike {
  chat: { completions: OpenAICreateMethod };
  embeddings?: OpenAICreateMethod;
  completions?: OpenAICreateMethod;
}

/** What `withResponse()` resolves to: v4.x has `request_id` from 4.5x on, v5+ always. */
export interface WithResponse {
  data: unknown;
  request_id?: string | null;
}

/** The SDK's `Stream`: async-iterable chunks, and the controller that aborts its request. */
export interface SdkStream {
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
  controller?: AbortController;
}
