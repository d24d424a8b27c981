import type { ResponseStreamEvent } from './wire.js';

const encoder = new TextEncoder();

/**
 * A streamed response, shaped like the openai SDK's `Stream`: iterate its events once with
 * `for await`, abort it with `controller.abort()`, or turn it into the SSE bytes that
 * `POST /v1/responses` sends with `toSSEStream()`.
 */
export class ResponseStream implements AsyncIterable<ResponseStreamEvent> {
  /** Aborting it stops the stream and closes the upstream connection. */
  readonly controller: AbortController;
  /** The audit record id of this request (also `route.audit_id` on the terminal event's response). */
  readonly requestId: string;
  /** The response id (`resp_…`), the same in every lifecycle event. */
  readonly responseId: string;
  readonly #source: AsyncGenerator<ResponseStreamEvent>;
  readonly #upstream: AsyncIterator<unknown> | undefined;
  #consumed = false;

  /** `upstream` is the chat stream the events are translated from: closing this stream closes it at once. */
  constructor(source: AsyncGenerator<ResponseStreamEvent>, controller: AbortController, requestId: string, responseId: string, upstream?: AsyncIterator<unknown>) {
    this.#source = source;
    this.controller = controller;
    this.requestId = requestId;
    this.responseId = responseId;
    this.#upstream = upstream;
  }

  [Symbol.asyncIterator](): AsyncIterator<ResponseStreamEvent> {
    if (this.#consumed) throw new Error('Cannot iterate over a consumed stream: a stream can be read once.');
    this.#consumed = true;
    const source = this.#source;
    const upstream = this.#upstream;
    if (!upstream) return source;
    // A generator runs `return()` and `throw()` only after a pending `next()` settles, and that one
    // may wait on a silent upstream (a ReadableStream pulls ahead of its reader): the chat stream
    // is closed first, which ends that read at once and records the caller leaving (with its error).
    return {
      next: () => source.next(),
      async return(value?: unknown) {
        await upstream.return?.();
        return source.return(value);
      },
      // The caller's error ends the stream as it would a generator that does not catch it: it is
      // not the upstream's failure, so no `error` event is made of it, and it is handed back.
      async throw(error?: unknown): Promise<IteratorResult<ResponseStreamEvent>> {
        await upstream.throw?.(error).catch(() => undefined);
        await source.return(undefined);
        throw error;
      },
    };
  }

  /**
   * The events as Server-Sent Events: `event: <type>` and `data: <json>` per event, and no
   * `[DONE]` (a Responses stream ends with its terminal event).
   */
  toSSEStream(): ReadableStream<Uint8Array> {
    return sseBytes(this);
  }
}

/**
 * `stream.toSSEStream()`, with `started` called as the bytes start and what it returns called once
 * they end: how `POST /v1/responses` over `router.fetch` ends them when its request's signal
 * aborts (responses-endpoint.ts), as a fetch body's end.
 */
export function sseBytes(stream: ResponseStream, started?: (controller: ReadableStreamDefaultController<Uint8Array>) => () => void): ReadableStream<Uint8Array> {
  const iterator = stream[Symbol.asyncIterator]();
  let ended: (() => void) | undefined;
  return new ReadableStream({
    start(controller) {
      ended = started?.(controller);
    },
    async pull(controller) {
      try {
        const result = await iterator.next();
        if (!result.done) return controller.enqueue(encoder.encode(`event: ${result.value.type}\ndata: ${JSON.stringify(result.value)}\n\n`));
        ended?.();
        controller.close();
      } catch (error) {
        ended?.();
        // A body `started` errored already keeps that reason: erroring it again does nothing.
        controller.error(error);
      }
    },
    async cancel() {
      ended?.();
      await iterator.return?.();
    },
  });
}
