import type { LoadResponses } from '../responses/lazy-responses.js';
import type * as Completions from './completions.js';
import type * as Embeddings from './embeddings.js';
import type { FetchFunction } from './fetch-handler.js';
import type { RouterContext } from './router-context.js';

/*
 * Endpoints an app may never call, loaded on their first call: legacy completions, embeddings
 * and the HTTP surface (`router.fetch`). An app that calls only `router.chat.completions` neither
 * loads nor bundles them (separate chunks of the package), which keeps the core's start-up
 * bundle small (docs/performance.md, "Bundle size"). Each is an async call already, so loading
 * first changes nothing a caller sees.
 */

let completions: Promise<typeof Completions> | undefined;
let embeddings: Promise<typeof Embeddings> | undefined;

export const createCompletion: typeof Completions.createCompletion = async (context, params, options) =>
  (await (completions ??= import('./completions.js'))).createCompletion(context, params, options);

export const createEmbeddings: typeof Embeddings.createEmbeddings = async (context, params, options) =>
  (await (embeddings ??= import('./embeddings.js'))).createEmbeddings(context, params, options);

/** `router.fetch`: the handler is built on the first request. */
export function lazyFetchHandler(context: RouterContext, responses: LoadResponses): FetchFunction {
  let handler: Promise<FetchFunction> | undefined;
  return async (input, init) => {
    handler ??= import('./fetch-handler.js').then((module) => module.createFetchHandler(context, responses));
    return (await handler)(input, init);
  };
}
