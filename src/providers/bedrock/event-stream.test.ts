import { describe, expect, it } from 'vitest';
import { RouterError } from '../../errors.js';
import { concat, eventFrame, frame } from '../../../test/helpers/event-stream-frames.js';
import { crc32 } from './crc32.js';
import { EventStreamCorruption, EventStreamDecoder, readEventStream } from './event-stream.js';

const hex = (value: string) => Uint8Array.from(value.match(/../g)!.map((byte) => parseInt(byte, 16)));

// A contentBlockDelta frame of 159 bytes, CRCs c37babff / f2ace5ff, built independently (Python
// struct + zlib.crc32) from the framing AWS documents.
const published =
  '0000009f00000057c37babff0b3a6576656e742d74797065070011636f6e74656e74426c6f636b44656c74610d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b22636f6e74656e74426c6f636b496e646578223a302c2264656c7461223a7b2274657874223a224869227d2c2270223a2261626364227df2ace5ff';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function bodyOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe('crc32', () => {
  it('has the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('EventStreamDecoder', () => {
  it('decodes a frame built by another implementation', () => {
    const [message, ...rest] = new EventStreamDecoder().push(hex(published));
    expect(rest).toEqual([]);
    expect(message!.headers).toEqual({ ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' });
    expect(JSON.parse(text(message!.payload))).toEqual({ contentBlockIndex: 0, delta: { text: 'Hi' }, p: 'abcd' });
  });

  it('reassembles frames split at every byte, and several frames in one chunk', () => {
    const bytes = concat([eventFrame('messageStart', { role: 'assistant' }), hex(published), eventFrame('messageStop', { stopReason: 'end_turn' })]);
    const oneByOne = new EventStreamDecoder();
    const split = [...bytes].flatMap((byte) => oneByOne.push(Uint8Array.of(byte)));
    const whole = new EventStreamDecoder().push(bytes);
    expect(split.map((message) => message.headers[':event-type'])).toEqual(['messageStart', 'contentBlockDelta', 'messageStop']);
    expect(whole.map((message) => text(message.payload))).toEqual(split.map((message) => text(message.payload)));
  });

  it('skips headers of other types and keeps the string ones', () => {
    const bytes = frame({ ':message-type': 'event' }, '{}');
    // Splice in a bool-true header and a 4-byte integer header before the string header.
    const extra = Uint8Array.of(1, 0x61, 0, 1, 0x62, 4, 0, 0, 0, 7);
    const headers = concat([extra, bytes.subarray(12, bytes.length - 6)]);
    const total = 12 + headers.length + 2 + 4;
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    view.setUint32(0, total);
    view.setUint32(4, headers.length);
    view.setUint32(8, crc32(out, 0, 8));
    out.set(headers, 12);
    out.set(new TextEncoder().encode('{}'), 12 + headers.length);
    view.setUint32(total - 4, crc32(out, 0, total - 4));
    expect(new EventStreamDecoder().push(out)[0]!.headers).toEqual({ ':message-type': 'event' });
  });

  it('refuses a frame whose prelude CRC is wrong', () => {
    const bytes = hex(published);
    bytes[8] = bytes[8]! ^ 0xff;
    expect(() => new EventStreamDecoder().push(bytes)).toThrow(/prelude CRC/);
  });

  it('refuses a frame whose payload was altered', () => {
    const bytes = hex(published);
    bytes[120] = bytes[120]! ^ 0x01;
    expect(() => new EventStreamDecoder().push(bytes)).toThrow(EventStreamCorruption);
    expect(() => new EventStreamDecoder().push(bytes)).toThrow(/message CRC/);
  });

  it('refuses impossible lengths before buffering them', () => {
    const bytes = new Uint8Array(12);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, 64 * 1024 * 1024);
    view.setUint32(8, crc32(bytes, 0, 8));
    expect(() => new EventStreamDecoder().push(bytes)).toThrow(/impossible lengths/);
  });
});

describe('readEventStream', () => {
  it('hands over every frame of a read without a wait, then needs a read again, then ends', async () => {
    const stream = readEventStream(
      bodyOf([concat([eventFrame('messageStart', { role: 'assistant' }), eventFrame('messageStop', { stopReason: 'end_turn' }), eventFrame('metadata', { usage: {} })])]),
      { providerId: 'bedrock-test' },
    );
    expect(stream.nextBuffered()).toBeUndefined();
    const seen = [(await stream.next()).value?.headers[':event-type']];
    for (let result = stream.nextBuffered(); result?.done === false; result = stream.nextBuffered()) seen.push(result.value.headers[':event-type']);
    expect(seen).toEqual(['messageStart', 'messageStop', 'metadata']);
    expect(stream.nextBuffered()).toBeUndefined();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(stream.nextBuffered()).toEqual({ done: true, value: undefined });
  });

  it('cancels the body when left early, and throws the abort reason once aborted', async () => {
    let cancelled = 0;
    const body = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(concat([eventFrame('messageStart', { role: 'assistant' }), eventFrame('messageStop', { stopReason: 'end_turn' })]));
        },
        cancel() {
          cancelled += 1;
        },
      });
    const left = readEventStream(body(), { providerId: 'bedrock-test' });
    await left.next();
    expect(await left.return!()).toEqual({ done: true, value: undefined });
    expect(left.nextBuffered()).toEqual({ done: true, value: undefined });
    expect(cancelled).toBe(1);

    const controller = new AbortController();
    const aborted = readEventStream(body(), { providerId: 'bedrock-test', signal: controller.signal });
    await aborted.next();
    expect((await aborted.next()).value?.headers[':event-type']).toBe('messageStop');
    const stalled = aborted.next();
    controller.abort(new RouterError('stopped by the caller', { code: 'aborted' }));
    await expect(stalled).rejects.toThrow('stopped by the caller');
    expect(cancelled).toBe(2);
    expect(await aborted.next()).toEqual({ done: true, value: undefined });
  });

  it.each([
    ['prelude CRC', 8, /prelude CRC/],
    ['message CRC', 120, /message CRC/],
  ])('hands over the frames a read completed before one that fails its %s, then fails without another read', async (_case, flipped, message) => {
    const corrupt = hex(published);
    corrupt[flipped] = corrupt[flipped]! ^ 0x01;
    let cancelled = 0;
    // One read holds two good frames and the corrupt one; the body then stays open, as a stalled upstream's would.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(concat([eventFrame('messageStart', { role: 'assistant' }), eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Sunny' } }), corrupt]));
      },
      cancel() {
        cancelled += 1;
      },
    });
    const stream = readEventStream(body, { providerId: 'bedrock-test' });
    const messages: string[] = [];
    const error = await (async () => {
      for await (const frame of stream) messages.push(frame.headers[':event-type']!);
    })().then(() => undefined, (caught: unknown) => caught);
    expect(messages).toEqual(['messageStart', 'contentBlockDelta']);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'bedrock-test' });
    expect((error as Error).message).toMatch(new RegExp(`bedrock-test sent a broken event stream: .*${message.source}`));
    expect(cancelled).toBe(1);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('turns a truncated last frame into a retryable upstream error', async () => {
    const bytes = hex(published);
    const messages: string[] = [];
    const reading = (async () => {
      for await (const message of readEventStream(bodyOf([eventFrame('messageStart', { role: 'assistant' }), bytes.subarray(0, 100)]), { providerId: 'bedrock-test' })) {
        messages.push(message.headers[':event-type']!);
      }
    })();
    const error = await reading.then(() => undefined, (caught: unknown) => caught);
    expect(messages).toEqual(['messageStart']);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'bedrock-test' });
    expect((error as Error).message).toMatch(/ended inside a frame/);
  });
});
