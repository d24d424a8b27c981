import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline, Readable } from 'node:stream';
import { InvalidApiKeyError, InvalidRequestError, RouterError } from '../errors.js';
import { bodyTooLarge, declaredOverLimit, notUtf8 } from '../router/body-limit.js';
import { bearer } from '../router/bearer.js';
import type { Router } from '../router/create-router.js';
import { internalsOf, type RouterInternals } from '../router/router-internals.js';
import { incomingTraceContext } from '../router/trace-context.js';
import { redactCredentialShapes } from '../providers/redact.js';
import { answerClientError } from './client-error.js';
import { checkOrigin, createHostCheck, isJsonContentType, isLoopbackHost, preflightHeaders } from './edge-checks.js';
import { readRequestBody } from './read-request-body.js';
import { resolveServeOptions, type ResolvedServeOptions, type ServeOptions } from './serve-options.js';

export type { CorsOptions, ServeOptions } from './serve-options.js';

interface Edge {
  router: Router;
  internals: RouterInternals | undefined;
  options: ResolvedServeOptions;
  hostAllowed(host: string | undefined): boolean;
  /**
   * 200 once listening, the audit sinks have told where their logs end (a chain continues from
   * there) and every sink stores records; 503 otherwise, naming the sinks that cannot.
   */
  readiness(): { status: number; body: Readiness };
}

/** The body of `GET /readyz`. */
type Readiness =
  | { status: 'ready' | 'unavailable' }
  | { status: 'unavailable'; audit: { failing: { sink: string; since: string; waiting: number }[] } };

/**
 * Serves `router.fetch` over `node:http`, for clients in other languages or processes, with the
 * defaults of a gateway that holds provider keys: without keys (the router's `keys` or serve's
 * own) it binds only to loopback (another host is refused unless `allowAnonymous: true`) and
 * warns once; every request must name this server in `Host` (or `allowedHosts`), come from no
 * other browser origin (unless `cors` allows it), send JSON on POST, and arrive within
 * `requestTimeoutMs`. Each refusal is an OpenAI error envelope with one audit record.
 * `GET /healthz` answers `{ "status": "ok" }` without either; `GET /readyz` answers 200 once
 * listening with the audit sinks resumed, 503 while an audit sink cannot store records (naming it
 * and since when) and from `server.close()` on. Resolves once listening; `server.address()` tells
 * the port.
 */
