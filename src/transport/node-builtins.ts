import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Zlib from 'node:zlib';

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
  try {
    const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    if (typeof getBuiltinModule !== 'function') return (loaded = null);
    const http = getBuiltinModule('node:http') as typeof Http | undefined;
    const https = getBuiltinModule('node:https') as typeof Https | undefined;
    const zlib = getBuiltinModule('node:zlib') as typeof Zlib | undefined;
    loaded = http?.request !== undefined && https?.request !== undefined && zlib !== undefined ? { http, https, zlib } : null;
  } catch {
    loaded = null;
  }
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

/** Whether `globalThis.fetch` is, right now, Node's own: nobody has put a wrapper or a mock in its place. */
export function globalFetchIsNodes(): boolean {
  return nodesOwnFetch !== undefined && globalThis.fetch === nodesOwnFetch;
}
