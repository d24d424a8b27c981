import type { DeploymentLimits } from '../budgets/deployment-limits.js';
import * as s from '../internal/shape/index.js';
import { paramPath } from '../internal/param-path.js';
import { InvalidRequestError, RouterError } from '../errors.js';
import { jurisdictionShape } from '../policy/facts-shape.js';
import { deploymentLimitsShape } from './deployment-limits-shape.js';
import { describeOptionIssue, modelOffersShape } from './model-offer-shape.js';
import { ChunkCompletion } from '../streaming/chunk-completion.js';
import { parseJsonEventStream, preloadEventStreamParser } from '../streaming/parse-sse.js';
import { createUpstreamTransport } from '../transport/upstream-transport.js';
import type { TransportName, UpstreamResponse } from '../transport/types.js';
import type { ChatRequest } from '../wire/chat-request.js';
import type { UpstreamChatCompletion, UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import type { CompletionRequest, UpstreamCompletion } from '../wire/completions.js';
import type { EmbeddingsRequest, UpstreamEmbeddingsResponse } from '../wire/embeddings.js';
import type {
  CallOptions,
  ChatResult,
  ChatStreamResult,
  CompleteResult,
  EmbedResult,
  JurisdictionFacts,
  ModelOffer,
  Provider,
} from './types.js';
import {
  errorFromFetchFailure,
  errorFromResponse,
  errorFromOkBody,
  errorInsteadOfStream,
  isErrorEvent,
  malformedResponse,
  raisedBeforeSending,
  requestIdOf,
  serializeRequest,
} from './upstream-error.js';
import { defaultMaxResponseBytes, readJsonBody } from './read-json-body.js';
import { isChatCompletion, isEmbeddingsList, isTextCompletion } from './answer-shape.js';
import { createRedactor, credentialsInURL, headerSecrets } from './redact.js';
import type { OpenAICompatibleDialect } from './dialect.js';
import { loadOnce, notLoaded } from '../internal/load-once.js';

// Loaded on the first request of a deployment with a dialect: most have none.
const dialectModule = loadOnce(() => import('./dialect.js'));

/** What `openaiCompatible()` takes: one deployment of an OpenAI-compatible API. */
export type { OpenAICompatibleDialect } from './dialect.js';

export interface OpenAICompatibleOptions {
  /**
   * The deployment's own rate limits (your quota with the vendor): at most `rpm` attempts (and
   * `tpm` estimated tokens) in any sliding minute, across the fleet with a shared store. Each
   * attempt reserves its slot; at a limit the deployment is ranked out (the reason is in
   * `explain()`) and the excess goes to the next eligible deployment. See docs/fleet.md.
   */
  limits?: DeploymentLimits | undefined;
  /**
   * Stable kebab-case id, unique within a router. It appears in model strings
   * (`mistral-ai/mistral-large-latest`), in `route.attempts`, in audit records and in every
   * error this provider raises.
   * @example 'mistral-ai'
   */
  id: string;
  /**
   * The API root that `/chat/completions` and `/embeddings` hang off. A trailing slash is
   * ignored. It must not carry credentials (`https://user:secret@host/v1` is refused): pass them
   * as `apiKey` or in `headers`, which are kept out of every error message.
   * @example 'https://api.mistral.ai/v1'
   * @example 'http://127.0.0.1:8000/v1' // a local vLLM
   */
  baseURL: string;
  /**
   * Sent as `Authorization: Bearer <apiKey>` (or in `apiKeyHeader`). Omit it for endpoints
   * without authentication. A function is called on every request, so a rotated key or one
   * read from the environment is always current; returning undefined sends no key, throwing
   * fails the call with that error. A wrong key surfaces as a non-retryable `upstream_error`
   * naming this provider. The key is redacted (`[redacted]`) from everything the upstream says
   * back: error messages, `route.attempts`, audit records and `router.health()` never quote it.
   * @default undefined (no Authorization header)
   * @example process.env.MISTRAL_API_KEY
   * @example () => process.env.MISTRAL_API_KEY
   */
  apiKey?: string | (() => string | undefined) | undefined;
  /**
   * The header the key goes in. `authorization` sends `Bearer <apiKey>`; any other name sends
   * the raw key, as Azure OpenAI's `api-key` expects.
   * @default 'authorization'
   */
  apiKeyHeader?: string | undefined;
  /**
   * The endpoint cannot be called without a key. When no key resolves (no `apiKey`, or its
   * function returns undefined, and no credential header in `headers`), the deployment reports
   * it through `missingConfiguration()`: routing leaves it out with that reason, shown by
   * `explain()`, instead of calling it and failing. Off by default, because many endpoints
   * (a local vLLM, Ollama) need no key.
   * @default false
   */
  requireApiKey?: boolean | undefined;
  /**
   * Largest non-streamed answer read from the upstream. A longer body is abandoned as it arrives
   * (never buffered whole) and the attempt fails as an upstream error, which retries and falls
   * back. Streams are bounded per event instead: 16 MiB of text an event (docs/failures.md).
   * @default 67108864 (64 MiB)
   * @unit bytes
   */
  maxResponseBytes?: number | undefined;
  /**
   * Who operates the deployment and where inference runs. Without it the provider is eligible
   * only under policies that ask nothing of it.
   * @default undefined (unknown)
   * @example { operator: { name: 'Mistral AI SAS', country: 'FR', parents: [] }, hosting: ['FR', 'SE'] }
   */
  jurisdiction?: JurisdictionFacts | undefined;
  /**
   * The models this deployment serves, with prices. `native` is the id sent upstream when it
   * differs from the canonical `id`.
   * @example [{ id: 'mistral-large-latest', price: { input: 2, output: 6, currency: 'EUR' }, capabilities: ['chat', 'tools'] }]
   */
  models: ModelOffer[];
  /**
   * Extra headers on every upstream request, e.g. an organisation id or an API-gateway key.
   * They override the defaults (including `Authorization`); per-call headers override them.
   * Names are case-insensitive.
   * @default {}
   * @example { 'OpenAI-Organization': 'org-123' }
   */
  headers?: Record<string, string> | undefined;
  /**
   * The fetch to call instead of the global one: a proxy agent, logging, a test double. Given,
   * it is always used, whatever `transport` says.
   * @default globalThis.fetch, read at each call (so msw and fetch wrappers installed after
   * construction are used)
   */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * How requests reach the upstream when no `fetch` is given:
   *
   * - `'native'`: through node:http/node:https with a keep-alive connection pool per origin,
   *   which costs less per call than fetch (see docs/performance.md). Used only while
   *   `globalThis.fetch` is Node's own: once msw, a fetch wrapper or instrumentation replaces it,
   *   calls go through that fetch instead. Where node:http cannot be loaded (edge runtimes, Node
   *   before 20.16), calls go through fetch.
   * - `'fetch'`: always through `globalThis.fetch`, read at each call.
   *
   * Errors, retries, limits and aborts behave the same on both.
   * @default 'native'
   */
  transport?: TransportName | undefined;
  /**
   * Where this upstream's chat completions wire differs from OpenAI's: requests are rewritten
   * to match before they are sent. The presets set it for the upstreams that need it.
   * @default {} (requests go as given)
   * @example { maxTokens: 'max_tokens', streamOptions: false } // Mistral AI
   */
  dialect?: OpenAICompatibleDialect | undefined;
}

/** Provider ids: `mistral-ai`, `azure-openai-swe`. */
export const kebabCase = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const optionsShape = s.object({
  id: s.string(s.regex(kebabCase, 'must be kebab-case, e.g. mistral-ai')),
  baseURL: s.string(s.refine(isHttpURL, 'must be a URL (http or https), e.g. https://api.mistral.ai/v1'), (value: string, issues: s.Issue[]) => {
    const problem = credentialsInURL(value);
    // The value itself is never kept in the issue: it holds the credential.
    if (problem !== undefined) issues.push({ code: 'custom', message: problem, path: [], continue: true });
  }),
  apiKey: s.optional(
    s.union([
      s.string(s.minLength(1, 'must not be empty (omit it for endpoints without authentication)')),
      s.custom((value) => typeof value === 'function', 'must be a string or a function'),
    ]),
  ),
  apiKeyHeader: s.optional(s.string(s.regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name, e.g. api-key'))),
  requireApiKey: s.optional(s.boolean()),
  maxResponseBytes: s.optional(s.number(s.int('must be a whole number of bytes'), s.positive('must be a positive number of bytes'))),
  limits: deploymentLimitsShape,
  jurisdiction: s.optional(jurisdictionShape),
  models: modelOffersShape,
  headers: s.optional(s.record(s.string(), s.string())),
  fetch: s.optional(s.custom((value) => typeof value === 'function', 'must be a function')),
  transport: s.optional(s.oneOf(['fetch', 'native'], "must be 'fetch' or 'native'")),
  dialect: s.optional(
    s.object({
      maxTokens: s.optional(s.oneOf(['max_tokens', 'max_completion_tokens'], "must be 'max_tokens' or 'max_completion_tokens'")),
      streamOptions: s.optional(s.boolean()),
      renames: s.optional(s.record(s.string(), s.string(s.minLength(1, 'must name a field')))),
      toolCallIds: s.optional(s.oneOf(['alphanumeric-9'], "must be 'alphanumeric-9'")),
    }),
  ),
});

function isHttpURL(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * A provider for any OpenAI-compatible API (`POST /chat/completions`, `POST /embeddings`,
 * `POST /completions`):
 * Mistral, Scaleway, OVHcloud, IONOS, STACKIT, vLLM, Ollama, OpenAI itself. The presets build on
 * it.
 *
 * The request goes upstream as given, minus sovroute's `route` and `simulate` extensions and as
 * `dialect` rewrites it; fields this library does not know pass through. Streams ask for usage
 * (`stream_options.include_usage`), so cost accounting works, unless `dialect.streamOptions` is
 * false.
 *
 * @throws {InvalidRequestError} when an option is invalid, naming it:
 *   `openaiCompatible: baseURL must be a URL (http or https), e.g. https://api.mistral.ai/v1`
 * @example
 * const scaleway = openaiCompatible({
 *   id: 'scaleway',
 *   baseURL: 'https://api.scaleway.ai/v1',
 *   apiKey: process.env.SCW_SECRET_KEY,
 *   jurisdiction: { operator: { name: 'Scaleway SAS', country: 'FR', parents: [{ name: 'Iliad SA', country: 'FR' }] }, hosting: ['FR'] },
 *   models: [{ id: 'llama-3.3-70b-instruct', price: { input: 0.9, output: 0.9, currency: 'EUR' } }],
 * });
 */
export function openaiCompatible(options: OpenAICompatibleOptions): Provider {
  const parsed = s.safeParse<{ jurisdiction?: JurisdictionFacts; models: ModelOffer[]; limits?: DeploymentLimits }>(optionsShape, options);
  if (!parsed.success) {
    const issue = parsed.issues[0]!;
    // The cause keeps every issue's path and message for debugging, never the input (a key, a URL's credential).
    throw new InvalidRequestError(`openaiCompatible: ${paramPath(issue.path) || 'options'} ${s.messageOf(issue, describeOptionIssue)}`, null, new s.ShapeError(parsed.issues, describeOptionIssue));
  }

  const id = options.id;
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
  const root = options.baseURL.replace(/\/+$/, '');
  const chatURL = `${root}/chat/completions`;
  const completionsURL = `${root}/completions`;
  const embeddingsURL = `${root}/embeddings`;
  const send = createUpstreamTransport(options.transport, options.fetch);
  const keyHeader = (options.apiKeyHeader ?? 'authorization').toLowerCase();
  const keyValue = (key: string) => (keyHeader === 'authorization' ? `Bearer ${key}` : key);
  const keySource = typeof options.apiKey === 'function' ? options.apiKey : undefined;
  const streamOptions = options.dialect?.streamOptions !== false;
  const dialect = options.dialect;
  const dialectRewriter =
    dialect === undefined
      ? undefined
      : loadOnce(async () => {
          try {
            return (await dialectModule()).dialectRewriter(dialect);
          } catch (error) {
            // Nothing was sent: the library's fault, not the deployment's.
            throw raisedBeforeSending(notLoaded(`${id}: the rewriting of requests into its dialect`, error, ', so nothing was sent'));
          }
        });

  // Header names lowercased once, so a user's `Authorization` replaces ours instead of joining it.
  const baseHeaders: Record<string, string> = { 'content-type': 'application/json' };
  if (typeof options.apiKey === 'string') baseHeaders[keyHeader] = keyValue(options.apiKey);
  const userHeaders = Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const);
  for (const [name, value] of userHeaders) baseHeaders[name] = value;
  const jsonHeaders = { accept: 'application/json', ...baseHeaders };
  const streamHeaders = { accept: 'text/event-stream', ...baseHeaders };
  const userSetsKey = userHeaders.some(([name]) => name === keyHeader);

  /** The key a call would send now, read from its function; undefined when none (or it throws). */
  const currentKey = (): string | undefined => {
    if (typeof options.apiKey === 'string') return options.apiKey;
    try {
      return keySource?.() || undefined;
    } catch {
      return undefined;
    }
  };
  // Every secret this deployment sends, as the upstream may quote it back.
  const configuredSecrets = [...(typeof options.apiKey === 'string' ? [options.apiKey] : []), ...headerSecrets(options.headers)];
  const redact = createRedactor(() => (keySource === undefined ? configuredSecrets : [...configuredSecrets, currentKey()]));

  /** The headers of one call: the key read now when it comes from a function, then the caller's. */
  function callHeaders(headers: Record<string, string>, call: CallOptions): Record<string, string> {
    let merged = headers;
    // A user header of the same name still wins, as it does over a string key.
    if (keySource !== undefined && !userSetsKey) {
      let key: string | undefined;
      try {
        key = keySource();
      } catch (error) {
        // Nothing was sent: a configuration problem, not the deployment's health.
        throw raisedBeforeSending(
          RouterError.isInstance(error)
            ? error
            : new RouterError(`${id}: apiKey() threw; nothing was sent`, { code: 'upstream_error', status: 500, providerId: id }),
        );
      }
      if (key !== undefined) merged = { ...merged, [keyHeader]: keyValue(key) };
    }
    return call.headers === undefined ? merged : withCallHeaders(merged, call.headers);
  }

  async function post(url: string, body: unknown, headers: Record<string, string>, call: CallOptions): Promise<UpstreamResponse> {
    const signal = call.signal;
    // Prepared before anything is sent: a failure here is the request's (or the configuration's), never the upstream's.
    const text = serializeRequest(id, body);
    const sent = callHeaders(headers, call);
    let response: UpstreamResponse;
    try {
      response = await send({ url, headers: sent, body: text, signal });
    } catch (error) {
      throw errorFromFetchFailure(id, error, signal, redact);
    }
    if (!response.ok) {
      const error = await errorFromResponse(id, response, redact);
      // The body read may have been cut short by the caller's abort: report the abort.
      throw signal?.aborted ? errorFromFetchFailure(id, undefined, signal) : error;
    }
    return response;
  }

  const readJSON = (response: UpstreamResponse, signal: AbortSignal | undefined) => readJsonBody(id, response, signal, maxResponseBytes, redact);


  return {
    specificationVersion: 'v1',
    id,
    jurisdiction: parsed.data.jurisdiction,
    models: Object.freeze(parsed.data.models),
    baseURL: root,
    limits: parsed.data.limits,

    missingConfiguration() {
      if (options.requireApiKey !== true || userSetsKey || currentKey() !== undefined) return undefined;
      return `no API key: pass apiKey to openaiCompatible() (or set the ${keyHeader} header)`;
    },

    async doChat(request: ChatRequest, call: CallOptions): Promise<ChatResult> {
      const { route: _route, simulate: _simulate, ...body } = request;
      if (dialectRewriter !== undefined) (await dialectRewriter())(body);
      // A non-streaming call must get JSON back; stream_options without stream is a 400 upstream
      // (OpenAI's), whatever its value, and Mistral AI refuses the field even as null.
      if (body.stream === true) delete body.stream;
      if ('stream_options' in body) delete body.stream_options;
      const response = await post(chatURL, body, jsonHeaders, call);
      const completion = await readJSON(response, call.signal);
      if (isErrorEvent(completion, undefined)) throw errorFromOkBody(id, completion, requestIdOf(response.headers, redact), redact);
      if (!isChatCompletion(completion)) throw malformedResponse(id, response, 'malformed JSON (not a chat.completion: choices must be one or more objects, each with a message)', undefined, redact);
      return { completion: completion as UpstreamChatCompletion, requestId: requestIdOf(response.headers, redact) };
    },

    async doChatStream(request: ChatRequest, call: CallOptions): Promise<ChatStreamResult> {
      const { route: _route, simulate: _simulate, ...body } = request;
      if (dialectRewriter !== undefined) (await dialectRewriter())(body);
      body.stream = true;
      if (streamOptions) body.stream_options = { ...body.stream_options, include_usage: true };
      else delete body.stream_options; // the caller's too: the upstream refuses the field
      // The first stream loads the event parser while the upstream answers.
      preloadEventStreamParser();
      const response = await post(chatURL, body, streamHeaders, call);
      const requestId = requestIdOf(response.headers, redact);

      // Some servers ignore `stream` or report an error with a 200 JSON body.
      const json = response.headers.get('content-type')?.includes('application/json') === true;
      const events = json ? null : response.reader();
      if (events === null) {
        const value = json ? await readJSON(response, call.signal) : undefined;
        if (isErrorEvent(value, undefined)) throw errorInsteadOfStream(id, value, requestId, redact);
        throw new RouterError(`${id} answered a streaming request without an event stream`, {
          code: 'upstream_error',
          providerId: id,
          requestID: requestId,
        });
      }

      const completion = new ChunkCompletion(id, requestId);
      const chunks = parseJsonEventStream<UpstreamChatCompletionChunk>(events, {
        providerId: id,
        signal: call.signal,
        requestId,
        redact,
        isComplete: () => completion.complete,
        parse: (data) => completion.accept(data),
      });
      return { chunks, requestId };
    },

    async doComplete(request: CompletionRequest, call: CallOptions): Promise<CompleteResult> {
      const { route: _route, simulate: _simulate, stream: _stream, ...body } = request;
      const response = await post(completionsURL, body, jsonHeaders, call);
      const completion = await readJSON(response, call.signal);
      if (isErrorEvent(completion, undefined)) throw errorFromOkBody(id, completion, requestIdOf(response.headers, redact), redact);
      if (!isTextCompletion(completion)) throw malformedResponse(id, response, 'malformed JSON (not a text_completion: choices must be one or more objects, each with its text)', undefined, redact);
      return { completion: completion as UpstreamCompletion, requestId: requestIdOf(response.headers, redact) };
    },

    async doEmbed(request: EmbeddingsRequest, call: CallOptions): Promise<EmbedResult> {
      const { route: _route, simulate: _simulate, ...body } = request as EmbeddingsRequest & {
        route?: unknown;
        simulate?: unknown;
      };
      const response = await post(embeddingsURL, body, jsonHeaders, call);
      const value = await readJSON(response, call.signal);
      if (isErrorEvent(value, undefined)) throw errorFromOkBody(id, value, requestIdOf(response.headers, redact), redact);
      if (!isEmbeddingsList(value)) throw malformedResponse(id, response, 'malformed JSON (not an embeddings list: data must be objects)', undefined, redact);
      return { response: value as UpstreamEmbeddingsResponse, requestId: requestIdOf(response.headers, redact) };
    },
  };

}

function withCallHeaders(base: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  const merged = { ...base };
  for (const [name, value] of Object.entries(extra)) merged[name.toLowerCase()] = value;
  return merged;
}
