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
