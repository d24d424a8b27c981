/*
 * A stream's chunks usually arrive many to a network read: an iterator that parses a whole read
 * at once holds most of them before anyone asks. Handing those over synchronously lets the layer
 * that relays them answer its own caller with one settled promise per chunk, instead of awaiting
 * a settled promise per chunk itself (each await costs microtask turns; measured in
 * docs/performance.md, "Where a stream's time goes").
 */

/** An async iterator that can also hand over, synchronously, a result it already holds. */
export interface BufferedAsyncIterator<T> extends AsyncIterator<T, undefined> {
  /**
   * The next result when it needs no wait (a value already parsed, or the end), or `undefined`
   * when only `next()` can tell. Throws what `next()` would reject with. Returns `undefined`
   * while a `next()` is still pending, so results stay in order.
   */
  nextBuffered(): IteratorResult<T, undefined> | undefined;
}

/** Whether `iterator` can hand over buffered results synchronously. */
export function isBufferedIterator<T>(iterator: AsyncIterator<T, unknown>): iterator is BufferedAsyncIterator<T> {
  return typeof (iterator as Partial<BufferedAsyncIterator<T>>).nextBuffered === 'function';
}

/** The result of an iterator that has ended, shared (it is frozen). */
export const finished: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The iterator protocol for a source read one read at a time, shared by the hand-written stream
 * iterators (the SSE parser, translations, Bedrock's frames). A subclass says what it holds
 * (`take`) and how to read more (`read`); this keeps callers in order: a `next()` while a read is
 * in progress waits for it, whatever its outcome, as an async generator queues its callers, and
 * `nextBuffered()` answers nothing until it settles.
 */
export abstract class TurnTakingIterator<T> implements AsyncIterableIterator<T, undefined>, BufferedAsyncIterator<T> {
  /** The read in progress, which any other next() waits for. */
  #pending: Promise<IteratorResult<T, undefined>> | undefined;

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#pending !== undefined) return this.#pending.then(() => this.next(), () => this.next());
    try {
      const ready = this.take();
      if (ready !== undefined) return Promise.resolve(ready);
    } catch (error) {
      return Promise.reject(error);
    }
    const pending = this.read().finally(() => {
      this.#pending = undefined;
    });
    this.#pending = pending;
    return pending;
  }

  nextBuffered(): IteratorResult<T, undefined> | undefined {
    return this.#pending === undefined ? this.take() : undefined;
  }

  /** Leaving early: closes the iterator, releasing what it holds (the body, and with it the upstream connection). */
  return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return Promise.resolve(finished);
  }

  throw(error?: unknown): Promise<IteratorResult<T, undefined>> {
    this.close();
    return Promise.reject(error);
  }

  /** Ends the iterator at once: every later next() is done, and what it holds is released. Idempotent. */
  protected abstract close(): void;

  /** The next result that needs no read, or undefined when one is needed. Throws the stream's failure. */
  protected abstract take(): IteratorResult<T, undefined> | undefined;

  /** Reads until a result is ready (called with nothing held). */
  protected abstract read(): Promise<IteratorResult<T, undefined>>;
}
