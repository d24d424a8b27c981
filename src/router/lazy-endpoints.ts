import type { LoadResponses } from '../responses/lazy-responses.js';
import type * as Completions from './completions.js';
import type * as Embeddings from './embeddings.js';
import type { FetchFunction } from './fetch-handler.js';
import { loadOnce } from '../internal/load-once.js';
import type { RouterContext } from './router-context.js';

/*
 * Endpoints an app may never call, loaded on their first call: legacy completions, embeddings
 * and the HTTP surface (`router.fetch`). An app that calls only `router.chat.completions` neither
 * loads nor bundles them (separate chunks of the package), which keeps the core's start-up
 * bundle small (docs/performance.md, "Bundle size"). Each is an async call already, so loading
 * first changes nothing a caller sees.
 */

const completions = loadOnce(() => import('./completions.js'));
const embeddings = loadOnce(() => import('./embeddings.js'));

export const createCompletion: typeof Completions.createCompletion = async (context, params, options) =>
  (await completions()).createCompletion(context, params, options);

export const createEmbeddings: typeof Embeddings.createEmbeddings = async (context, params, options) =>
  (await embeddings()).createEmbeddings(context, params, options);

/** `router.fetch`: the handler is built on the first request. */
export function lazyFetchHandler(context: RouterContext, responses: LoadResponses): FetchFunction {
  const handler = loadOnce(() => import('./fetch-handler.js').then((module) => module.createFetchHandler(context, responses)));
  return async (input, init) => (await handler())(input, init);
}
