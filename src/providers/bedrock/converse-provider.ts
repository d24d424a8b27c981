import { InvalidRequestError, RouterError } from '../../errors.js';
import { onAbort } from '../../internal/on-abort.js';
import * as s from '../../internal/shape/index.js';
import { jurisdictionShape } from '../../policy/facts-shape.js';
import { mapStream } from '../../streaming/mapped-stream.js';
import type { ChatRequest } from '../../wire/chat-request.js';
import type { UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import type { EmbeddingsRequest } from '../../wire/embeddings.js';
import { redactError, redactText } from '../held-secrets.js';
import { credentialsInURL, headerSecrets, redactCause } from '../redact.js';
import { deploymentLimitsShape } from '../deployment-limits-shape.js';
import { modelOffersShape } from '../model-offer-shape.js';
import type { DeploymentLimits } from '../../budgets/deployment-limits.js';
import { readJsonBody } from '../read-json-body.js';
import type { CallOptions, ChatResult, ChatStreamResult, EmbedResult, JurisdictionFacts, ModelOffer, Provider } from '../types.js';
import { errorFromFetchFailure, malformedResponse, plausibleRequestId, raisedBeforeSending, readErrorBody, requestPreparationError, serializeRequest } from '../upstream-error.js';
import { mayHaveCredentials, missingCredentials, resolveCredentials, type AwsCredentialSource } from './credentials.js';
import { readEventStream, type EventStreamMessage } from './event-stream.js';
import { errorFromBedrock, errorFromStreamException } from './http-error.js';
import { signRequest, type AwsCredentials } from './sign.js';
import { embeddingBodies, embeddingFamily, embeddingsResponse, embeddingTexts, readEmbeddings, type InvokedEmbeddings } from './translate-embeddings.js';
import { translateRequest } from './translate-request.js';
import { malformedOutputError, translateResponse } from './translate-response.js';
import { ConverseStreamTranslator } from './translate-stream.js';
import type { ConverseResponse, ConverseStreamEvent } from './wire.js';

/** A resolved Bedrock deployment: what `bedrock()` builds from its options and defaults. */
export interface BedrockConverseSettings {
  id: string;
  /** The AWS region requests are sent to and signed for, e.g. `eu-central-1`. */
  region: string;
  /** The runtime endpoint's root; `/model/{id}/converse` is appended. */
  baseURL: string;
  /** Signing credentials; see credentials.ts for the fallbacks. */
  credentials?: AwsCredentialSource | undefined;
  /** A Bedrock API key, sent as a bearer token instead of signing; a function is read at each call. */
  apiKey?: string | (() => string | undefined) | undefined;
  jurisdiction: JurisdictionFacts | undefined;
  models: ModelOffer[];
  headers?: Record<string, string> | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** Largest non-streamed answer read. @default 67108864 (64 MiB) @unit bytes */
  maxResponseBytes?: number | undefined;
  /** The deployment's rate limits (the quota with the vendor), which routing respects. */
  limits?: DeploymentLimits | undefined;
}

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * InvokeModel calls of one embeddings request in flight at once (Titan embeds one text per call):
 * a batch of hundreds of texts then ends well within an attempt's timeout, without spending the
 * account's requests-per-minute quota in one burst.
 */
const embeddingConcurrency = 8;

const optionalFacts = s.optional(jurisdictionShape);

/** The setting `name` checked against `shape`: its checked copy, or an `invalid_request` naming it. */
function checked<T>(name: string, shape: s.Shape, value: unknown): T {
  const parsed = s.safeParse<T>(shape, value);
  if (parsed.success) return parsed.data;
  const issue = parsed.issues[0]!;
  throw new InvalidRequestError(`bedrock: ${[name, ...issue.path].join('.')} ${s.messageOf(issue)}`, name, new s.ShapeError(parsed.issues));
}

/**
 * A provider for Bedrock Runtime's Converse and ConverseStream APIs (chat), and InvokeModel for
 * Titan and Cohere embeddings. Requests are signed with SigV4 (signing name `bedrock`) at each
 * attempt, or carry a Bedrock API key as a bearer token.
 */
export function bedrockConverseProvider(settings: BedrockConverseSettings): Provider {
  const facts = checked<JurisdictionFacts | undefined>('jurisdiction', optionalFacts, settings.jurisdiction);
  const models = checked<ModelOffer[]>('models', modelOffersShape, settings.models);
  const limits = checked<DeploymentLimits | undefined>('limits', deploymentLimitsShape, settings.limits);
  // Userinfo in the URL would be quoted by every error about the endpoint (fetch refuses such a URL in words that include it).
  const inURL = credentialsInURL(settings.baseURL);
  if (inURL !== undefined) throw new InvalidRequestError(`bedrock: baseURL ${inURL}`, 'baseURL');
  const { id, region } = settings;
  const root = settings.baseURL.replace(/\/+$/, '');
  const userHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings.headers ?? {})) userHeaders[name.toLowerCase()] = value;
  const apiKey = (): string | undefined => (typeof settings.apiKey === 'function' ? settings.apiKey() : settings.apiKey);
  /** Secrets this deployment has signed or authorised with, scrubbed from any error text. */
  const held = new Set<string>();
  // Credential headers of the user's (a gateway's token) are sent on every request, and never rotate.
  const configuredSecrets = headerSecrets(settings.headers);
  const hold = (...secrets: (string | undefined)[]) => {
    // Credentials rotate: keep the recent ones only.
    if (held.size > 16) held.clear();
    for (const secret of [...configuredSecrets, ...secrets]) if (secret !== undefined && secret !== '') held.add(secret);
  };
  hold();

  async function post(path: string, body: unknown, accept: string, call: CallOptions): Promise<Response> {
    const url = new URL(`${root}${path}`);
    // Prepared before anything is sent: a failure here is the request's or the configuration's, never the upstream's.
    const payload = serializeRequest(id, body);
    let headers: Record<string, string> = { 'content-type': 'application/json', accept, ...userHeaders };
    try {
      const bearer = settings.credentials === undefined ? apiKey() : undefined;
      if (bearer !== undefined) {
        hold(bearer);
        headers.authorization = `Bearer ${bearer}`;
      } else {
        const credentials: AwsCredentials = await resolveCredentials(id, settings.credentials);
        hold(credentials.secretAccessKey, credentials.sessionToken);
        // Only host, date and token are signed: a proxy or fetch wrapper may still change the rest.
        const signed = await signRequest({ method: 'POST', url, headers: {}, body: payload, credentials, region, service: 'bedrock' });
        const { host: _host, ...sent } = signed.headers;
        headers = { ...headers, ...sent };
      }
    } catch (error) {
      // Its message may quote credentials: only the error's class is reported.
      throw raisedBeforeSending(
        RouterError.isInstance(error)
          ? error
          : new RouterError(`${id}: the request could not be signed (${error instanceof Error ? error.name : typeof error}); nothing was sent`, { code: 'upstream_error', status: 500, providerId: id }),
      );
    }
    for (const [name, value] of Object.entries(call.headers ?? {})) headers[name.toLowerCase()] = value;
    let response: Response;
    try {
      // Never to a host the facts do not describe: a redirect fails the attempt (see fetch-transport.ts).
      response = await (settings.fetch ?? globalThis.fetch)(url, { method: 'POST', headers, body: payload, signal: call.signal ?? null, redirect: 'manual' });
    } catch (error) {
      throw errorFromFetchFailure(id, error, call.signal);
    }
    if (!response.ok) {
      // Its first 64 KiB: enough for Bedrock's message, bounded against a flood.
      const text = await readErrorBody(response);
      if (call.signal?.aborted) throw errorFromFetchFailure(id, undefined, call.signal);
      throw errorFromBedrock(id, response.status, redactText(text, [...held]), response.headers);
    }
    return response;
  }

  /** The request in Converse's shape; a request that cannot be translated is the request's fault. */
  const prepare = (request: ChatRequest): ReturnType<typeof translateRequest> => {
    try {
      return translateRequest(id, request);
    } catch (error) {
      throw requestPreparationError(id, error, 'translated');
    }
  };
  /** The InvokeModel bodies of an embeddings request; throws what Bedrock's models cannot take. */
  const prepareEmbeddings = (request: EmbeddingsRequest) => {
    const family = embeddingFamily(request.model);
    if (family === undefined) throw new RouterError(`${id}: ${request.model} is not a Titan or Cohere embedding model`, { code: 'upstream_error', providerId: id });
    return { family, bodies: embeddingBodies(id, family, embeddingTexts(id, request), request) };
  };
  const modelPath = (model: string, operation: string) => `/model/${encodeURIComponent(model)}/${operation}`;
  const requestIdOf = (response: Response) => plausibleRequestId(response.headers.get('x-amzn-requestid') ?? undefined, (text) => redactText(text, [...held]));
  const scrubError = (error: unknown): unknown => (RouterError.isInstance(error) ? redactError(error, [...held]) : error);
  const scrub = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch((error: unknown) => {
      throw scrubError(error);
    });

  return {
    specificationVersion: 'v1',
    id,
    jurisdiction: facts,
    models: Object.freeze(models),
    limits,

    missingConfiguration(): string | undefined {
      if (settings.apiKey !== undefined && apiKey() !== undefined) return undefined;
      return mayHaveCredentials(settings.credentials) ? undefined : missingCredentials();
    },

    checkChat(request: ChatRequest): void {
      prepare(request);
    },

    doChat(request: ChatRequest, call: CallOptions): Promise<ChatResult> {
      return scrub(
        (async () => {
          const { body, jsonTool } = prepare(request);
          const response = await post(modelPath(request.model, 'converse'), body, 'application/json', call);
          const requestId = requestIdOf(response);
          const value = (await readJsonBody(id, response, call.signal, settings.maxResponseBytes)) as ConverseResponse | null;
          if (typeof value !== 'object' || value === null || !Array.isArray(value.output?.message?.content)) throw malformedResponse(id, response, 'a body that is not a Converse answer');
          const unusable = malformedOutputError(id, value.stopReason, requestId);
          if (unusable !== undefined) throw unusable;
          return { completion: translateResponse(value, jsonTool, request.model, requestId ?? '', now()), requestId };
        })(),
      );
    },

    doChatStream(request: ChatRequest, call: CallOptions): Promise<ChatStreamResult> {
      return scrub(
        (async () => {
          const { body, jsonTool } = prepare(request);
          const response = await post(modelPath(request.model, 'converse-stream'), body, 'application/vnd.amazon.eventstream', call);
          const requestId = requestIdOf(response);
          if (response.body === null || !(response.headers.get('content-type') ?? '').includes('eventstream')) {
            throw malformedResponse(id, response, 'a streaming answer that is not an event stream');
          }
          const translator = new ConverseStreamTranslator(jsonTool, requestId ?? '', request.model, now());
          return { chunks: translateFrames(id, response.body, translator, call.signal, requestId, scrubError), requestId };
        })(),
      );
    },

    checkEmbed(request: EmbeddingsRequest): void {
      prepareEmbeddings(request);
    },

    doEmbed(request: EmbeddingsRequest, call: CallOptions): Promise<EmbedResult> {
      return scrub(
        (async () => {
          const { family, bodies } = prepareEmbeddings(request);
          const parts = new Array<InvokedEmbeddings>(bodies.length);
          const requestIds = new Array<string | undefined>(bodies.length);
          // One failure ends the batch: the calls in flight are aborted, and a call made after that
          // rejects before sending.
          const batch = new AbortController();
          const stopListening = call.signal === undefined ? undefined : onAbort(call.signal, () => batch.abort(call.signal!.reason));
          const batchCall: CallOptions = { ...call, signal: batch.signal };
          let next = 0;
          const invokeNext = async (): Promise<void> => {
            while (next < bodies.length) {
              const index = next++;
              const response = await post(modelPath(request.model, 'invoke'), bodies[index], 'application/json', batchCall);
              requestIds[index] = requestIdOf(response);
              const part = readEmbeddings(family, await readJsonBody(id, response, batch.signal, settings.maxResponseBytes), response.headers.get('x-amzn-bedrock-input-token-count'));
              if (part === undefined) throw malformedResponse(id, response, 'a body that is not an embedding');
              parts[index] = part;
            }
          };
          try {
            await Promise.all(Array.from({ length: Math.min(embeddingConcurrency, bodies.length) }, invokeNext));
          } catch (error) {
            batch.abort();
            throw error;
          } finally {
            stopListening?.();
          }
          return { response: embeddingsResponse(request.model, parts), requestId: requestIds.find((requestId) => requestId !== undefined) };
        })(),
      );
    },
  };
}

