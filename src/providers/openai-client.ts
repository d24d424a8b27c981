import { InvalidRequestError, RouterError } from '../errors.js';
import * as s from '../internal/shape/index.js';
import { jurisdictionShape } from '../policy/facts-shape.js';
import type { ChatRequest } from '../wire/chat-request.js';
import type { UpstreamChatCompletion } from '../wire/chat-response.js';
import type { CompletionRequest, UpstreamCompletion } from '../wire/completions.js';
import type { EmbeddingsRequest, UpstreamEmbeddingsResponse } from '../wire/embeddings.js';
import { errorFromSdkFailure } from './openai-client-errors.js';
import { relaySdkStream } from './openai-client-stream.js';
import type { OpenAIClientLike, OpenAIClientRequestOptions, OpenAICreateMethod, SdkStream, WithResponse } from './openai-client-types.js';
import { paramPath } from '../internal/param-path.js';
import { kebabCase } from './openai-compatible.js';
import { describeOptionIssue, modelOffersShape } from './model-offer-shape.js';
import { isChatCompletion, isEmbeddingsList, isTextCompletion } from './answer-shape.js';
import { createRedactor, credentialsInURL, headerSecrets, querySecrets } from './redact.js';
import { plausibleRequestId, requestPreparationError } from './upstream-error.js';
import type { CallOptions, Capability, JurisdictionFacts, ModelOffer, Provider } from './types.js';

/** What `openaiClient()` takes besides the client: the deployment's id, facts and models. */
export interface OpenAIClientOptions {
  /**
   * Stable kebab-case id, unique within a router: in model strings, `route.attempts`, audit
   * records and every error this provider raises.
   * @example 'azure-openai-swe'
   */
  id: string;
  /**
   * Who operates the endpoint the client talks to and where inference runs. The client's
   * `baseURL` says nothing the policy can trust, so state the facts. Without them the provider is
   * eligible only under policies that ask nothing of it.
   * @default undefined (unknown)
   * @example { operator: { name: 'Microsoft Ireland Operations Ltd', country: 'IE', parents: [{ name: 'Microsoft Corporation', country: 'US' }] }, hosting: ['SE'] }
   */
  jurisdiction?: JurisdictionFacts | undefined;
  /**
   * The models served through this client, with prices. `native` is the id sent upstream (for
   * Azure OpenAI: the deployment name). Offer `embeddings` or `completions` only when the client
   * has `embeddings.create` or `completions.create`.
   * @example [{ id: 'gpt-4o-mini', native: 'my-gpt-4o-mini-deployment', price: { input: 0.15, output: 0.6, currency: 'USD' } }]
   */
  models: ModelOffer[];
}

const optionsShape = s.object({
  id: s.string(s.regex(kebabCase, 'must be kebab-case, e.g. azure-openai-swe')),
  jurisdiction: s.optional(jurisdictionShape),
  models: modelOffersShape,
});

/**
 * A provider that sends requests through an existing `openai` SDK client (majors 4–7), so its
 * key, `baseURL` (Azure OpenAI, a proxy, a gateway), `defaultHeaders`, organization and custom
 * `fetch` stay as configured, while the router routes, applies the policy, prices and audits.
 *
 * Every call passes `maxRetries: 0` (the router owns retries and fallbacks) and the router's
 * signal. As with `openaiCompatible`, sovroute's `route` and `simulate` fields are not sent,
 * streams always ask for usage, and the SDK's errors become `RouterError`s with the upstream's
 * status. Embeddings ask for `encoding_format: 'float'` unless the caller chose one, because the
 * SDK's own default (base64) comes back as empty vectors from many servers.
 *
 * @throws {InvalidRequestError} when the client or an option is invalid, naming it:
 *   `openaiClient: models[0].price.currency must be EUR, USD or CHF`
 * @example
 * const azure = openaiClient(new AzureOpenAI({ endpoint, apiVersion: '2024-10-21', apiKey }), {
 *   id: 'azure-openai-swe',
 *   jurisdiction: { operator: { name: 'Microsoft Ireland Operations Ltd', country: 'IE', parents: [{ name: 'Microsoft Corporation', country: 'US' }] }, hosting: ['SE'] },
 *   models: [{ id: 'gpt-4o-mini', native: 'my-gpt-4o-mini', price: { input: 0.15, output: 0.6, currency: 'USD' } }],
 * });
 */
