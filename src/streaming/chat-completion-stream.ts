import type { ChatCompletionChunk } from '../wire/chat-response.js';

/**
 * A streamed chat completion, shaped like the OpenAI SDK's `Stream`: iterate it once with
 * `for await`, abort it with `controller.abort()`, or turn it into a byte stream of
 * newline-delimited JSON chunks with `toReadableStream()`.
 */
export class ChatCompletionStream implements AsyncIterable<ChatCompletionChunk> {
  /** Aborting it stops the stream and closes the upstream connection. */
  readonly controller: AbortController;
  /** The audit record id of this request (also `route.audit_id` on the final chunk). */
  readonly requestId: string;
  readonly #source: AsyncGenerator<ChatCompletionChunk>;
  #consumed = false;

  constructor(source: AsyncGenerator<ChatCompletionChunk>, controller: AbortController, requestId: string) {
    this.#source = source;
    this.controller = controller;
    this.requestId = requestId;
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    if (this.#consumed) throw new Error('Cannot iterate over a consumed stream: a stream can be read once.');
    this.#consumed = true;
    return this.#source;
  }

  /** The chunks as newline-delimited JSON bytes, as the OpenAI SDK's `toReadableStream()` emits. */
  toReadableStream(): ReadableStream<Uint8Array> {
    const iterator = this[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    return new ReadableStream({
      async pull(controller) {
        try {
          const result = await iterator.next();
          if (result.done) controller.close();
          else controller.enqueue(encoder.encode(`${JSON.stringify(result.value)}\n`));
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
