import type { ResolvedServeOptions } from './serve-options.js';

/*
 * What serve() checks before a request reaches the router: that it was addressed to this server
 * (Host), that a browser page from elsewhere did not send it (Origin), and that a POST is JSON.
 * Together they close the ways a web page can reach a local gateway: DNS rebinding (a foreign
 * Host), cross-site fetch (a foreign Origin) and form posts (text/plain, no preflight).
 */

const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];

/** Whether `host` is a loopback interface: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127(?:\.\d{1,3}){3}$/.test(name) || /^::ffff:127(?:\.\d{1,3}){3}$/.test(name);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** A `host[:port]` (IPv6 in brackets) split in two; the port is '' when absent. */
export function splitHost(value: string): { name: string; port: string } {
  const lower = value.trim().toLowerCase();
  const colon = lower.lastIndexOf(':');
  if (colon === -1 || lower.lastIndexOf(']') > colon) return { name: lower, port: '' };
  return { name: lower.slice(0, colon), port: lower.slice(colon + 1) };
}

/** The `Host` values this server answers to, once its port is known. */
export function createHostCheck(options: ResolvedServeOptions, port: number): (host: string | undefined) => boolean {
  if (options.allowedHosts === '*') return () => true;
  const bound = isWildcard(options.host) ? [] : [options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host.toLowerCase()}]` : options.host.toLowerCase()];
  const exact = new Set([...loopbackNames, ...bound].map((name) => `${name}:${port}`));
  const anyPort = new Set<string>();
  for (const entry of options.allowedHosts) {
    const { name, port: entryPort } = splitHost(entry);
    if (entryPort === '') anyPort.add(name);
    else exact.add(`${name}:${entryPort}`);
  }
  return (host) => {
    if (host === undefined || host === '') return false;
    const { name, port: hostPort } = splitHost(host);
    // A Host without a port means the scheme's default one.
    return anyPort.has(name) || exact.has(`${name}:${hostPort || '80'}`);
  };
}

export type OriginVerdict =
  /** No `Origin`, or this server's own: not a cross-origin browser request. */
  | { kind: 'same' }
  /** A cross-origin request `cors` allows: answer with these headers. */
  | { kind: 'allowed'; headers: Record<string, string> }
  | { kind: 'refused'; origin: string };

/** Judges a request's `Origin` against its `Host` and the `cors` option. */
export function checkOrigin(options: ResolvedServeOptions, origin: string | undefined, host: string | undefined): OriginVerdict {
  if (origin === undefined) return { kind: 'same' };
  const lower = origin.trim().toLowerCase();
  if (host !== undefined && sameOrigin(lower, host)) return { kind: 'same' };
  const allowed = options.cors?.origins;
  if (allowed === '*' || allowed?.includes(lower)) {
    return {
      kind: 'allowed',
      headers: {
        'access-control-allow-origin': origin,
        'access-control-expose-headers': 'x-request-id, retry-after, retry-after-ms, x-should-retry',
        vary: 'origin',
      },
    };
  }
  return { kind: 'refused', origin };
}

function sameOrigin(origin: string, host: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (a sandboxed page, a file) and anything else unparseable
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  const target = splitHost(host);
  return url.hostname === target.name && (url.port || defaultPort) === (target.port || defaultPort);
}

/** The preflight answer for an allowed origin: what a browser needs to send the real request. */
export function preflightHeaders(allowed: Record<string, string>, requestedHeaders: string | undefined): Record<string, string> {
  return {
    ...allowed,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': requestedHeaders ?? 'authorization, content-type',
    'access-control-max-age': '600',
    vary: 'origin, access-control-request-method, access-control-request-headers',
  };
}

/** Whether a `content-type` is JSON (`application/json`, any parameters). */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return media === 'application/json';
}