export function openaiClient(client: OpenAIClientLike, options: OpenAIClientOptions): Provider {
  const parsed = s.safeParse<{ jurisdiction?: JurisdictionFacts; models: ModelOffer[] }>(optionsShape, options);
  if (!parsed.success) {
    const issue = parsed.issues[0]!;
    const cause = new s.ShapeError(parsed.issues, describeOptionIssue);
    throw new InvalidRequestError(`openaiClient: ${paramPath(issue.path) || 'options'} ${s.messageOf(issue, describeOptionIssue)}`, null, cause);
  }
  checkClientBaseURL(client);
  const id = options.id;
  const models = parsed.data.models;
  const chat = methodOf(client, 'chat.completions', 'pass an openai SDK client, e.g. new OpenAI({ apiKey })');
  const embeddings = serves(models, 'embeddings') ? methodOf(client, 'embeddings', 'a model offers embeddings') : undefined;
  const completions = serves(models, 'completions') ? methodOf(client, 'completions', 'a model offers completions') : undefined;
  // The client's key and the credentials among its default headers and query, read at each
  // failure (they may be rotated), as the upstream may quote them back.
  const redact = createRedactor(() => {
    const key: unknown = (client as { apiKey?: unknown }).apiKey;
    return [...(typeof key === 'string' ? [key] : []), ...clientCredentials(client)];
  });

  async function send(method: OpenAICreateMethod, body: object, call: CallOptions): Promise<{ data: unknown; requestId: string | undefined }> {
    const requestOptions: OpenAIClientRequestOptions = { maxRetries: 0 };
    if (call.signal !== undefined) requestOptions.signal = call.signal;
    if (call.headers !== undefined) requestOptions.headers = call.headers;
    try {
      const pending = method.create(body, requestOptions);
      if (typeof (pending as { withResponse?: unknown }).withResponse === 'function') {
        const result = (await (pending as unknown as { withResponse(): PromiseLike<WithResponse> }).withResponse()) as WithResponse;
        return { data: result.data, requestId: plausibleRequestId(result.request_id ?? requestIdOf(result.data), redact) };
      }
      const data = await pending;
      return { data, requestId: plausibleRequestId(requestIdOf(data), redact) };
    } catch (error) {
      // The SDK serialises the body itself and reports a body it cannot serialise like a broken
      // connection: asked only on failure, whether the request was sendable at all.
      if (!call.signal?.aborted && typeof (error as { status?: unknown } | null)?.status !== 'number') {
        try {
          JSON.stringify(body);
        } catch (serialisation) {
          throw requestPreparationError(id, serialisation, 'serialised as JSON');
        }
      }
      throw errorFromSdkFailure(id, error, call.signal, 'request', undefined, redact);
    }
  }

  function malformed(what: string, requestId: string | undefined): RouterError {
    // The SDK hands back the body as text when its content-type is not JSON, and never fails on it.
    return new RouterError(`${id} returned something that is not ${what} (a body that is not JSON, or choices that are not objects)`, {
      code: 'upstream_error',
      providerId: id,
      isRetryable: true,
      requestID: requestId,
    });
  }

  const provider: Provider = {
    specificationVersion: 'v1',
    id,
    jurisdiction: parsed.data.jurisdiction,
    models: Object.freeze(models),

    async doChat(request, call) {
      const { route: _route, simulate: _simulate, ...body } = request;
      if (body.stream === true) {
        delete body.stream;
        delete body.stream_options;
      }
      const { data, requestId } = await send(chat, body, call);
      if (!isChatCompletion(data)) throw malformed('a chat.completion', requestId);
      return { completion: data as UpstreamChatCompletion, requestId };
    },

    async doChatStream(request: ChatRequest, call) {
      const { route: _route, simulate: _simulate, ...body } = request;
      body.stream = true;
      body.stream_options = { ...body.stream_options, include_usage: true };
      const { data, requestId } = await send(chat, body, call);
      if (!isAsyncIterable(data)) {
        throw new RouterError(`the client of ${id} returned no stream for a stream: true request`, { code: 'upstream_error', providerId: id, requestID: requestId });
      }
      return { chunks: relaySdkStream(id, data, call.signal, requestId, redact), requestId };
    },
  };

  if (embeddings !== undefined) {
    provider.doEmbed = async (request: EmbeddingsRequest, call) => {
      const { route: _route, simulate: _simulate, ...body } = request as EmbeddingsRequest & { route?: unknown; simulate?: unknown };
      body.encoding_format ??= 'float';
      const { data, requestId } = await send(embeddings, body, call);
      if (!isEmbeddingsList(data)) throw malformed('an embeddings list', requestId);
      return { response: data as UpstreamEmbeddingsResponse, requestId };
    };
  }
  if (completions !== undefined) {
    provider.doComplete = async (request: CompletionRequest, call) => {
      const { route: _route, simulate: _simulate, stream: _stream, ...body } = request;
      const { data, requestId } = await send(completions, body, call);
      if (!isTextCompletion(data)) throw malformed('a text_completion', requestId);
      return { completion: data as UpstreamCompletion, requestId };
    };
  }
  return provider;
}

