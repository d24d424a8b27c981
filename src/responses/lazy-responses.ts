import { loadOnce } from '../internal/load-once.js';
import type { RouterContext } from '../router/router-context.js';
import type { ResponsesOptions } from './options.js';
import type { ResponsesEndpoint } from './responses-endpoint.js';

/** Resolves to the router's Responses endpoint, loading its code on the first call. */
export type LoadResponses = () => Promise<ResponsesEndpoint>;

/** The router's Responses endpoint, loaded on first use, and its part of `router.close()`. */
export interface LazyResponses {
  load: LoadResponses;
  /** The endpoint's `close()` (see `ResponsesEndpoint.close`); loads nothing, and an endpoint loaded later starts closed. */
  close(): Promise<void>;
}

/**
 * The Responses translation is loaded on first use: an app that never calls
 * `router.responses` or `POST /v1/responses` neither loads nor bundles it (it is a separate
 * chunk of the package), which keeps the core within its size budget.
 */
export function lazyResponses(context: RouterContext, options: ResponsesOptions | undefined): LazyResponses {
  let endpoint: ResponsesEndpoint | undefined;
  let closed = false;
  const load = loadOnce(() =>
    import('./responses-endpoint.js').then((module) => {
      endpoint = module.responsesEndpoint(context, options);
      if (closed) void endpoint.close();
      return endpoint;
    }),
  );
  return {
    load,
    close() {
      closed = true;
      return endpoint ? endpoint.close() : Promise.resolve();
    },
  };
}
