import { describe, expect, test, vi } from 'vitest';
import { RouterError } from '../errors.js';
import { controlledBody, sseBody, sseEvents } from '../../test/helpers/msw.js';
import { parseJsonEventStream } from './parse-sse.js';
import type { JsonEventStreamOptions } from './parse-sse.js';

const options: JsonEventStreamOptions<unknown> = { providerId: 'acme' };

async function collect(body: ReadableStream<Uint8Array>, extra: Partial<JsonEventStreamOptions<unknown>> = {}) {
  const values: unknown[] = [];
  for await (const value of parseJsonEventStream(body, { ...options, ...extra })) values.push(value);
  return values;
}

/** Iterates until the stream throws; returns what was yielded first and the error. */
async function collectUntilError(body: ReadableStream<Uint8Array>, extra: Partial<JsonEventStreamOptions<unknown>> = {}) {
  const values: unknown[] = [];
  try {
    for await (const value of parseJsonEventStream(body, { ...options, ...extra })) values.push(value);
  } catch (error) {
    return { values, error: error as RouterError };
  }
  throw new Error(`expected the stream to throw, got ${JSON.stringify(values)}`);
}

describe('parseJsonEventStream', () => {
  test('yields each event as soon as it arrives, before the body ends', async () => {
    const source = controlledBody();
    const iterator = parseJsonEventStream(source.body, options);
    source.push(sseEvents({ n: 1 }));
    expect(await iterator.next()).toEqual({ done: false, value: { n: 1 } });
    source.push(sseEvents({ n: 2 }));
    expect(await iterator.next()).toEqual({ done: false, value: { n: 2 } });
    source.push(sseEvents('[DONE]'));
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  test('reassembles events split anywhere, with LF, CRLF or CR line endings, comments and multi-line data', async () => {
    const values = await collect(
      sseBody([
        ': keepalive\n\nda',
        'ta: {"n":',
        '1}\n',
        '\ndata: {"n":2}\r\n\r\n',
        ': ping\r\rdata: {"n":3}\r\r',
        'data: {"n":\ndata: 4}\n\n',
        'event: ping\n\n', // an event without data is not a message
        'data:\n\n', // empty data is skipped, not a SyntaxError
        'retry: 1000\nfoo: bar\n\n', // unknown fields are ignored
        'data: [DONE]\n\n',
      ]),
    );
    expect(values).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
  });

  test('decodes a UTF-8 character split across two network chunks', async () => {
    const bytes = new TextEncoder().encode('data: {"text":"café 🚀"}\n\ndata: [DONE]\n\n');
    const cut = bytes.indexOf(0xf0) + 2; // in the middle of the rocket's four bytes
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, cut));
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    expect(await collect(body)).toEqual([{ text: 'café 🚀' }]);
  });

  test.each([
    ['Buffer reads (the native transport)', (text: string): Uint8Array => Buffer.from(text)],
    ['Uint8Array reads (fetch)', (text: string): Uint8Array => new TextEncoder().encode(text)],
  ])('decodes %s: split characters, a leading byte-order mark dropped, a later one kept', async (_name, encode) => {
    const bytes = encode('\ufeffdata: {"text":"café"}\n\ndata: {"text":"🚀 \ufeffx"}\n\ndata: [DONE]\n\n');
    const rocket = bytes.indexOf(0xf0);
    const laterMark = bytes.lastIndexOf(0xef);
    // Cut inside the rocket, right before the later mark (a read starting with it), and after it.
    const cuts = [0, 10, rocket + 2, laterMark, laterMark + 3, bytes.length];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 1; index < cuts.length; index++) controller.enqueue(bytes.subarray(cuts[index - 1], cuts[index]));
        controller.close();
      },
    });
    expect(await collect(body)).toEqual([{ text: 'café' }, { text: '🚀 \ufeffx' }]);
    const whole = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encode('\ufeffdata: {"n":1}\n\ndata: [DONE]\n\n'));
        controller.close();
      },
    });
    expect(await collect(whole)).toEqual([{ n: 1 }]);
    // A mark that starts the first read needing the streaming decoder is the body's text, not its start.
    const marked = encode('data: {"text":"a\ufeff🚀"}\n\ndata: [DONE]\n\n');
    const mark = marked.indexOf(0xef);
    const late = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(marked.subarray(0, mark));
        controller.enqueue(marked.subarray(mark, mark + 5));
        controller.enqueue(marked.subarray(mark + 5));
        controller.close();
      },
    });
    expect(await collect(late)).toEqual([{ text: 'a\ufeff🚀' }]);
  });

  test('stops at [DONE], then reads the body to its end instead of cancelling it', async () => {
    // A body that hands out one part per read, so the test sees how far it was read.
    const parts = [sseEvents({ n: 1 }, '[DONE]'), 'data: not json, never parsed\n\n'];
    let readToEnd = false;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const part = parts.shift();
          if (part === undefined) {
            readToEnd = true;
            controller.close();
          } else controller.enqueue(new TextEncoder().encode(part));
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    expect(await collect(body)).toEqual([{ n: 1 }]);
    await new Promise((resolve) => setImmediate(resolve));
    // Read to its end, not cancelled: fetch would turn a cancel into an abort.
    expect(readToEnd).toBe(true);
    expect(cancelled).toBe(false);
  });

  test('a read asked for while another waits gets the next event, or done once the first read failed', async () => {
    const source = controlledBody();
    const iterator = parseJsonEventStream(source.body, options);
    const first = iterator.next();
    const second = iterator.next();
    source.push(sseEvents({ n: 1 }, { n: 2 }));
    expect(await first).toEqual({ done: false, value: { n: 1 } });
    expect(await second).toEqual({ done: false, value: { n: 2 } });

    const failing = controlledBody();
    const broken = parseJsonEventStream(failing.body, options);
    const one = broken.next();
    const two = broken.next();
    failing.push('data: {not json\n\n');
    await expect(one).rejects.toMatchObject({ code: 'upstream_error' });
    expect(await two).toEqual({ done: true, value: undefined });
  });

  test('return() while a read waits cancels the body, and the waiting read ends quietly', async () => {
    const source = controlledBody();
    const iterator = parseJsonEventStream(source.body, options);
    const waiting = iterator.next();
    expect(await iterator.return()).toEqual({ done: true, value: undefined });
    expect(source.cancelled).toBe(true);
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  test.each([
    ['goes on', ['data: {"n":2}\n\n']],
    ['stays open and silent', []],
  ])('cancels a body that %s after [DONE], after a second', async (_name, after) => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const source = controlledBody();
      source.push(sseEvents({ n: 1 }, '[DONE]'));
      for (const part of after) source.push(part); // and the body never ends
      expect(await collect(source.body)).toEqual([{ n: 1 }]);
      await vi.advanceTimersByTimeAsync(999);
      expect(source.cancelled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(source.cancelled).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  test('delivers a last event that lacks its trailing blank line', async () => {
    expect(await collect(sseBody(['data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n']))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await collect(sseBody(['data: {"n":1}\n\ndata: [DONE]']))).toEqual([{ n: 1 }]);
    expect(await collect(sseBody(['data: {"n":1}']), { isComplete: () => true })).toEqual([{ n: 1 }]);
  });

  test('an error event throws the upstream error after the earlier events were yielded', async () => {
    const { values, error } = await collectUntilError(
      sseBody([sseEvents({ n: 1 }, { error: { message: 'The server had an error', type: 'server_error', code: null } })]),
      { requestId: 'req_1' },
    );
    expect(values).toEqual([{ n: 1 }]);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'upstream_error',
      status: 502,
      type: 'server_error',
      providerId: 'acme',
      isRetryable: true,
      requestID: 'req_1',
    });
    expect(error.message).toBe('acme sent an error mid-stream: The server had an error (server_error)');
  });

  test('an Anthropic-style `event: error` overload is retryable and keeps its type', async () => {
    const { error } = await collectUntilError(
      sseBody(['event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n']),
    );
    expect(error).toMatchObject({ code: 'upstream_error', status: 502, type: 'overloaded_error', isRetryable: true });
    expect(error.message).toContain('Overloaded');
  });

  test('`event: error` without an `error` key is still an error, and a request error is not retryable', async () => {
    const { error } = await collectUntilError(
      sseBody(['event: error\ndata: {"message":"context too long","type":"invalid_request_error"}\n\n']),
    );
    expect(error).toMatchObject({ code: 'upstream_error', type: 'invalid_request_error', isRetryable: false });
    expect(error.message).toContain('context too long');
  });

  test('an error event that carries an HTTP status is classified by it', async () => {
    const { error } = await collectUntilError(sseBody([sseEvents({ error: { message: 'slow down', status: 429 } })]));
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, isRetryable: true });
  });

  test('malformed JSON fails the stream without quoting the data', async () => {
    const { values, error } = await collectUntilError(sseBody([sseEvents({ n: 1 }), 'data: {"secret completion text\n\n']));
    expect(values).toEqual([{ n: 1 }]);
    expect(error).toMatchObject({ code: 'upstream_error', status: 502, isRetryable: true, providerId: 'acme' });
    expect(error.message).toContain('malformed SSE event from acme');
    expect(error.message).not.toContain('secret');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  test('a body that ends without [DONE] is an error, never a quiet end', async () => {
    const { values, error } = await collectUntilError(sseBody([sseEvents({ n: 1 })]));
    expect(values).toEqual([{ n: 1 }]);
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
    expect(error.message).toContain('ended before completion');
  });

  test('a body cut in the middle of an event is reported as ended before completion', async () => {
    const { error } = await collectUntilError(sseBody([sseEvents({ n: 1 }), 'data: {"n":']));
    expect(error.message).toContain('ended before completion');
  });

  test('a body that ends without [DONE] is accepted when isComplete() says so', async () => {
    expect(await collect(sseBody([sseEvents({ n: 1 })]), { isComplete: () => true })).toEqual([{ n: 1 }]);
  });

  test('parse() types each event, and an error it throws fails the stream', async () => {
    const parse = (data: unknown) => {
      if (typeof data !== 'object' || data === null) throw new RouterError('not an object', { code: 'upstream_error' });
      return { ...data, checked: true };
    };
    expect(await collect(sseBody([sseEvents({ n: 1 }, '[DONE]')]), { parse })).toEqual([{ n: 1, checked: true }]);
    const { error } = await collectUntilError(sseBody([sseEvents(42, '[DONE]')]), { parse });
    expect(error.message).toBe('not an object');
  });

  test('a connection that breaks mid-body becomes a retryable upstream_error', async () => {
    const source = controlledBody();
    source.push(sseEvents({ n: 1 }));
    const iterator = parseJsonEventStream(source.body, options);
    expect((await iterator.next()).value).toEqual({ n: 1 });
    source.error(new TypeError('terminated'));
    const error = (await iterator.next().catch((caught: unknown) => caught)) as RouterError;
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
    expect(error.message).toContain('terminated');
  });

  test('aborting the signal during a pending read throws aborted and cancels the body', async () => {
    const source = controlledBody();
    source.push(sseEvents({ n: 1 }));
    const controller = new AbortController();
    const iterator = parseJsonEventStream(source.body, { ...options, signal: controller.signal });
    await iterator.next();
    const pending = iterator.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted', isRetryable: false });
    expect(source.cancelled).toBe(true);
  });

  test('an abort whose reason is a RouterError rethrows that reason', async () => {
    const source = controlledBody();
    const controller = new AbortController();
    const deadline = new RouterError('deadline of 100 ms exceeded', { code: 'timeout', isRetryable: true });
    const pending = parseJsonEventStream(source.body, { ...options, signal: controller.signal }).next();
    controller.abort(deadline);
    await expect(pending).rejects.toBe(deadline);
  });

  test('breaking out of the loop cancels the body', async () => {
    const source = controlledBody();
    source.push(sseEvents({ n: 1 }, { n: 2 }));
    for await (const value of parseJsonEventStream(source.body, options)) {
      expect(value).toEqual({ n: 1 });
      break;
    }
    expect(source.cancelled).toBe(true);
  });

  test('an event larger than maxEventSize fails the stream instead of buffering without bound', async () => {
    const { error } = await collectUntilError(sseBody([`data: "${'x'.repeat(200)}`]), { maxEventSize: 100 });
    expect(error).toMatchObject({ code: 'upstream_error', providerId: 'acme' });
    expect(error.message).toContain('larger than 100');
  });
});

describe('the first stream, while the event parser loads', () => {
  /** parse-sse.js as a process that has not streamed yet: its parser not loaded. */
  async function freshModule(): Promise<typeof import('./parse-sse.js')> {
    vi.resetModules();
    return import('./parse-sse.js');
  }

  test('yields every event of a body already complete when it starts', async () => {
    const { parseJsonEventStream: parse } = await freshModule();
    const values: unknown[] = [];
    for await (const value of parse(sseBody([sseEvents({ n: 1 }, { n: 2 }), 'data: [DONE]\n\n']), options)) values.push(value);
    expect(values).toEqual([{ n: 1 }, { n: 2 }]);
  });

  test('ends at once and cancels the body when left before its first read is parsed', async () => {
    const { parseJsonEventStream: parse } = await freshModule();
    const source = controlledBody();
    const iterator = parse(source.body, options);
    const first = iterator.next();
    source.push(sseEvents({ n: 1 }));
    await expect(iterator.return!()).resolves.toEqual({ done: true, value: undefined });
    await expect(first).resolves.toEqual({ done: true, value: undefined });
    expect(source.cancelled).toBe(true);
  });
});