/** The resource at `path` (`client.chat.completions`…), checked: a missing `create` is a configuration error, named. */
function methodOf(client: OpenAIClientLike, path: 'chat.completions' | 'embeddings' | 'completions', why: string): OpenAICreateMethod {
  const resource: unknown =
    typeof client !== 'object' || client === null
      ? undefined
      : path === 'chat.completions'
        ? (client.chat as { completions?: unknown } | undefined)?.completions
        : client[path];
  if (typeof (resource as { create?: unknown } | undefined)?.create !== 'function') {
    throw new InvalidRequestError(`openaiClient: client.${path}.create must be a function (${why})`);
  }
  return resource as OpenAICreateMethod;
}

function serves(models: readonly ModelOffer[], capability: Capability): boolean {
  return models.some((model) => (model.capabilities ?? ['chat']).includes(capability));
}

function isAsyncIterable(value: unknown): value is SdkStream {
  return typeof value === 'object' && value !== null && typeof (value as SdkStream)[Symbol.asyncIterator] === 'function';
}

/** The SDK attaches the `x-request-id` of a JSON answer as a non-enumerable `_request_id`. */
function requestIdOf(data: unknown): string | undefined {
  const value: unknown = typeof data === 'object' && data !== null ? (data as { _request_id?: unknown })._request_id : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The credentials an openai SDK client sends besides its key: the credential headers among its
 * `defaultHeaders` (a gateway's `Ocp-Apim-Subscription-Key`) and the credential parameters of its
 * `defaultQuery`, read from the options the SDK keeps. Never throws.
 */
function clientCredentials(client: object): string[] {
  try {
    const options = (client as { _options?: { defaultHeaders?: unknown; defaultQuery?: unknown } })._options;
    const headers: Record<string, string> = {};
    const given = options?.defaultHeaders;
    // A plain object, a Headers, a list of pairs, or what the SDK builds: { values: Headers, nulls }.
    const source = typeof given === 'object' && given !== null && (given as { values?: unknown }).values instanceof Headers ? (given as { values: Headers }).values : given;
    if (source instanceof Headers) {
      source.forEach((value, name) => (headers[name] = value));
    } else if (Array.isArray(source)) {
      for (const pair of source) if (Array.isArray(pair) && typeof pair[1] === 'string') headers[String(pair[0])] = pair[1];
    } else if (typeof source === 'object' && source !== null) {
      for (const [name, value] of Object.entries(source)) if (typeof value === 'string') headers[name] = value;
    }
    const query = options?.defaultQuery;
    return [...headerSecrets(headers), ...querySecrets(typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : undefined)];
  } catch {
    return [];
  }
}

/**
 * Refuses a client whose base URL carries credentials (fetch refuses such a URL on every call, in
 * words that quote it whole, password included) or a query (the SDK appends each endpoint's path
 * after it), naming neither.
 */
function checkClientBaseURL(client: object): void {
  const baseURL: unknown = (client as { baseURL?: unknown }).baseURL;
  const problem = typeof baseURL === 'string' ? credentialsInURL(baseURL) : undefined;
  if (problem === undefined) return;
  throw new InvalidRequestError(
    problem.startsWith('must not contain credentials')
      ? "openaiClient: the client's baseURL must not contain credentials (user:password@): fetch refuses such a URL on every call; give the key as the client's apiKey or its defaultHeaders"
      : "openaiClient: the client's baseURL must not contain a query string or fragment (?… or #…): the SDK appends each endpoint's path after it; give query parameters as the client's defaultQuery",
    null,
  );
}