/**
 * The body's frames as chunks. Frames already read and the chunks they become stay at hand
 * (`nextBuffered`, streaming/mapped-stream.ts): a caller that leaves at the finish reason, with
 * the usage in the same frame, then has its answer recorded as complete, with Bedrock's usage.
 */
function translateFrames(
  providerId: string,
  body: ReadableStream<Uint8Array>,
  translator: ConverseStreamTranslator,
  signal: AbortSignal | undefined,
  requestId: string | undefined,
  /** Scrubs what the adapter holds from a failure mid-way (an exception frame may quote what was sent). */
  scrubError: (error: unknown) => unknown,
): AsyncIterable<UpstreamChatCompletionChunk> {
  const decoder = new TextDecoder();
  const translate = (message: EventStreamMessage): readonly UpstreamChatCompletionChunk[] => {
    const kind = message.headers[':message-type'];
    if (kind === 'exception') throw errorFromStreamException(providerId, message.headers[':exception-type'] ?? 'unknownException', decoder.decode(message.payload), requestId);
    if (kind === 'error') {
      const code = message.headers[':error-code'] ?? 'UnknownError';
      throw new RouterError(`${providerId} sent an error mid-stream: ${code}: ${message.headers[':error-message'] ?? ''}`, { code: 'upstream_error', providerId, isRetryable: true, requestID: requestId });
    }
    if (kind !== 'event') return [];
    let event: ConverseStreamEvent;
    try {
      event = JSON.parse(decoder.decode(message.payload)) as ConverseStreamEvent;
    } catch (error) {
      throw new RouterError(`${providerId} sent an event that is not JSON`, { code: 'upstream_error', providerId, isRetryable: true, requestID: requestId, cause: redactCause(error) });
    }
    const eventType = message.headers[':event-type'] ?? '';
    if (eventType === 'messageStop') {
      const unusable = malformedOutputError(providerId, event.stopReason, requestId);
      if (unusable !== undefined) throw unusable;
    }
    return translator.push(eventType, event);
  };
  return mapStream(readEventStream(body, { providerId, signal, requestId }), {
    map: translate,
    // Nothing follows the usage: the body is closed there rather than read to its end.
    isDone: () => translator.done,
    atEnd: () => {
      const last = translator.finish();
      if (last.length === 0) throw new RouterError(`${providerId}: the stream ended before the answer was complete`, { code: 'upstream_error', providerId, isRetryable: true, requestID: requestId });
      return last;
    },
    mapError: scrubError,
  });
}
