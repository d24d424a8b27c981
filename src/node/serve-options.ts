import * as z from 'zod';
import { InvalidRequestError } from '../errors.js';

/** Which browser origins may call the server (cross-origin requests and their preflight). */
export interface CorsOptions {
  /**
   * Origins allowed to call, exactly as browsers send them (`'https://app.example.com'`), or
   * `'*'` for any. Only sensible with keys: a page can then spend them only if it holds one.
   */
  origins: string[] | '*';
}

export interface ServeOptions {
  /** Port to listen on; 0 picks a free one. @default 8787 */
  port?: number;
  /**
   * Interface to bind. Without keys (`keys` here or on the router), only a loopback address is
   * accepted unless `allowAnonymous` is set.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Bearer tokens this server accepts, checked before the router sees the request; any other
   * token is refused with 401. Use it when the router itself has no `keys`; a router with `keys`
   * already refuses unknown keys, and either makes the server keyed.
   */
  keys?: string[];
  /**
   * Serve without keys on a non-loopback host: anyone who reaches the port spends the providers'
   * keys. Without it, such a start is refused.
   * @default false
   */
  allowAnonymous?: boolean;
  /**
   * `Host` values accepted besides the loopback names (`127.0.0.1`, `localhost`, `[::1]` on the
   * bound port) and the bound address: `'api.example.com'` (any port) or
   * `'api.example.com:8443'`, or `'*'` for any. Other hosts get 403, which stops DNS rebinding.
   * @default []
   */
  allowedHosts?: string[] | '*';
  /** Cross-origin browser access. Without it, a request whose `Origin` is not this server's gets 403. */
  cors?: CorsOptions;
  /**
   * Largest request body accepted; a larger one is refused with 413 without being buffered. At
   * most the router's `limits.maxBodyBytes`: a larger value is refused at start.
   * @default the router's `limits.maxBodyBytes` (16 MiB)
   * @unit bytes
   */
  maxBodyBytes?: number;
  /**
   * How long a client has to send its request headers, and then its body: a slower one is cut
   * (408 when the headers are in and a response can still be sent).
   * @unit milliseconds
   * @default 30000
   */
  requestTimeoutMs?: number;
  /** Most connections open at once; further ones are closed on arrival. @default 1024 */
  maxConnections?: number;
  /** How long an idle keep-alive connection stays open. @unit milliseconds @default 5000 */
  keepAliveTimeoutMs?: number;
}

export interface ResolvedServeOptions {
  port: number;
  host: string;
  keys: ReadonlySet<string>;
  allowAnonymous: boolean;
  allowedHosts: readonly string[] | '*';
  cors: { origins: readonly string[] | '*' } | undefined;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  maxConnections: number;
  keepAliveTimeoutMs: number;
}

/** Node's timers hold at most 2^31 - 1 ms. */
const maxTimerMs = 2_147_483_647;
const milliseconds = () => z.number().int().positive().max(maxTimerMs);

/** An origin as browsers send it in `Origin` (scheme, host, port unless the default), or undefined. */
function serializedOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** An entry no browser's `Origin` can equal (a trailing slash, a default port) would refuse every call. */
const corsOrigin = z
  .string()
  .min(1)
  .superRefine((value, context) => {
    const origin = serializedOrigin(value);
    if (origin === value.toLowerCase()) return;
    const form = origin ? `write ${JSON.stringify(origin)}` : `such as "https://app.example" (or origins: '*' for any)`;
    context.addIssue({ code: 'custom', message: `must be an origin as browsers send it, ${form}; got ${JSON.stringify(value.slice(0, 256))}` });
  });

/**
 * A host `listen` takes: a name or IPv4 address, or an IPv6 address without brackets. With a port
 * or a scheme (`127.0.0.1:8080`, `http://localhost`) listen fails with "getaddrinfo ENOTFOUND".
 */
export const listenHostPattern = /^(?:[^\s:/@[\]]+|[0-9a-f.]*:[0-9a-f:.]*:[0-9a-z:.%]*)$/i;

/** What {@link listenHostPattern} asks for, in the words of the configuration file and serve(). */
export const listenHostRule = "must be an interface's address or name alone, such as 127.0.0.1, 0.0.0.0, :: or localhost (no scheme; the port goes in port)";

/** `host`, `host:port` or `[v6]:port`, as clients send it in `Host`. */
const hostAndPort = /^(?:\[[0-9a-f:.]+\]|[^\s/:@?#[\]]+)(?::\d{1,5})?$/i;

const allowedHost = z
  .string()
  .min(1)
  .superRefine((value, context) => {
    if (hostAndPort.test(value)) return;
    const host = serializedOrigin(value) === undefined ? undefined : new URL(value).host;
    const form = host ? `write ${JSON.stringify(host)}` : `such as "llm.internal" or "llm.internal:8443" (IPv6 in brackets)`;
    context.addIssue({ code: 'custom', message: `must be a host as clients send it in Host, ${form}; got ${JSON.stringify(value.slice(0, 256))}` });
  });

const serveOptionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).optional(),
  host: z.string().regex(listenHostPattern, listenHostRule).optional(),
  keys: z.array(z.string().min(1)).optional(),
  allowAnonymous: z.boolean().optional(),
  allowedHosts: z.union([z.array(allowedHost), z.literal('*')]).optional(),
  cors: z.strictObject({ origins: z.union([z.array(corsOrigin), z.literal('*')]) }).optional(),
  maxBodyBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  requestTimeoutMs: milliseconds().optional(),
  maxConnections: z.number().int().positive().optional(),
  keepAliveTimeoutMs: milliseconds().optional(),
});

export function resolveServeOptions(options: ServeOptions, routerMaxBodyBytes: number | undefined): ResolvedServeOptions {
  const parsed = serveOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = ['options', ...issue.path.map(String)].join('.');
    throw new InvalidRequestError(`serve: ${name} ${issue.message}`, name.slice('options.'.length) || null);
  }
  return {
    port: options.port ?? 8787,
    host: options.host ?? '127.0.0.1',
    keys: new Set(options.keys ?? []),
    allowAnonymous: options.allowAnonymous ?? false,
    allowedHosts: options.allowedHosts === '*' ? '*' : (options.allowedHosts ?? []).map((host) => host.toLowerCase()),
    cors: options.cors && { origins: options.cors.origins === '*' ? '*' : options.cors.origins.map((origin) => origin.toLowerCase()) },
    maxBodyBytes: options.maxBodyBytes ?? routerMaxBodyBytes ?? 16 * 1024 * 1024,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    maxConnections: options.maxConnections ?? 1024,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 5000,
  };
}
