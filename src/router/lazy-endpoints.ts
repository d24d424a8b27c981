import type { AuditRecordBody } from '../audit/types.js';
import type { LoadResponses } from '../responses/lazy-responses.js';
import type { ResponsesEndpoint } from '../responses/responses-endpoint.js';
import type * as Completions from './completions.js';
import type * as Embeddings from './embeddings.js';
import { bearer } from './bearer.js';
import type { FetchFunction } from './fetch-handler.js';
import { errorResponse } from './http-response.js';
import { loadOnce, notLoaded } from '../internal/load-once.js';
import { rejectUnread } from './request-record.js';
import type { RouterContext } from './router-context.js';
import { endpointOf, pathOf } from './router-internals.js';

/*
 * Endpoints an app may never call, loaded on their first call: legacy completions, embeddings,
 * the Responses API and the HTTP surface (`router.fetch`). An app that calls only
 * `router.chat.completions` neither loads nor bundles them (separate chunks of the package),
 * which keeps the core's start-up bundle small (docs/performance.md, "Bundle size"). Each is an
 * async call already, so loading first changes nothing a caller sees — and when the load fails
 * (a chunk a deployment left out), the call ends as every failure does: a RouterError naming
 * what could not be loaded, with its one audit record.
 */

const completions = loadOnce(() => import('./completions.js'));
const embeddings = loadOnce(() => import('./embeddings.js'));

/** The endpoint's code, or the recorded error of a request it could not serve. */
async function endpointCode<T>(load: () => Promise<T>, context: RouterContext, endpoint: AuditRecordBody['endpoint'], what: string, apiKey: string | undefined): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    throw rejectUnread(context, endpoint, apiKey, notLoaded(what, cause));
  }
}

export const createCompletion: typeof Completions.createCompletion = async (context, params, options) =>
  (await endpointCode(completions, context, 'completions', 'legacy completions', options?.apiKey)).createCompletion(context, params, options);

export const createEmbeddings: typeof Embeddings.createEmbeddings = async (context, params, options) =>
  (await endpointCode(embeddings, context, 'embeddings', 'embeddings', options?.apiKey)).createEmbeddings(context, params, options);

/** The Responses endpoint for a call of `router.responses.create` or `POST /v1/responses`. */
export function responsesFor(context: RouterContext, responses: LoadResponses, apiKey: string | undefined): Promise<ResponsesEndpoint> {
  return endpointCode(responses, context, 'responses', 'the Responses API', apiKey);
}

/** `router.fetch`: the handler is built on the first request. */
export function lazyFetchHandler(context: RouterContext, responses: LoadResponses): FetchFunction {
  const handler = loadOnce(() => import('./fetch-handler.js').then((module) => module.createFetchHandler(context, responses)));
  return async (input, init) => {
    let fetch: FetchFunction;
    try {
      fetch = await handler();
    } catch (cause) {
      // Read as the handler reads them, without building a Request (which refuses a relative URL).
      const path = pathOf(input);
      return errorResponse(rejectUnread(context, path === undefined ? 'other' : endpointOf(path), authorizationOf(input, init), notLoaded('the HTTP handler (router.fetch)', cause)));
    }
    return fetch(input, init);
  };
}

/** The caller's key as `Authorization` gives it (`init`'s headers replace the Request's, as in fetch); '' when none can be read. */
function authorizationOf(input: string | URL | Request, init: RequestInit | undefined): string {
  try {
    const headers = init?.headers !== undefined ? new Headers(init.headers) : input instanceof Request ? input.headers : undefined;
    return bearer(headers?.get('authorization'), headers?.get('api-key'));
  } catch {
    return '';
  }
}
