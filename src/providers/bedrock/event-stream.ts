import { RouterError } from '../../errors.js';
import { finished, TurnTakingIterator } from '../../streaming/buffered-iterator.js';
import { errorFromBodyFailure } from '../upstream-error.js';
import { crc32 } from './crc32.js';

/*
 * The `application/vnd.amazon.eventstream` binary framing of Bedrock's ConverseStream, decoded
 * as bytes arrive. Each frame (all integers big-endian):
 *
 *   uint32 total length · uint32 headers length · uint32 prelude CRC (of the first 8 bytes)
 *   headers · payload · uint32 message CRC (of everything before it)
 *
 * A header is `uint8 name length · name · uint8 type · value`. Frames are not aligned with
 * network chunks: bytes are buffered until a whole frame is present, and a chunk may hold several.
 * Any broken CRC, impossible length or truncated frame fails the stream: a corrupted frame cannot
 * be told from a corrupted answer. The whole frames before it were sent as they are, and are
 * handed over first.
 */

/** One decoded frame: its string-valued headers (others are read and skipped) and raw payload. */
export interface EventStreamMessage {
  headers: Record<string, string>;
  payload: Uint8Array;
}

/** Larger frames are treated as corruption, as AWS's own decoder does. @unit bytes */
const maxFrame = 16 * 1024 * 1024;
const preludeLength = 12;
const minFrame = 16;

const decoder = new TextDecoder();

/** Raised for bytes that are not a valid frame; the stream reader turns it into an upstream error. */
export class EventStreamCorruption extends Error {
  override readonly name = 'EventStreamCorruption';
  /** The frames the same chunk completed before the corrupt one, in order: good, and still owed to the reader. */
  frames: EventStreamMessage[] = [];
}

/** Splits a byte stream into frames, checking both CRCs of each. Push chunks, collect messages. */
export class EventStreamDecoder {
  #buffer = new Uint8Array(0);
  #start = 0;
  #end = 0;

  /**
   * The complete frames the new bytes finish, in order. Throws `EventStreamCorruption`, carrying
   * the frames completed before the corrupt one.
   */
  push(chunk: Uint8Array): EventStreamMessage[] {
    this.#append(chunk);
    const messages: EventStreamMessage[] = [];
    try {
      this.#decode(messages);
    } catch (error) {
      if (error instanceof EventStreamCorruption) error.frames = messages;
      throw error;
    }
    return messages;
  }

