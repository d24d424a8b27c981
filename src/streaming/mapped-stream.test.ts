import { describe, expect, it } from 'vitest';
import type { BufferedAsyncIterator } from './buffered-iterator.js';
import { mapStream } from './mapped-stream.js';

/** A source holding `values` (then its end, or `failure`) ready to hand over without a wait. */
function heldSource(values: number[], failure?: Error): BufferedAsyncIterator<number> & AsyncIterable<number> & { closed: number } {
  let index = 0;
  const source = {
    closed: 0,
    nextBuffered(): IteratorResult<number, undefined> {
      if (index < values.length) return { done: false, value: values[index++]! };
      if (failure !== undefined) throw failure;
      return { done: true, value: undefined };
    },
    next: async () => source.nextBuffered(),
    return: async (): Promise<IteratorResult<number, undefined>> => {
      source.closed += 1;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => source,
  };
  return source;
}

describe('mapStream', () => {
  it('hands over synchronously what the source holds, mapped, up to its end', () => {
    const mapped = mapStream(heldSource([1, 2, 3]), { map: (value: number) => (value === 2 ? [] : [value * 10, value * 10 + 1]) });
    const seen: (number | 'end')[] = [];
    for (let result = mapped.nextBuffered(); result !== undefined; result = mapped.nextBuffered()) {
      seen.push(result.done === true ? 'end' : result.value);
      if (result.done === true) break;
    }
    expect(seen).toEqual([10, 11, 30, 31, 'end']);
  });

  it('hands over what the source\'s end maps to, or fails with it through mapError', async () => {
    const ended = mapStream(heldSource([1]), { map: (value: number) => [value], atEnd: () => [99] });
    expect([ended.nextBuffered(), ended.nextBuffered(), ended.nextBuffered()]).toEqual([
      { done: false, value: 1 },
      { done: false, value: 99 },
      { done: true, value: undefined },
    ]);
    const cut = mapStream(heldSource([1]), {
      map: (value: number) => [value],
      atEnd: () => {
        throw new Error('ended early');
      },
      mapError: (error) => new Error(`mapped: ${(error as Error).message}`),
    });
    expect(await cut.next()).toEqual({ done: false, value: 1 });
    await expect(cut.next()).rejects.toThrow('mapped: ended early');
    expect(await cut.next()).toEqual({ done: true, value: undefined });
    let called = false;
    const finishedEarly = mapStream(heldSource([1, 2]), { map: (value: number) => [value], isDone: () => true, atEnd: () => ((called = true), []) });
    expect(await finishedEarly.next()).toEqual({ done: false, value: 1 });
    expect(await finishedEarly.next()).toEqual({ done: true, value: undefined });
    expect(called).toBe(false);
  });

  it('ends once the translation is done, closing the source without reading the rest', async () => {
    const source = heldSource([1, 2, 3]);
    const mapped = mapStream(source, { map: (value: number) => [value], isDone: () => true });
    expect(await mapped.next()).toEqual({ done: false, value: 1 });
    expect(mapped.nextBuffered()).toEqual({ done: true, value: undefined });
    expect(source.closed).toBe(1);
  });

  it('raises a failure of map through mapError even when closing the source throws at once', async () => {
    const source = heldSource([1]);
    source.return = () => {
      throw new Error('cannot close');
    };
    const mapped = mapStream(source, {
      map: (): number[] => {
        throw new Error('token ya29.secret');
      },
      mapError: (error) => new Error((error as Error).message.replace('ya29.secret', '[redacted]')),
    });
    await expect(mapped.next()).rejects.toThrow('token [redacted]');
    expect(await mapped.next()).toEqual({ done: true, value: undefined });
  });

  it('raises the source failure through mapError, after the values before it, then ends', async () => {
    const mapped = mapStream(heldSource([1], new Error('token ya29.secret')), {
      map: (value: number) => [value],
      mapError: (error) => new Error((error as Error).message.replace('ya29.secret', '[redacted]')),
    });
    expect(await mapped.next()).toEqual({ done: false, value: 1 });
    await expect(mapped.next()).rejects.toThrow('token [redacted]');
    expect(await mapped.next()).toEqual({ done: true, value: undefined });
  });

  it('reads a source that holds nothing back through next(), and closes it on return()', async () => {
    const source = heldSource([1, 2]);
    const plain = { [Symbol.asyncIterator]: () => ({ next: () => source.next(), return: () => source.return!() }) };
    const mapped = mapStream(plain, { map: (value: number) => [value] });
    expect(mapped.nextBuffered()).toBeUndefined();
    expect(await mapped.next()).toEqual({ done: false, value: 1 });
    expect(await mapped.return!()).toEqual({ done: true, value: undefined });
    expect(source.closed).toBe(1);
    expect(await mapped.next()).toEqual({ done: true, value: undefined });
  });

  it('answers a read that return() interrupted as done, not with the failure closing the source caused', async () => {
    let reject!: (error: Error) => void;
    const source = {
      next: () => new Promise<IteratorResult<number, undefined>>((_, fail) => (reject = fail)),
      return: async (): Promise<IteratorResult<number, undefined>> => {
        reject(new Error('the body was cancelled'));
        return { done: true, value: undefined };
      },
    };
    const mapped = mapStream({ [Symbol.asyncIterator]: () => source }, { map: (value: number) => [value] });
    const read = mapped.next();
    await mapped.return!();
    expect(await read).toEqual({ done: true, value: undefined });
  });
});