export async function serve(router: Router, options: ServeOptions = {}): Promise<Server> {
  const internals = internalsOf(router);
  const resolved = resolveServeOptions(options, internals?.maxBodyBytes);
  if (internals !== undefined && resolved.maxBodyBytes > internals.maxBodyBytes) {
    throw new InvalidRequestError(
      `serve: maxBodyBytes ${resolved.maxBodyBytes} is above the router's limits.maxBodyBytes (${internals.maxBodyBytes}), which refuses larger bodies with 413 once serve has read them: raise limits.maxBodyBytes, or leave serve's maxBodyBytes out to take the router's.`,
      'maxBodyBytes',
    );
  }
  const keyed = resolved.keys.size > 0 || internals?.keyed === true;
  const loopback = isLoopbackHost(resolved.host);
  if (!keyed && !loopback && !resolved.allowAnonymous) {
    throw new InvalidRequestError(
      `serve: refusing to listen on ${resolved.host} without API keys: anyone who reaches it would spend the providers' keys. ` +
        `Configure keys on the router (createRouter({ keys })) or serve's keys, bind to 127.0.0.1, or pass allowAnonymous: true to serve anonymously anyway.`,
      'host',
    );
  }
  // Loopback keeps other machines out, not the pages of this one's browser: '*' would let them all in.
  if (!keyed && resolved.cors?.origins === '*' && !resolved.allowAnonymous) {
    throw new InvalidRequestError(
      `serve: refusing cors origins '*' without API keys: any web page open in a browser on this machine could call the server and spend the providers' keys. ` +
        `Configure keys, list the origins that may call in cors.origins, or pass allowAnonymous: true to allow any page anyway.`,
      'cors',
    );
  }
  const timeout = resolved.requestTimeoutMs;
  const server = createServer({
    headersTimeout: timeout,
    // A backstop only: the body's own timer (in handle) answers first with an audited 408.
    requestTimeout: timeout * 2,
    // How often Node looks for expired headers; its default (30 s) would stretch a short timeout.
    connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(timeout / 4))),
    keepAliveTimeout: resolved.keepAliveTimeoutMs,
  });
  server.maxConnections = resolved.maxConnections;
  let resumed = false;
  const readiness = (): { status: number; body: Readiness } => {
    if (!resumed || !server.listening) return { status: 503, body: { status: 'unavailable' } };
    // A sink that cannot store records makes every request served here one the log misses (or
    // one held back by a full queue): the load balancer should send them elsewhere until it can.
    const failing = internals?.failingAuditSinks?.() ?? [];
    if (failing.length === 0) return { status: 200, body: { status: 'ready' } };
    const sinks = failing.map(({ sink, since, waiting }) => ({ sink: withoutCredentials(sink), since: new Date(since).toISOString(), waiting }));
    return { status: 503, body: { status: 'unavailable', audit: { failing: sinks } } };
  };
  const edge: Edge = { router, internals, options: resolved, hostAllowed: () => false, readiness };
  const pending = new Set<Promise<void>>();
  handling.set(server, pending);
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const handled = handle(edge, request, response).catch((error: unknown) => {
      // router.fetch rejects only when the client hung up (the router recorded that); anything
      // else is a bug, still answered with an envelope when the response has not started.
      if (!response.headersSent && !response.destroyed) {
        const internal = new RouterError(`internal error: ${error instanceof Error ? error.message : String(error)}`, { code: 'upstream_error', status: 500, cause: error });
        response.writeHead(500, { 'content-type': 'application/json', 'x-should-retry': 'false' });
        response.end(JSON.stringify(internal));
      } else response.destroy();
    });
    pending.add(handled);
    void handled.then(() => pending.delete(handled));
  };
  server.on('request', onRequest);
  // `Expect: 100-continue` is answered by handle, after the checks: a refused body is never invited.
  server.on('checkContinue', onRequest);
  // Any other expectation too, refused by handle with an audited envelope rather than Node's bare 417.
  server.on('checkExpectation', onRequest);
  server.on('clientError', (error: Error, socket) => answerClientError(error, socket, timeout));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  edge.hostAllowed = createHostCheck(resolved, (server.address() as AddressInfo).port);
  // A flush waits for the sinks to report their last hash; whatever it settles to, they have answered.
  const settle = () => {
    resumed = true;
  };
  router.flush().then(settle, settle);
  if (!keyed) {
    process.emitWarning(
      loopback
        ? `sovroute serve(): no API keys are configured, so this server answers only on loopback (${resolved.host}), and any local process or page it lets through spends the providers' keys. Configure keys, or pass allowAnonymous: true to serve other hosts without keys.`
        : `sovroute serve(): allowAnonymous: true and no API keys: anyone who reaches ${resolved.host} spends the providers' keys.`,
      { code: 'SOVROUTE_ANONYMOUS_SERVER' },
    );
  }
  return server;
}

/**
 * A sink's name without the credentials a URL in it may hold: `/readyz` answers anyone who
 * reaches the server. The built-in sinks' names hold none (`postgres:<table>`, `jsonl:<path>`); a
 * sink of the application's may name a URL. Hidden as `***`: the user information (`//user:
 * password@`, up to the last `@` before a space, since a password written unencoded may hold `/`
 * or `@`), the value of a query parameter whose name says it is a secret (`?api_key=`, `&sig=`,
 * `?token=`, `?password=`), and a bearer token or an API key known by its shape.
 */
