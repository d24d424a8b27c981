import { RouterError } from '../errors.js';
import type { UpstreamChatCompletionChunk } from '../wire/chat-response.js';

/**
 * Checks each parsed event of an OpenAI-shaped stream and keeps track of which choices have
 * finished. With `n > 1` each choice finishes on its own: a stream that ends without `[DONE]` is
 * complete only once every choice index that appeared has sent its `finish_reason`.
 */
export class ChunkCompletion {
  readonly #finished = new Set<unknown>();
  readonly #unfinished = new Set<unknown>();

  constructor(
    private readonly providerId: string,
    private readonly requestId: string | undefined,
  ) {}

  /** Every choice that appeared has finished (and at least one did). */
  get complete(): boolean {
    return this.#finished.size > 0 && this.#unfinished.size === 0;
  }

  /**
   * The event as a chunk (a missing `choices` becomes `[]`, a missing `delta` `{}`); throws a
   * retryable upstream error on anything else: before the first chunk the router falls back.
   */
  accept(data: unknown): UpstreamChatCompletionChunk {
    if (typeof data !== 'object' || data === null) throw this.#malformed();
    const chunk = data as { choices?: unknown };
    if (chunk.choices === undefined || chunk.choices === null) chunk.choices = [];
    else if (!Array.isArray(chunk.choices)) throw this.#malformed();
    else {
      for (const choice of chunk.choices as { index?: unknown; finish_reason?: unknown; delta?: unknown }[]) {
        // A null or scalar choice is not a chunk the caller could read: the upstream is failing.
        if (typeof choice !== 'object' || choice === null || Array.isArray(choice)) throw this.#malformed('a choice that is not an object');
        if (choice.delta === undefined || choice.delta === null) choice.delta = {};
        else if (typeof choice.delta !== 'object') throw this.#malformed('a choice whose delta is not an object');
        const index = choice.index ?? 0;
        if (typeof choice.finish_reason === 'string') {
          this.#finished.add(index);
          this.#unfinished.delete(index);
        } else if (!this.#finished.has(index)) this.#unfinished.add(index);
      }
    }
    return data as UpstreamChatCompletionChunk;
  }

  #malformed(what = 'not a chat.completion.chunk object'): RouterError {
    return new RouterError(`malformed SSE event from ${this.providerId}: ${what}`, {
      code: 'upstream_error',
      providerId: this.providerId,
      isRetryable: true,
      requestID: this.requestId,
    });
  }
}
