import { InvalidRequestError, RouterError } from '../errors.js';
import type { LoadResponses } from '../responses/lazy-responses.js';
import type { ResponseCreateParams } from '../responses/wire.js';
import { encodeSse } from '../streaming/encode-sse.js';
import { ChatCompletionStream } from '../streaming/chat-completion-stream.js';
import type { ChatCompletionCreateParams } from '../wire/chat-request.js';
import type { CompletionCreateParams } from '../wire/completions.js';
import type { EmbeddingCreateParams } from '../wire/embeddings.js';
import { bearer } from './bearer.js';
import { bodyTooLarge, declaredOverLimit, readTextWithin, textOverLimit } from './body-limit.js';
import { createChatCompletion } from './chat-completions.js';
import { createCompletion } from './completions.js';
import { createEmbeddings } from './embeddings.js';
import { errorResponse, json } from './http-response.js';
import { responsesFor } from './lazy-endpoints.js';
import { listModels } from './models-list.js';
import { rejectUnread } from './request-record.js';
import type { RouterContext } from './router-context.js';
import { endpointOf, pathOf, trimSlashes } from './router-internals.js';
import { incomingTraceContext, type IncomingTraceContext } from './trace-context.js';

/** A `fetch`-compatible function: what `new OpenAI({ fetch })` and other clients accept. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

type RoutedEndpoint = 'chat.completions' | 'completions' | 'embeddings' | 'responses';

const bodyLimitOption = 'limits.maxBodyBytes';

interface IncomingCall {
  method: string;
  path: string;
  apiKey: string;
  signal: AbortSignal | undefined;
  /** The W3C trace context it was sent with (`traceparent`, `tracestate`), if valid: its request span continues it. */
  trace: IncomingTraceContext | undefined;
  /** Why the call cannot be served as sent (a header or method fetch itself refuses), if so. */
  malformed: RouterError | undefined;
  body(): Promise<unknown>;
}

/**
 * Why fetch refused the call, in words that never quote a header's value: fetch's own message
 * does, and the value may be the caller's key (which would then reach the answer and the audit
 * record). The header is named instead, and fetch's error is not kept as the cause.
 */
function malformedReason(error: unknown, headers: RequestInit['headers']): { reason: string; cause: unknown } {
  if (headers !== undefined && !(headers instanceof Headers) && refused(headers)) {
    // Any iterable of pairs fetch takes (a list, a Map…), or a record.
    const entries = entriesOf(headers);
    for (const entry of entries) {
      if (refused([entry])) {
        const name = Array.isArray(entry) && typeof entry[0] === 'string' ? entry[0].slice(0, 64) : '';
        return { reason: `the header ${JSON.stringify(name)} has a name or value that fetch refuses (a line break, a NUL, a character beyond Latin-1)`, cause: undefined };
      }
    }
    return { reason: 'a header has a name or value that fetch refuses (a line break, a NUL, a character beyond Latin-1)', cause: undefined };
  }
  return { reason: error instanceof Error ? error.message : String(error), cause: error };
}

function entriesOf(headers: object): unknown[] {
  try {
    return Symbol.iterator in headers ? Array.from(headers as Iterable<unknown>) : Object.entries(headers);
  } catch {
    // An iterable that throws: no header to name.
    return [];
  }
}

/** Whether fetch refuses these headers. */
function refused(headers: unknown): boolean {
  try {
    new Headers(headers as RequestInit['headers']);
    return false;
  } catch {
    return true;
  }
}

/** The URL without the user name and password it may carry: a request needs its path, never those. */
function withoutCredentials(input: string | URL): URL {
  const url = new URL(input, 'http://localhost');
  url.username = '';
  url.password = '';
  return url;
}

function malformedCall(path: string, error: unknown, headers?: RequestInit['headers']): IncomingCall {
  const { reason, cause } = malformedReason(error, headers);
  return {
    method: 'GET',
    path,
    apiKey: '',
    signal: undefined,
    trace: undefined,
    malformed: new InvalidRequestError(`The request is malformed: ${reason}`, null, cause),
    body: async () => undefined,
  };
}

/**
 * Reads the call straight from `init` when the SDK passes a URL string and a string body (the
 * common case), else through `Request`, whose body is read chunk by chunk up to the limit.
 * Whatever fetch itself would refuse (a header with a line break, a GET with a body) becomes a
 * 400, never an exception.
 */
