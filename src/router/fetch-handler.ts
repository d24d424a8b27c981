import type { AuditRecordBody } from '../audit/types.js';
import { InvalidRequestError, RouterError } from '../errors.js';
import type { LoadResponses } from '../responses/lazy-responses.js';
import type { ResponseCreateParams } from '../responses/wire.js';
import { encodeSse } from '../streaming/encode-sse.js';
import { ChatCompletionStream } from '../streaming/chat-completion-stream.js';
import type { ChatCompletionCreateParams } from '../wire/chat-request.js';
import type { CompletionCreateParams } from '../wire/completions.js';
import type { EmbeddingCreateParams } from '../wire/embeddings.js';
import { createChatCompletion } from './chat-completions.js';
import { createCompletion } from './completions.js';
import { createEmbeddings } from './embeddings.js';
import { listModels } from './models-list.js';
import { rejectUnread } from './request-record.js';
import type { RouterContext } from './router-context.js';

/** A `fetch`-compatible function: what `new OpenAI({ fetch })` and other clients accept. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const jsonHeaders = { 'content-type': 'application/json' };

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...jsonHeaders, ...headers } });
}

/**
 * Errors as real HTTP statuses with the OpenAI envelope. The router has already retried and
 * fallen back, so `x-should-retry: false` tells the SDK not to run the whole routing again.
 */
function errorResponse(error: unknown): Response {
  const routerError = RouterError.isInstance(error)
    ? error
    : new RouterError(`internal error: ${error instanceof Error ? error.message : String(error)}`, { code: 'upstream_error', status: 500, cause: error });
  const headers: Record<string, string> = { 'x-should-retry': 'false' };
  const retryAfter = routerError.headers['retry-after'];
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  const auditId = routerError.route?.audit_id ?? routerError.auditId;
  if (auditId) headers['x-request-id'] = auditId;
  return json(routerError.toJSON(), routerError.status, headers);
}

interface IncomingCall {
  method: string;
  path: string;
  apiKey: string;
  signal: AbortSignal | undefined;
  body(): Promise<unknown>;
}

/**
 * The caller's key from `Authorization: Bearer …`. A request without one presents the empty key,
 * never the router's own `apiKey`: over HTTP an anonymous caller must not borrow it (with
 * `keys` configured it is refused with 401).
 */
function bearer(authorization: string | null): string {
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
  return match?.[1] ?? '';
}

/** Reads the call straight from `init` when the SDK passes a URL string (the common case), else via `Request`. */
function incoming(input: string | URL | Request, init: RequestInit | undefined): IncomingCall {
  if (typeof input === 'string' && init !== undefined && (init.body === undefined || typeof init.body === 'string')) {
    const headers = new Headers(init.headers);
    const text = init.body;
    return {
      method: (init.method ?? 'GET').toUpperCase(),
      path: new URL(input).pathname,
      apiKey: bearer(headers.get('authorization')),
      signal: init.signal ?? undefined,
      body: async () => parseJson(text ?? ''),
    };
  }
  const request = input instanceof Request && init === undefined ? input : new Request(input, init);
  return {
    method: request.method,
    path: new URL(request.url).pathname,
    apiKey: bearer(request.headers.get('authorization')),
    signal: request.signal,
    body: async () => parseJson(await request.text()),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError('The request body is not valid JSON.', null, error);
  }
}

/**
 * Serves the OpenAI REST surface in-process: `POST /v1/chat/completions` (JSON and SSE),
 * `POST /v1/completions` (JSON), `POST /v1/responses` (JSON and SSE), `POST /v1/embeddings`, `GET /v1/models` and
 * `GET /v1/models/{id}`. Only the path's suffix is matched, so any base URL works. The bearer
 * token is the caller's key.
 */
export function createFetchHandler(context: RouterContext, responses?: LoadResponses): FetchFunction {
  return async (input, init) => {
    try {
      const call = incoming(input, init);
      const path = call.path.replace(/\/+$/, '');
      if (path.endsWith('/chat/completions')) {
        if (call.method !== 'POST') return methodNotAllowed(context, call, path, 'chat.completions');
        const body = await readBody(context, call, 'chat.completions');
        const result = await createChatCompletion(context, body as ChatCompletionCreateParams, call);
        if (result instanceof ChatCompletionStream) {
          return new Response(encodeSse(result), {
            status: 200,
            headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': result.requestId },
          });
        }
        return json(result, 200, { 'x-request-id': result.route.audit_id ?? '' });
      }
      // After /chat/completions, which ends the same way.
      if (path.endsWith('/completions')) {
        if (call.method !== 'POST') return methodNotAllowed(context, call, path, 'completions');
        const result = await createCompletion(context, (await readBody(context, call, 'completions')) as CompletionCreateParams, call);
        return json(result, 200, { 'x-request-id': result.route.audit_id ?? '' });
      }
      if (path.endsWith('/responses') && responses) {
        if (call.method !== 'POST') return methodNotAllowed(context, call, path, 'responses');
        const body = await readBody(context, call, 'responses');
        const endpoint = await responses();
        const result = await endpoint.create(body as ResponseCreateParams, call);
        if (endpoint.isStream(result)) {
          return new Response(result.toSSEStream(), {
            status: 200,
            headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': result.requestId },
          });
        }
        return json(result, 200, { 'x-request-id': result.route?.audit_id ?? '' });
      }
      if (path.endsWith('/embeddings')) {
        if (call.method !== 'POST') return methodNotAllowed(context, call, path, 'embeddings');
        const body = await readBody(context, call, 'embeddings');
        const result = await createEmbeddings(context, body as EmbeddingCreateParams, call);
        return json(result, 200, { 'x-request-id': result.route.audit_id ?? '' });
      }
      const models = /\/models(?:\/(.+))?$/.exec(path);
      if (models) {
        if (call.method !== 'GET') return methodNotAllowedHere(call.method, path);
        const list = listModels(context, call.apiKey);
        if (models[1] === undefined) return json(list, 200);
        const id = decodeURIComponent(models[1]);
        const entry = list.data.find((model) => model.id === id || model.canonical === id);
        if (entry) return json(entry, 200);
        return json(
          { error: { message: `The model \`${id}\` does not exist or is not reachable under this router's policy.`, type: 'invalid_request_error', code: 'model_not_found', param: 'model' } },
          404,
        );
      }
      return json({ error: { message: `Unknown path ${call.path}.`, type: 'invalid_request_error', code: 'not_found', param: null } }, 404);
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

/** The request body; one that is not JSON still leaves its audit record. */
async function readBody(context: RouterContext, call: IncomingCall, endpoint: AuditRecordBody['endpoint']): Promise<unknown> {
  try {
    return await call.body();
  } catch (error) {
    throw rejectUnread(context, endpoint, call.apiKey, error);
  }
}

function methodNotAllowedHere(method: string, path: string): Response {
  return json({ error: { message: `${method} is not allowed on ${path}.`, type: 'invalid_request_error', code: 'invalid_request', param: null } }, 405);
}

/** A wrong method on a routed endpoint is still a request: it leaves its one (invalid) record. */
function methodNotAllowed(context: RouterContext, call: IncomingCall, path: string, endpoint: AuditRecordBody['endpoint']): Response {
  const error = new RouterError(`${call.method} is not allowed on ${path}; use POST.`, { code: 'invalid_request', status: 405 });
  return errorResponse(rejectUnread(context, endpoint, call.apiKey, error));
}
