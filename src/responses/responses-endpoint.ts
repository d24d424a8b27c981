import type { RequestOptions } from '../router/chat-completions.js';
import type { RouterContext } from '../router/router-context.js';
import { createResponse } from './create-response.js';
import type { ResponsesOptions } from './options.js';
import { memoryResponseStore, type ResponseStore } from './response-store.js';
import { errorOnAbort } from '../streaming/error-on-abort.js';
import { ResponseStream, sseBytes } from './response-stream.js';
import { StoreWrites } from './store-writes.js';
import type { ResponseCreateParams, ResponseObject } from './wire.js';

/** One router's Responses endpoint: its store and its `create`. */
export interface ResponsesEndpoint {
  create(params: ResponseCreateParams, options?: RequestOptions): Promise<ResponseObject | ResponseStream>;
  isStream(value: unknown): value is ResponseStream;
  /**
   * The stream's bytes for `router.fetch`: those of `toSSEStream()`, errored with the signal's
   * reason when the request's `signal` aborts, as a fetch body is, so a client sees the abort it
   * caused (the openai SDK ends its loop quietly) rather than an exception of ours.
   */
  sse(stream: ResponseStream, signal: AbortSignal | undefined): ReadableStream<Uint8Array>;
  /**
   * For `router.close()`: keeps no more responses (those completing from now on say
   * `store: false`) and resolves once the store writes in flight ended, or after
   * `audit.drainTimeoutMs`, when the ones still going are given up (their responses say
   * `store: false`). Never rejects.
   */
  close(): Promise<void>;
}

/** The store `router.responses` uses, or `undefined` when it keeps none. */
function responseStore(options: ResponsesOptions | undefined): ResponseStore | undefined {
  if (options?.store === false) return undefined;
  if (options?.store) return options.store;
  const { maxEntries, maxBytes, ttlMs } = options ?? {};
  return memoryResponseStore({
    ...(maxEntries !== undefined ? { maxEntries } : {}),
    ...(maxBytes !== undefined ? { maxBytes } : {}),
    ...(ttlMs !== undefined ? { ttlMs } : {}),
  });
}

export function responsesEndpoint(context: RouterContext, options: ResponsesOptions | undefined): ResponsesEndpoint {
  const store = responseStore(options);
  const writes = new StoreWrites(context.options.audit.drainTimeoutMs);
  return {
    create: (params, requestOptions) => createResponse(context, store, writes, params, requestOptions),
    isStream: (value): value is ResponseStream => value instanceof ResponseStream,
    sse: (stream, signal) => sseBytes(stream, (controller) => errorOnAbort(controller, signal)),
    close: () => writes.close(),
  };
}