  /** Appends the buffer's complete frames to `messages`. */
  #decode(messages: EventStreamMessage[]): void {
    for (;;) {
      const available = this.#end - this.#start;
      if (available < preludeLength) break;
      const view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset + this.#start, available);
      const total = view.getUint32(0);
      const headersLength = view.getUint32(4);
      if (crc32(this.#buffer, this.#start, this.#start + 8) !== view.getUint32(8)) throw new EventStreamCorruption('an event-stream frame failed its prelude CRC');
      if (total < minFrame || total > maxFrame || headersLength > total - minFrame) {
        throw new EventStreamCorruption(`an event-stream frame declares impossible lengths (total ${total}, headers ${headersLength})`);
      }
      if (available < total) break;
      const frameEnd = this.#start + total;
      if (crc32(this.#buffer, this.#start, frameEnd - 4) !== view.getUint32(total - 4)) throw new EventStreamCorruption('an event-stream frame failed its message CRC');
      const headersStart = this.#start + preludeLength;
      const payloadStart = headersStart + headersLength;
      messages.push({
        headers: readHeaders(this.#buffer.subarray(headersStart, payloadStart)),
        // Copied: the buffer is reused for later chunks.
        payload: this.#buffer.slice(payloadStart, frameEnd - 4),
      });
      this.#start = frameEnd;
    }
  }

  /** Throws when the stream ended inside a frame. */
  end(): void {
    if (this.#end > this.#start) throw new EventStreamCorruption(`the event stream ended inside a frame (${this.#end - this.#start} bytes left over)`);
  }

  #append(chunk: Uint8Array): void {
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end + chunk.length > this.#buffer.length) {
      const kept = this.#end - this.#start;
      if (kept + chunk.length <= this.#buffer.length) {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      } else {
        // Doubling keeps a frame split over many chunks at O(n) copies in total.
        const grown = new Uint8Array(Math.max(kept + chunk.length, this.#buffer.length * 2, 1024));
        grown.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = grown;
      }
      this.#start = 0;
      this.#end = kept;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
  }
}

function readHeaders(bytes: Uint8Array): Record<string, string> {
  const headers: Record<string, string> = {};
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let offset = 0;
  const need = (count: number) => {
    if (offset + count > bytes.length) throw new EventStreamCorruption('an event-stream header runs past its block');
  };
  while (offset < bytes.length) {
    need(1);
    const nameLength = view.getUint8(offset++);
    need(nameLength + 1);
    const name = decoder.decode(bytes.subarray(offset, offset + nameLength));
    offset += nameLength;
    const type = view.getUint8(offset++);
    switch (type) {
      case 0:
      case 1:
        break;
      case 2:
        offset += 1;
        break;
      case 3:
        offset += 2;
        break;
      case 4:
        offset += 4;
        break;
      case 5:
      case 8:
        offset += 8;
        break;
      case 9:
        offset += 16;
        break;
      case 6:
      case 7: {
        need(2);
        const length = view.getUint16(offset);
        offset += 2;
        need(length);
        if (type === 7) headers[name] = decoder.decode(bytes.subarray(offset, offset + length));
        offset += length;
        break;
      }
      default:
        throw new EventStreamCorruption(`an event-stream header has unknown type ${type}`);
    }
    need(0);
  }
  return headers;
}

export interface ReadEventStreamOptions {
  providerId: string;
  signal?: AbortSignal | undefined;
  requestId?: string | undefined;
}

/**
 * A response body as event-stream frames, as they complete. A corrupted or truncated frame, or a
 * connection that fails mid-body, throws a retryable `upstream_error`, once the whole frames
 * before it are handed over (those of its own read too); the caller's abort cancels the body
 * and throws its reason, also while a read waits. Leaving the iteration early cancels the
 * body. Every frame a read completes is decoded at once and handed over without a wait
 * (`nextBuffered`), so what the upstream already sent stays visible through the translation.
 */
export function readEventStream(body: ReadableStream<Uint8Array>, options: ReadEventStreamOptions): EventStreamReader {
  return new EventStreamReader(body, options);
}


/**
 * The iterator behind {@link readEventStream}: one hand-written iterator rather than an async
 * generator, which could not say what it already holds (streaming/buffered-iterator.ts).
 */
export class EventStreamReader extends TurnTakingIterator<EventStreamMessage> {
  readonly #options: ReadEventStreamOptions;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #frames = new EventStreamDecoder();
  /** Frames decoded and not yet handed over, from `#head` on. */
  #queue: EventStreamMessage[] = [];
  #head = 0;
  /** The body ended, its last frame whole: nothing more comes once the queue is out. */
  #ended = false;
  /** A corrupt frame ended the body: thrown once the frames before it are out. */
  #failure: RouterError | undefined;
  /** The reader is ours to release: false once the body ended or failed. */
  #open = true;
  /** Closed: by the end, a failure, return() or throw(); every later next() is done. */
  #closed = false;
  // fetch errors the body on abort by itself, but custom fetches and mocks may not: cancel it
  // here so a read waiting on a silent upstream settles at once.
  readonly #onAbort = (): void => void this.#reader.cancel(this.#options.signal?.reason).catch(() => undefined);

  constructor(body: ReadableStream<Uint8Array>, options: ReadEventStreamOptions) {
    super();
    this.#options = options;
    this.#reader = body.getReader();
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** The next result that needs no read, or undefined when one is needed. Throws the stream's error. */
  protected override take(): IteratorResult<EventStreamMessage, undefined> | undefined {
    if (this.#closed) return finished;
    const { signal, providerId, requestId } = this.#options;
    if (signal?.aborted) this.#fail(errorFromBodyFailure(providerId, undefined, signal, requestId));
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as EventStreamMessage; // released as it goes
      return { done: false, value };
    }
    if (this.#failure !== undefined) this.#fail(this.#failure);
    if (this.#ended) {
      this.close();
      return finished;
    }
    return undefined;
  }

  protected override async read(): Promise<IteratorResult<EventStreamMessage, undefined>> {
    const { signal, providerId, requestId } = this.#options;
    for (;;) {
      let read: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;
      try {
        read = await this.#reader.read();
      } catch (error) {
        this.#open = false;
        if (this.#closed) return finished; // return() while the read was waiting: nobody wants the error
        this.#fail(errorFromBodyFailure(providerId, error, signal, requestId));
      }
      if (this.#closed) return finished; // return() while the read was waiting
      // An abort cancels the body, which ends the read as if the body had ended.
      if (signal?.aborted) this.#fail(errorFromBodyFailure(providerId, undefined, signal, requestId));
      try {
        if (read.done) {
          this.#open = false;
          this.#ended = true;
          this.#frames.end();
        } else this.#enqueue(this.#frames.push(read.value));
      } catch (error) {
        if (!(error instanceof EventStreamCorruption)) this.#fail(error);
        // The frames before the corrupt one are what the upstream sent: handed over, then the failure.
        this.#enqueue(error.frames);
        this.#failure = this.#corrupted(error);
        // Nothing after a corrupt frame can be read: the connection goes now, not once the frames are out.
        if (this.#open) {
          this.#open = false;
          void this.#reader.cancel().catch(() => undefined);
        }
      }
      const ready = this.take();
      if (ready !== undefined) return ready;
    }
  }

  #enqueue(messages: EventStreamMessage[]): void {
    if (this.#head === this.#queue.length) {
      this.#queue = messages;
      this.#head = 0;
    } else this.#queue.push(...messages);
  }

  #corrupted(error: EventStreamCorruption): RouterError {
    const { providerId, requestId } = this.#options;
    return new RouterError(`${providerId} sent a broken event stream: ${error.message}`, {
      code: 'upstream_error',
      providerId,
      isRetryable: true,
      requestID: requestId,
      cause: error,
    });
  }

  /** Ends the stream with `error`, after releasing the body. */
  #fail(error: unknown): never {
    this.close();
    throw error;
  }

  protected override close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#head = 0;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    // Not awaited: some bodies (mocks, proxies) settle a cancel only when their source does.
    if (this.#open) void this.#reader.cancel().catch(() => undefined);
  }
}