export function incoming(input: string | URL | Request, init: RequestInit | undefined, maxBodyBytes: number): IncomingCall {
  const path = pathOf(input);
  if (path === undefined) return malformedCall('', new TypeError('the URL cannot be parsed'));
  try {
    // Headers as an iterable other than a list (a generator, a Map) are read once, here: a
    // one-shot one would be used up by fetch, and a header it refuses could not be named.
    const given = init?.headers;
    if (given !== undefined && !Array.isArray(given) && !(given instanceof Headers) && Symbol.iterator in given) {
      init = { ...init, headers: Array.from(given as Iterable<[string, string]>) };
    }
    if (typeof input === 'string' && init !== undefined && (init.body === undefined || init.body === null || typeof init.body === 'string')) {
      const headers = new Headers(init.headers);
      const text = init.body ?? '';
      return {
        method: typeof init.method === 'string' ? init.method.toUpperCase() : 'GET',
        path,
        apiKey: bearer(headers.get('authorization'), headers.get('api-key')),
        signal: init.signal ?? undefined,
        trace: incomingTraceContext(headers.get('traceparent'), headers.get('tracestate')),
        malformed: undefined,
        body: async () => {
          const compressed = compressedBody(headers.get('content-encoding'));
          if (compressed) throw compressed;
          if (textOverLimit(text, maxBodyBytes)) throw bodyTooLarge(maxBodyBytes, bodyLimitOption);
          return parseJson(text);
        },
      };
    }
    const streamed = init?.body instanceof ReadableStream;
    const request =
      input instanceof Request && init === undefined
        ? input
        : new Request(input instanceof Request ? input : withoutCredentials(input), streamed ? ({ ...init, duplex: 'half' } as RequestInit) : init);
    return {
      method: request.method,
      path,
      apiKey: bearer(request.headers.get('authorization'), request.headers.get('api-key')),
      signal: request.signal,
      trace: incomingTraceContext(request.headers.get('traceparent'), request.headers.get('tracestate')),
      malformed: undefined,
      body: async () => {
        // A body is read once; one read already (a wrapper that logged it) is the caller's 400.
        if (request.bodyUsed || request.body?.locked) {
          throw new InvalidRequestError('The request body has already been read: a Request can be read once, so pass a fresh one, or request.clone() before reading it.');
        }
        const compressed = compressedBody(request.headers.get('content-encoding'));
        if (compressed) {
          request.body?.cancel().catch(() => {});
          throw compressed;
        }
        if (declaredOverLimit(request.headers.get('content-length'), maxBodyBytes)) {
          request.body?.cancel().catch(() => {});
          throw bodyTooLarge(maxBodyBytes, bodyLimitOption);
        }
        return parseJson(await readTextWithin(request.body, maxBodyBytes, bodyLimitOption, request.signal));
      },
    };
  } catch (error) {
    return malformedCall(path, error, init?.headers);
  }
}

/**
 * The 415 for a compressed body (`content-encoding` other than `identity`), as serve() answers
 * it: read as it comes, it would be refused as "not valid JSON", which it may well be once
 * decoded. None is decoded: a small body could inflate far past `limits.maxBodyBytes`.
 */
function compressedBody(contentEncoding: string | null): RouterError | undefined {
  const coding = contentEncoding?.trim().toLowerCase();
  if (coding === undefined || coding === '' || coding === 'identity') return undefined;
  return new RouterError(`The request body is compressed (content-encoding: ${JSON.stringify(coding.slice(0, 64))}); router.fetch takes uncompressed JSON only.`, {
    code: 'invalid_request',
    status: 415,
  });
}

function parseJson(text: string): unknown {
  try {
    // A leading byte order mark is not JSON, but RFC 8259 lets a parser ignore it, as the
    // streamed body's TextDecoder already does: a string body or serve()'s is read the same.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new InvalidRequestError('The request body is not valid JSON.', null, error);
  }
}

/**
 * A stream's response headers: not cached, and not held back by a buffering proxy in front of
 * `serve()` (nginx keeps a response until it ends unless `X-Accel-Buffering: no` says otherwise).
 */
const streamHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' } as const;

/**
 * Serves the OpenAI REST surface in-process: `POST /v1/chat/completions` (JSON and SSE),
 * `POST /v1/completions` (JSON), `POST /v1/responses` (JSON and SSE), `POST /v1/embeddings`, `GET /v1/models` and
 * `GET /v1/models/{id}`. Only the path's suffix is matched, so any base URL works. The bearer
 * token is the caller's key. A body over `limits.maxBodyBytes` is refused with 413.
 */
