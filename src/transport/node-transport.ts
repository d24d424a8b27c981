import type { Agent, ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { NodeModules } from './node-builtins.js';
import { ReadableByteReader } from './node-body.js';
import type { HeaderLookup, UpstreamRequest, UpstreamResponse } from './types.js';

/*
 * The native transport: one POST through node:http or node:https on a keep-alive agent. Against
 * Node's fetch it saves the WHATWG layers a JSON exchange never needs (Request/Response/Headers
 * objects, a web stream per body, an AbortSignal bridge per call): measured in docs/performance.md.
 * It behaves as the fetch path does, failure for failure: what rejects is worded as Node's fetch
 * words it (`fetch failed` with the socket's error as cause, `terminated` for a body cut short),
 * so errors, blame and retries do not depend on the transport.
 */

/** Where one URL points, parsed once. */
interface Target {
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
}

const targets = new Map<string, Target>();
/** Bounds the parsed-URL cache: adapters have a handful of URLs each, a runaway caller many. */
const maxTargets = 256;

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    const secure = parsed.protocol === 'https:';
    target = {
      secure,
      // node:http wants an IPv6 literal without its brackets.
      hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port || (secure ? '443' : '80'),
      path: `${parsed.pathname}${parsed.search}`,
    };
    if (targets.size >= maxTargets) targets.clear();
    targets.set(url, target);
  }
  return target;
}

/**
 * The agents: one per protocol, each keeping a pool of idle connections per origin (host and
 * port), as Node's global agent does (keep-alive, the most recent socket reused first, idle
 * sockets closed after 5 s or the server's `Keep-Alive: timeout`). Our own, so an application
 * that reconfigures `http.globalAgent` does not change how sovroute connects.
 */
let agents: { http: Agent; https: Agent } | undefined;

function agentFor(modules: NodeModules, secure: boolean): Agent {
  agents ??= {
    http: new modules.http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 }),
    https: new modules.https.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 }),
  };
  return secure ? agents.https : agents.http;
}

/**
 * Sends `request` through node:http(s). Resolves once the status and headers are in; rejects
 * (as fetch would: `TypeError('fetch failed')` with the cause, or the signal's reason) when the
 * connection fails first or the signal aborts.
 */
export function nativePost(modules: NodeModules, request: UpstreamRequest): Promise<UpstreamResponse> {
  const { signal } = request;
  return new Promise<UpstreamResponse>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const target = targetOf(request.url);
    let outgoing: ClientRequest;
    let incoming: IncomingMessage | undefined;
    // Node's fetch says who calls: keep the upstream's view of a request the same on both transports.
    const headers = request.headers['user-agent'] === undefined ? { 'user-agent': 'node', ...request.headers } : request.headers;
    try {
      outgoing = (target.secure ? modules.https : modules.http).request(
        {
          method: 'POST',
          hostname: target.hostname,
          port: target.port,
          path: target.path,
          headers,
          agent: agentFor(modules, target.secure),
        },
        (response) => {
          incoming = response;
          resolve(new NodeResponse(outgoing, response, modules));
        },
      );
    } catch (error) {
      // An invalid header name or value, refused before anything was sent.
      return reject(new TypeError('fetch failed', { cause: error }));
    }
    if (signal !== undefined) {
      // Destroying the response (once there is one) fails its body's reads with the reason.
      const onAbort = () => void (incoming ?? outgoing).destroy(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      outgoing.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    // After the response arrived its body reports failures; before, they reject the call.
    outgoing.on('error', (error) => {
      if (incoming === undefined) reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
    });
    // Stringified once by the adapter, sent in one write with the headers (Node adds Content-Length).
    outgoing.end(request.body);
  });
}

const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/** A node:http response as an {@link UpstreamResponse}: headers read in place, the body pulled as it arrives. */
class NodeResponse implements UpstreamResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: HeaderLookup;
  readonly #body: ReadableByteReader;

  constructor(request: ClientRequest, response: IncomingMessage, modules: NodeModules) {
    this.status = response.statusCode ?? 0;
    this.ok = this.status >= 200 && this.status < 300;
    this.headers = new IncomingHeaders(response.headers);
    this.#body = new ReadableByteReader(decoded(response, modules), () => request.destroy());
  }

  text(maxBytes: number) {
    return this.#body.text(maxBytes);
  }

  reader() {
    // As fetch has it: these statuses have no body (`Response.body` is null).
    return nullBodyStatuses.has(this.status) ? null : this.#body;
  }
}

/** The body as sent, or through a decompressor when the upstream compressed it (as fetch decodes it). */
function decoded(response: IncomingMessage, modules: NodeModules): Readable {
  const encoding = response.headers['content-encoding']?.trim().toLowerCase();
  if (encoding === undefined || encoding === '' || encoding === 'identity') return response;
  const { zlib } = modules;
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip(flush)
      : encoding === 'deflate'
        ? zlib.createInflate(flush)
        : encoding === 'br'
          ? zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })
          : undefined;
  if (decoder === undefined) return response; // an unknown coding is passed on as it is, like fetch does
  response.on('error', (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

/** Response headers as `Headers` reads them, straight from Node's parsed object. */
class IncomingHeaders implements HeaderLookup {
  readonly #headers: IncomingHttpHeaders;

  constructor(headers: IncomingHttpHeaders) {
    this.#headers = headers;
  }

  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.#headers[name.toLowerCase()] !== undefined;
  }
}
