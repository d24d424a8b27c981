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
    // A generator runs `return()` only after a pending `next()` settles, and that one may wait on
    // a silent upstream (a ReadableStream pulls ahead of its reader): the chat stream is closed
    // first, which ends that read at once and records the caller leaving.
    return {
      next: () => source.next(),
      async return(value?: unknown) {
        await upstream.return?.();
        return source.return(value);
      },
      throw: (error?: unknown) => source.throw(error),
    };
  }

  /**
   * The events as Server-Sent Events: `event: <type>` and `data: <json>` per event, and no
   * `[DONE]` (a Responses stream ends with its terminal event).
   */
  toSSEStream(): ReadableStream<Uint8Array> {
    const iterator = this[Symbol.asyncIterator]();
    return new ReadableStream({
      async pull(controller) {
        try {
          const result = await iterator.next();
          if (result.done) controller.close();
          else controller.enqueue(encoder.encode(`event: ${result.value.type}\ndata: ${JSON.stringify(result.value)}\n\n`));
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    });
  }
}
