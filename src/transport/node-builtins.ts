import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Zlib from 'node:zlib';
import { nodeBuiltin } from '../internal/node-builtin.js';

/*
 * Node's built-ins, loaded at run time and only when the native transport is first used: the core
 * entry stays free of `node:` imports, so it bundles for edge runtimes as it is. Type imports are
 * erased from the output.
 */

/** The modules the native transport needs, once loaded. */
export interface NodeModules {
  http: typeof Http;
  https: typeof Https;
  zlib: typeof Zlib;
}

let loaded: NodeModules | null | undefined;

/**
 * node:http, node:https and node:zlib through `process.getBuiltinModule` (Node 20.16+, 22.3+),
 * cached after the first call; null when the runtime has no such function (an older Node, an
 * edge runtime, a browser), and then the adapter uses fetch.
 */
export function nodeModules(): NodeModules | null {
  if (loaded !== undefined) return loaded;
  const http = nodeBuiltin<typeof Http>('node:http');
  const https = nodeBuiltin<typeof Https>('node:https');
  const zlib = nodeBuiltin<typeof Zlib>('node:zlib');
  loaded = http?.request !== undefined && https?.request !== undefined && zlib !== undefined ? { http, https, zlib } : null;
  return loaded;
}

/**
 * Node's own `fetch`, as it was when this module loaded; undefined when the global one then was
 * something else (already replaced, or another runtime's).
 *
 * Why both a capture and a look at the function: msw, fetch wrappers and instrumentation replace
 * `globalThis.fetch`, usually after this module loads (msw's `server.listen()` runs in a test's
 * `beforeAll`), and then the identity check at call time sends the request through their fetch.
 * One installed before this module loaded would be captured instead, so the captured function
 * must also be Node's: its source is Node's lazy loader of the bundled undici, which a wrapper's
 * is not. A miss here only costs speed: the call goes through fetch, which is always correct.
 */
const nodesOwnFetch: typeof globalThis.fetch | undefined = (() => {
  try {
    const fetch = globalThis.fetch;
    if (typeof fetch !== 'function' || fetch.name !== 'fetch') return undefined;
    return /internal\/deps\/undici|lazyUndici/.test(Function.prototype.toString.call(fetch)) ? fetch : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * Where Node's fetch (and the undici package) keep the dispatcher every fetch goes through. An
 * application that installs its own with undici's `setGlobalDispatcher` (a `ProxyAgent`, an
 * `EnvHttpProxyAgent`, a `MockAgent` in tests) expects every request to go through it.
 */
const globalDispatcher = Symbol.for('undici.globalDispatcher.1');
/** The last global dispatcher seen to be a plain undici `Agent` (Node's default). */
let plainDispatcher: unknown;

/**
 * Whether a request may bypass fetch without anyone noticing: `globalThis.fetch` is, right now,
 * Node's own (nobody put a wrapper or a mock in its place), and its global dispatcher is none, or
 * a plain `Agent`, not a proxy or a mock an application installed.
 */
export function fetchIsNodesOwn(): boolean {
  if (nodesOwnFetch === undefined || globalThis.fetch !== nodesOwnFetch) return false;
  const dispatcher = (globalThis as Record<symbol, unknown>)[globalDispatcher];
  if (dispatcher === undefined || dispatcher === plainDispatcher) return true;
  if ((dispatcher as { constructor?: { name?: unknown } } | null)?.constructor?.name !== 'Agent') return false;
  plainDispatcher = dispatcher;
  return true;
}
