import { loadOnce } from '../internal/load-once.js';
import type { RouterContext } from '../router/router-context.js';
import type { ResponsesOptions } from './options.js';
import type { ResponsesEndpoint } from './responses-endpoint.js';

/** Resolves to the router's Responses endpoint, loading its code on the first call. */
export type LoadResponses = () => Promise<ResponsesEndpoint>;

/**
 * The Responses translation is loaded on first use: an app that never calls
 * `router.responses` or `POST /v1/responses` neither loads nor bundles it (it is a separate
 * chunk of the package), which keeps the core within its size budget.
 */
export function lazyResponses(context: RouterContext, options: ResponsesOptions | undefined): LoadResponses {
  return loadOnce(() => import('./responses-endpoint.js').then((module) => module.responsesEndpoint(context, options)));
}