export function createFetchHandler(context: RouterContext, responses?: LoadResponses): FetchFunction {
  const maxBodyBytes = context.options.limits.maxBodyBytes;
  return async (input, init) => {
    // Refusals below open their record at once: telemetry must be in place first.
    if (context.observerReady) await context.observerReady;
    try {
      const call = incoming(input, init, maxBodyBytes);
      const path = trimSlashes(call.path);
      const endpoint = endpointOf(path);
      if (call.malformed) {
        return errorResponse(endpoint === 'other' ? call.malformed : rejectUnread(context, endpoint, call.apiKey, call.malformed, call.trace));
      }
      if (endpoint === 'chat.completions') {
        if (call.method !== 'POST') return methodNotAllowed(context, call, path, endpoint);
        const body = await readBody(context, call, endpoint);
        const result = await createChatCompletion(context, body as ChatCompletionCreateParams, call);
        if (result instanceof ChatCompletionStream) {
          return new Response(encodeSse(result, call.signal), {
            status: 200,
            headers: { ...streamHeaders, 'x-request-id': result.requestId },
          });
        }
        return json(result, 200, { 'x-request-id': result.route.audit_id ?? '' });
      }
      if (endpoint === 'completions') {
        if (call.method !== 'POST') return methodNotAllowed(context, call, path, endpoint);
        const result = await createCompletion(context, (await readBody(context, call, endpoint)) as CompletionCreateParams, call);
        return json(result, 200, { 'x-request-id': result.route.audit_id ?? '' });
      }
      if (endpoint === 'responses' && responses) {
        if (call.method !== 'POST') return methodNotAllowed(context, call, path, endpoint);
        const body = await readBody(context, call, endpoint);
        const served = await responsesFor(context, responses, call.apiKey);
        const result = await served.create(body as ResponseCreateParams, call);
        if (served.isStream(result)) {
          return new Response(served.sse(result, call.signal), {
            status: 200,
            headers: { ...streamHeaders, 'x-request-id': result.requestId },
          });
        }
        return json(result, 200, { 'x-request-id': result.route?.audit_id ?? '' });
      }
      if (endpoint === 'embeddings') {
        if (call.method !== 'POST') return methodNotAllowed(context, call, path, endpoint);
        const body = await readBody(context, call, endpoint);
        const result = await createEmbeddings(context, body as EmbeddingCreateParams, call);
        return json(result, 200, { 'x-request-id': result.route.audit_id ?? '' });
      }
      const models = /\/models(?:\/(.+))?$/.exec(path);
      if (models) {
        // HEAD is GET without the body (RFC 9110), as every HTTP server must take it.
        if (call.method !== 'GET' && call.method !== 'HEAD') {
          return errorResponse(new RouterError(`${call.method} is not allowed on ${path}; use GET.`, { code: 'invalid_request', status: 405, headers: { allow: 'GET, HEAD' } }));
        }
        const found = (value: unknown) => (call.method === 'HEAD' ? new Response(null, { status: 200, headers: { 'content-type': 'application/json' } }) : json(value, 200));
        const list = listModels(context, call.apiKey);
        if (models[1] === undefined) return found(list);
        const id = decodeModelId(models[1]);
        const entry = list.data.find((model) => model.id === id || model.canonical === id);
        if (entry) return found(entry);
        return errorResponse(
          new RouterError(`The model \`${id.slice(0, 256)}\` does not exist or is not reachable under this router's policy.`, { code: 'model_not_found', param: 'model' }),
        );
      }
      // The openai SDK's responses.retrieve, delete, inputItems.list and cancel: not served, said so.
      const message = /\/responses\/resp_[^/]*(?:\/input_items|\/cancel)?$/.test(path)
        ? `${call.method} ${call.path.slice(0, 256)} is not served: this router keeps a response only so that it can be continued with previous_response_id (or its items named by item_reference); it does not return, list, delete or cancel stored responses.`
        : `Unknown path ${call.path.slice(0, 256)}.`;
      return json({ error: { message, type: 'invalid_request_error', code: 'not_found', param: null } }, 404, { 'x-should-retry': 'false' });
    } catch (error) {
      // Like any fetch: an aborted call rejects (with the signal's reason), it is not answered.
      // Clients tell their own timeout and a user's abort apart by this (the openai SDK raises
      // APIConnectionTimeoutError or APIUserAbortError, and may retry a timeout).
      const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
      if (signal?.aborted) throw signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
      return errorResponse(error);
    }
  };
}

/** The model id in `/models/{id}`; a broken percent-encoding is the caller's 400, not our 500. */
function decodeModelId(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch (error) {
    throw new InvalidRequestError(`The model id in the path is not valid percent-encoding: ${encoded.slice(0, 256)}`, 'model', error);
  }
}

/** The request body; one that is not JSON or is too large still leaves its audit record. */
async function readBody(context: RouterContext, call: IncomingCall, endpoint: RoutedEndpoint): Promise<unknown> {
  try {
    return await call.body();
  } catch (error) {
    throw rejectUnread(context, endpoint, call.apiKey, error, call.trace);
  }
}

/** A wrong method on a routed endpoint is still a request: it leaves its one (invalid) record. */
function methodNotAllowed(context: RouterContext, call: IncomingCall, path: string, endpoint: RoutedEndpoint): Response {
  const error = new RouterError(`${call.method} is not allowed on ${path}; use POST.`, { code: 'invalid_request', status: 405, headers: { allow: 'POST' } });
  return errorResponse(rejectUnread(context, endpoint, call.apiKey, error, call.trace));
}
