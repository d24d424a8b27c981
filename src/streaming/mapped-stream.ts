import { finished, isBufferedIterator, TurnTakingIterator, type BufferedAsyncIterator } from './buffered-iterator.js';

/*
 * An adapter's stream translated value by value (Anthropic events → chunks, Gemini's chunks
 * renumbered), without hiding what the source already holds. An async generator would: the
 * router could then not see that a stream whose caller left at the finish reason had its usage
 * chunk and its end already in, and would record a complete answer as abandoned, with estimated
 * tokens (docs/audit.md). Here `nextBuffered` translates what the source hands over without a
 * wait, so the relay reads a translated stream as it reads an untranslated one.
 */

export interface MapStreamOptions<S, T> {
  /** The values one source value becomes, in order; often none. */
  map: (value: S) => readonly T[];
  /**
   * Whether the translation is complete after the last value mapped: the source is then closed
   * (its connection released) rather than read to its end.
   */
  isDone?: () => boolean;
  /**
   * The values the source's end becomes (what the translation held back until then); throwing
   * fails the stream instead, e.g. when it ended before the answer was complete. Not called when
   * `isDone` closed the source, nor when the caller left.
   */
  atEnd?: () => readonly T[];
  /** What a failure of the source or of `map` is raised as (e.g. with secrets scrubbed). */
  mapError?: (error: unknown) => unknown;
}


/** `source`'s values through `options.map`, buffered results handed over as they are. */
export function mapStream<S, T>(source: AsyncIterable<S>, options: MapStreamOptions<S, T>): AsyncIterableIterator<T, undefined> & BufferedAsyncIterator<T> {
  return new MappedStream(source[Symbol.asyncIterator](), options);
}

class MappedStream<S, T> extends TurnTakingIterator<T> {
  readonly #source: AsyncIterator<S, unknown>;
  readonly #buffered: BufferedAsyncIterator<S> | undefined;
  readonly #options: MapStreamOptions<S, T>;
  /**
   * Mapped values not yet handed over, from `#head` on: the array `map` returned, kept as it is
   * (never written to) and dropped once drained.
   */
  #queue: readonly T[] = [];
  #head = 0;
  /** Nothing more comes from the source: it ended, failed, was closed, or the translation is done. */
  #ended = false;

  constructor(source: AsyncIterator<S, unknown>, options: MapStreamOptions<S, T>) {
    super();
    this.#source = source;
    this.#buffered = isBufferedIterator(source) ? source : undefined;
    this.#options = options;
  }

  /** Leaving early: closes the source, which releases the upstream connection. */
  override async return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    try {
      await this.#source.return?.();
    } catch {
      // The caller is leaving: a failure to close says nothing it needs.
    }
    return finished;
  }

  override async throw(error?: unknown): Promise<IteratorResult<T, undefined>> {
    await this.return();
    throw error;
  }

  /** The next result that needs no wait, or undefined when the source must be read. Throws a failure. */
  protected override take(): IteratorResult<T, undefined> | undefined {
    for (;;) {
      if (this.#head < this.#queue.length) {
        const value = this.#queue[this.#head++]!;
        if (this.#head === this.#queue.length) {
          this.#queue = [];
          this.#head = 0;
        }
        return { done: false, value };
      }
      if (this.#ended) return finished;
      if (this.#buffered === undefined) return undefined;
      let result: IteratorResult<S, unknown> | undefined;
      try {
        result = this.#buffered.nextBuffered();
      } catch (error) {
        this.#fail(error);
      }
      if (result === undefined) return undefined;
      this.#accept(result);
    }
  }

  protected override async read(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      let result: IteratorResult<S, unknown>;
      try {
        result = await this.#source.next();
      } catch (error) {
        if (this.#ended) return finished; // return() while the read was waiting: nobody wants the error
        this.#fail(error);
      }
      if (this.#ended) return finished; // return() while the read was waiting
      this.#accept(result);
      const ready = this.take();
      if (ready !== undefined) return ready;
    }
  }

  /** Takes one source result in: its mapped values queued, the source closed once the translation is done. */
  #accept(result: IteratorResult<S, unknown>): void {
    if (result.done === true) {
      this.#ended = true;
      const atEnd = this.#options.atEnd;
      if (atEnd === undefined) return;
      let last: readonly T[];
      try {
        last = atEnd();
      } catch (error) {
        this.#fail(error);
      }
      this.#enqueue(last);
      return;
    }
    let mapped: readonly T[];
    let done: boolean;
    try {
      mapped = this.#options.map(result.value);
      done = this.#options.isDone?.() === true;
    } catch (error) {
      this.#closeSource();
      this.#fail(error);
    }
    this.#enqueue(mapped);
    if (done) {
      this.#ended = true;
      // Nothing follows: closing the source releases the connection rather than waiting for its end.
      this.#closeSource();
    }
  }

  #enqueue(mapped: readonly T[]): void {
    if (mapped.length === 0) return;
    this.#queue = this.#head === this.#queue.length ? mapped : [...this.#queue.slice(this.#head), ...mapped];
    this.#head = 0;
  }

  /**
   * Closes the source without waiting: whatever its `return()` throws or rejects with, at once or
   * later, is nothing the caller needs (the translation is done, or has failed with its own error).
   */
  #closeSource(): void {
    void Promise.resolve()
      .then(() => this.#source.return?.())
      .catch(() => undefined);
  }

  protected override close(): void {
    this.#ended = true;
    this.#queue = [];
    this.#head = 0;
  }

  #fail(error: unknown): never {
    this.close();
    throw this.#options.mapError === undefined ? error : this.#options.mapError(error);
  }
}