function withoutCredentials(name: string): string {
  const hidden = name.replace(/\/\/[^\s]*@/g, '//***@').replace(secretParameter, '$1***');
  return redactCredentialShapes(hidden);
}

/** A query parameter (its `?`/`&`, name and `=` kept) whose name says its value is a credential. */
const secretParameter = /([?&;][^=&#\s]*(?:pass|pwd|token|secret|key|sig|auth|credential)[^=&#\s]*=)[^&#\s]*/gi;

/** The requests each server is still handling. */
const handling = new WeakMap<Server, Set<Promise<void>>>();

/**
 * Resolves once every request `server` has taken is handled: a call cut by its client or by
 * `closeAllConnections()` has then ended in the router, its audit record handed to the trail,
 * so a `router.close()` after it loses none.
 */
export async function requestsHandled(server: Server): Promise<void> {
  const pending = handling.get(server);
  while (pending !== undefined && pending.size > 0) await Promise.all(pending);
}


/** How Node tells `Expect: 100-continue` from other expectations (`checkContinue` vs `checkExpectation`). */
const continueExpectation = /(?:^|\W)100-continue(?:$|\W)/i;

function refused(message: string, status: number, type = 'invalid_request_error'): RouterError {
  return new RouterError(message, { code: 'invalid_request', status, type });
}

async function handle(edge: Edge, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { options } = edge;
  const method = request.method ?? 'GET';
  const target = originForm(request.url ?? '/');
  const path = target.split('?', 1)[0]!;
  // HEAD is GET without the body (RFC 9110): a probe that sends it is answered the same.
  const get = method === 'GET' || method === 'HEAD';
  if (get && path === '/healthz') {
    write(response, new Response('{"status":"ok"}', { status: 200, headers: { 'content-type': 'application/json' } }));
    return;
  }
  if (get && path === '/readyz') {
    const { status, body } = edge.readiness();
    write(response, new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
    return;
  }
  const azureKey = request.headers['api-key'];
  const apiKey = bearer(request.headers.authorization, typeof azureKey === 'string' ? azureKey : undefined);
  let extra: Record<string, string> = {};
  const refuse = async (error: RouterError) => {
    const answer = edge.internals
      ? await edge.internals.refuse({ path, apiKey, trace: incomingTraceContext(request.headers.traceparent, request.headers.tracestate) }, error)
      : new Response(JSON.stringify(error), { status: error.status, headers: { 'content-type': 'application/json', 'x-should-retry': 'false' } });
    const text = await answer.text();
    const headers = { ...Object.fromEntries(answer.headers), ...extra, 'content-length': String(Buffer.byteLength(text)) };
    if (request.complete) {
      response.writeHead(answer.status, headers).end(text);
      return;
    }
    // A body left unread is not drained: the connection closes once the answer is out, so a
    // client still sending stops.
    response.once('finish', () => request.destroy());
    response.writeHead(answer.status, { ...headers, connection: 'close' }).end(text);
  };

  const host = request.headers.host;
  if (!edge.hostAllowed(host)) {
    return refuse(
      refused(`The Host ${JSON.stringify(host ?? '')} is not one this server answers to; list it in serve's allowedHosts.`, 403, 'permission_error'),
    );
  }
  const origin = checkOrigin(options, request.headers.origin, host);
  if (origin.kind === 'refused') {
    return refuse(
      refused(`Requests from the browser origin ${JSON.stringify(origin.origin)} are not allowed; list it in serve's cors.origins.`, 403, 'permission_error'),
    );
  }
  if (origin.kind === 'allowed') extra = origin.headers;
  if (method === 'OPTIONS') {
    const headers =
      origin.kind === 'allowed'
        ? preflightHeaders(origin.headers, request.headers['access-control-request-headers'])
        : { allow: 'GET, HEAD, POST, OPTIONS' };
    write(response, new Response(null, { status: 204, headers }));
    return;
  }
  const expectation = request.headers.expect;
  if (expectation !== undefined && !continueExpectation.test(expectation)) {
    return refuse(refused(`The expectation Expect: ${JSON.stringify(expectation)} cannot be met; the only one this server meets is 100-continue.`, 417));
  }
  if (method === 'POST' && !isJsonContentType(request.headers['content-type'])) {
    return refuse(
      refused(`The request body must be JSON, sent with content-type: application/json (got ${JSON.stringify(request.headers['content-type'] ?? 'none')}).`, 415),
    );
  }
  // Read as it comes, a compressed body is "not valid JSON"; this server takes none (RFC 9110 §15.5.16).
  const coding = request.headers['content-encoding']?.trim().toLowerCase();
  if (!get && coding !== undefined && coding !== '' && coding !== 'identity') {
    extra = { ...extra, 'accept-encoding': 'identity' };
    return refuse(refused(`The request body is compressed (content-encoding: ${JSON.stringify(coding.slice(0, 64))}); this server takes uncompressed JSON only.`, 415));
  }
  if (options.keys.size > 0 && !options.keys.has(apiKey)) {
    return refuse(apiKey ? new InvalidApiKeyError() : new InvalidApiKeyError('An API key is required: this server accepts only its configured keys, sent as Authorization: Bearer <key> or in an api-key header.'));
  }
  // The router's own keys too: a stranger is never invited to send a body, nor has it buffered.
  const keyRefusal = edge.internals?.refusesKey?.(apiKey);
  if (keyRefusal) return refuse(keyRefusal);

  const init: RequestInit = { method, headers: headersOf(request) };
  if (method !== 'GET' && method !== 'HEAD') {
    const limitOption = "serve's maxBodyBytes";
    if (declaredOverLimit(request.headers['content-length'], options.maxBodyBytes)) return refuse(bodyTooLarge(options.maxBodyBytes, limitOption));
    if (expectation !== undefined) response.writeContinue();
    const body = await readRequestBody(request, options.maxBodyBytes, options.requestTimeoutMs);
    if (body.kind === 'gone') return;
    if (body.kind === 'too-large') return refuse(bodyTooLarge(options.maxBodyBytes, limitOption));
    if (body.kind === 'not-utf8') return refuse(notUtf8(body.error));
    if (body.kind === 'timeout') {
      return refuse(refused(`The request body did not arrive within ${options.requestTimeoutMs} ms (serve's requestTimeoutMs).`, 408));
    }
    init.body = body.text;
  }

  const controller = new AbortController();
  init.signal = controller.signal;
  // The client hanging up aborts the routed call and its upstream.
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  // The router reads only the path: the Host, already checked above, could make the URL
  // unparseable (allowedHosts '*' lets any through) and the call go unrecorded.
  const result = await edge.router.fetch(`http://localhost${target}`, init);
  write(response, result, extra);
}

/**
 * The path and query of a request target. A client talking through a proxy sends the absolute
 * form (`http://host/v1/models`), which HTTP/1.1 servers must accept; `Host` still decides who
 * it is addressed to.
 */
function originForm(target: string): string {
  if (target.startsWith('/')) return target;
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return target;
  }
}

function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  return headers;
}

/** Writes a fetch `Response` to the socket, streaming its body. */
function write(response: ServerResponse, result: Response, extra: Record<string, string> = {}): void {
  response.writeHead(result.status, { ...Object.fromEntries(result.headers), ...extra });
  if (result.body === null) {
    response.end();
    return;
  }
  const body = Readable.fromWeb(result.body as import('node:stream/web').ReadableStream<Uint8Array>);
  // A body that fails mid-way (a Responses stream the router ended) cuts the connection, so the
  // client sees a broken answer, never a quiet end; the client hanging up cancels the body.
  pipeline(body, response, () => {});
}
