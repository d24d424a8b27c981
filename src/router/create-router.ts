import { InvalidRequestError } from '../errors.js';
import type { KeyUsage } from '../budgets/budget-guard.js';
import type { DeploymentHealth } from '../health/health-tracker.js';
import type { ChatCompletionStream } from '../streaming/chat-completion-stream.js';
import type {
  ChatCompletionCreateParamsBase,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from '../wire/chat-params.js';
import type { ChatCompletion } from '../wire/chat-response.js';
import type { Completion, CompletionCreateParams } from '../wire/completions.js';
import type {
  EmbeddingCreateParams,
  EmbeddingCreateParamsBase64,
  EmbeddingCreateParamsFloat,
  EmbeddingsResponse,
} from '../wire/embeddings.js';
import { lazyResponses } from '../responses/lazy-responses.js';
import type { ResponseStream } from '../responses/response-stream.js';
import type { ResponseCreateParams, ResponseObject } from '../responses/wire.js';
import { createChatCompletion, type RequestOptions } from './chat-completions.js';
import { explainChat, type Explanation } from './explain.js';
import type { FetchFunction } from './fetch-handler.js';
import { createCompletion, createEmbeddings, lazyFetchHandler, responsesFor } from './lazy-endpoints.js';
import { listModels, modelListPromise, type ModelListPromise } from './models-list.js';
import { resolveRouterOptions, type RouterOptions } from './options.js';
import { createRouterContext } from './router-context.js';
import { createRouterInternals, routerInternals } from './router-internals.js';

export interface ChatCompletions {
  /**
   * Creates a chat completion, routed under the policy. With `stream: true` it resolves, once
   * the first chunk of substance is in (content, a tool call, a finish reason: an opening chunk
   * with the role alone is held until then, and a failure before it falls back), to a stream
   * whose last chunk carries usage with cost, `provider` and `route`. Rejects with a `RouterError`. Takes the openai SDK's request values as they
   * are, and answers values its types accept.
   */
  create(params: ChatCompletionCreateParamsNonStreaming, options?: RequestOptions): Promise<ChatCompletion>;
  create(params: ChatCompletionCreateParamsStreaming, options?: RequestOptions): Promise<ChatCompletionStream>;
  create(params: ChatCompletionCreateParamsBase, options?: RequestOptions): Promise<ChatCompletion | ChatCompletionStream>;
}

export interface Embeddings {
  /**
   * Creates embeddings, routed under the policy to deployments with the `embeddings`
   * capability. Vectors are `number[]`, or base64 strings with `encoding_format: 'base64'`,
   * whatever the upstream sent. Rejects with a `RouterError`.
   */
  create(params: EmbeddingCreateParamsFloat, options?: RequestOptions): Promise<EmbeddingsResponse<number[]>>;
  create(params: EmbeddingCreateParamsBase64, options?: RequestOptions): Promise<EmbeddingsResponse<string>>;
  create(params: EmbeddingCreateParams, options?: RequestOptions): Promise<EmbeddingsResponse>;
}

export interface Responses {
  /**
   * Creates a response (the OpenAI Responses API), routed, priced and audited like a chat
   * completion. With `stream: true` it resolves, once the first chunk of substance is in (as a
   * chat stream does), to a stream of typed events ending with `response.completed` (usage with
   * cost, `provider`, `route`). Rejects with a `RouterError`.
   */
  create(params: ResponseCreateParams & { stream?: false | null }, options?: RequestOptions): Promise<ResponseObject>;
  create(params: ResponseCreateParams & { stream: true }, options?: RequestOptions): Promise<ResponseStream>;
  create(params: ResponseCreateParams, options?: RequestOptions): Promise<ResponseObject | ResponseStream>;
}

/** An OpenAI-shaped client that routes every call in-process. */
export interface Router {
  readonly chat: { readonly completions: ChatCompletions };
  /**
   * Legacy text completions (`prompt` in, `text` out), routed under the same policy to models
   * with the `completions` capability. Non-streaming.
   */
  readonly completions: { create(params: CompletionCreateParams, options?: RequestOptions): Promise<Completion> };
  readonly embeddings: Embeddings;
  /** The Responses API, translated to chat for every provider; see docs/responses.md. */
  readonly responses: Responses;
  /** The models reachable under the policy; await it for the list or `for await` over it. */
  readonly models: { list(options?: Pick<RequestOptions, 'apiKey'>): ModelListPromise };
  /** The routing decision for a chat request: every candidate with its reasons, the ranking and the choice. Calls nobody. */
  explain(params: ChatCompletionCreateParamsBase, options?: Pick<RequestOptions, 'apiKey'>): Explanation;
  /**
   * Live health per provider+model that has been called: circuit state, measured time to first
   * token, error rate, last error. Deployments never called are not listed.
   */
  health(): DeploymentHealth[];
  /**
   * What a key with a budget has spent, holds in flight and has left in the current period,
   * by its label (or the key itself). Reads the shared store when there is one.
   */
  usage(keyIdOrLabel: string): Promise<KeyUsage>;
  /** A fetch serving the OpenAI REST surface, for `new OpenAI({ fetch: router.fetch })`. */
  readonly fetch: FetchFunction;
  /**
   * Waits until every audit record of the requests ended so far is stored by every sink,
   * retrying failed writes at once. Rejects with an `AuditError` after `audit.drainTimeoutMs`;
   * the records stay queued.
   */
  flush(): Promise<void>;
  /**
   * Refuses new requests (rejected with 503 `audit_failed`: the trail could not record them)
   * and waits for the requests under way to end, each with its record, for at most
   * `audit.drainTimeoutMs`; then flushes (within `audit.drainTimeoutMs`) and closes the audit
   * sinks. Records still not stored go to `audit.onError`, and the returned promise rejects with
   * what went wrong.
   * `router.responses` keeps no more responses from the moment it is called (a response
   * completing afterwards says `store: false`); responses being stored when it is called are
   * stored before it resolves, or, when their store write has not ended within
   * `audit.drainTimeoutMs`, say `store: false`.
   */
  close(): Promise<void>;
}

/**
 * Creates a router. Options are validated once, here; a bad option throws a `RouterError` with
 * code `invalid_request` naming it.
 *
 * @example
 * const router = createRouter({ providers: [mistralEU({ apiKey })], policy: 'eu-sovereign' });
 * const res = await router.chat.completions.create({ model: 'eu-sovereign/cheapest', messages });
 */
export function createRouter(options: RouterOptions): Router {
  const context = createRouterContext(resolveRouterOptions(options));
  const responses = lazyResponses(context, options.responses);
  const completions = {
    create: (params: ChatCompletionCreateParamsBase, requestOptions?: RequestOptions) =>
      createChatCompletion(context, params, requestOptions),
  } as ChatCompletions;
  const embeddings = {
    create: (params: EmbeddingCreateParams, requestOptions?: RequestOptions) => createEmbeddings(context, params, requestOptions),
  } as Embeddings;
  const router: Router = {
    chat: { completions },
    completions: { create: (params, requestOptions) => createCompletion(context, params, requestOptions) },
    embeddings,
    responses: {
      create: async (params: ResponseCreateParams, requestOptions?: RequestOptions) => (await responsesFor(context, responses.load, requestOptions?.apiKey)).create(params, requestOptions),
    } as Responses,
    models: { list: (listOptions) => modelListPromise(() => listModels(context, listOptions?.apiKey)) },
    explain: (params, explainOptions) => explainChat(context, params, explainOptions?.apiKey),
    health: () => context.health.snapshot(),
    async usage(keyIdOrLabel) {
      const caller = context.configuredKey(keyIdOrLabel);
      // Named by its label or hash, never by what was passed: that may be the key itself.
      if (caller === undefined || caller.keyId === null) {
        throw new InvalidRequestError('router.usage: no configured key has this label, or is this key (keys.<key>.label)', 'keyIdOrLabel');
      }
      if (caller.budget === undefined) {
        throw new InvalidRequestError(`router.usage: key "${caller.keyId}" has no budget (keys.<key>.budget)`, 'keyIdOrLabel');
      }
      const { readUsage } = await import('../budgets/budget-guard.js');
      return readUsage(context.budgets, caller.keyId, caller.budget);
    },
    fetch: lazyFetchHandler(context, responses.load),
    flush: () => context.audit.flush(),
    async close() {
      // Requests already under way end first, each with its record; new ones are refused from now.
      await context.requests.close(context.options.audit.drainTimeoutMs);
      // Side by side: responses being stored are waited for while the audit records drain.
      const [, audit] = await Promise.allSettled([responses.close(), context.audit.close()]);
      // Listeners let go of what they registered outside the router (telemetry's gauges on the meter).
      if (context.observerReady) await context.observerReady;
      try {
        context.observer?.close?.();
      } catch {
        // A listener that cannot let go (a meter already shut down) keeps nothing the router needs.
      }
      if (audit.status === 'rejected') throw audit.reason;
    },
  };
  // For serve(): not enumerable and not in the type, so it is no part of the public surface.
  Object.defineProperty(router, routerInternals, { value: createRouterInternals(context) });
  return router;
}
