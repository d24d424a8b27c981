import { fetchPost } from './fetch-transport.js';
import { fetchIsNodesOwn, nodeModules } from './node-builtins.js';
import { nativePost } from './node-transport.js';
import type { TransportName, UpstreamRequest, UpstreamResponse } from './types.js';

/** Sends one request upstream; rejects as `fetch` rejects. */
export type UpstreamTransport = (request: UpstreamRequest) => Promise<UpstreamResponse>;

/**
 * The transport used when an adapter is not given one. Internal: the test suite's setup sets it to
 * `fetch` (SOVROUTE_TEST_TRANSPORT=fetch) to prove that every test passes on both transports. No
 * production code path reads the environment for it.
 */
let defaultTransport: TransportName = 'native';

/** Sets the transport adapters use when their options name none. For the test suite's setup only. */
export function setDefaultTransport(name: TransportName): void {
  defaultTransport = name;
}

/**
 * How an adapter sends, decided at each call:
 *
 * - a `fetch` of its own (the adapter's option) is always called: it is the caller's choice;
 * - otherwise the native transport, unless `transport: 'fetch'` was asked for, node:http cannot be
 *   loaded here (an edge runtime, Node before 20.16), or `globalThis.fetch` is no longer Node's own
 *   (msw, a fetch wrapper, instrumentation installed in its place, or a proxy or mock dispatcher
 *   installed with undici's `setGlobalDispatcher`): those must see the request;
 * - otherwise the global fetch, read at the call.
 */
export function createUpstreamTransport(preference: TransportName | undefined, fetch: typeof globalThis.fetch | undefined): UpstreamTransport {
  if (fetch !== undefined) return (request) => fetchPost(fetch, request);
  return (request) => {
    if ((preference ?? defaultTransport) === 'native' && fetchIsNodesOwn()) {
      const modules = nodeModules();
      if (modules !== null) return nativePost(modules, request);
    }
    return fetchPost(globalThis.fetch, request);
  };
}
