import type { Readable } from 'node:stream';
import type { BodyText } from '../providers/read-body-text.js';
import type { ByteReader, ByteReadResult } from './types.js';

/*
 * A node:http response body read as fetch's body reader reads it: pulled chunk by chunk, a
 * failure as a rejected read, `cancel()` closing the connection. Failures are worded as Node's
 * fetch words them (`terminated`, with the socket's error as cause), so an error message does not
 * depend on the transport.
 */

const done: ByteReadResult = Object.freeze({ done: true, value: undefined });

/** Pulls a Node `Readable` (a response, or its decompressor) chunk by chunk. */
export class ReadableByteReader implements ByteReader {
  readonly #stream: Readable;
  readonly #close: () => void;
  #ended = false;
  #failure: Error | undefined;
  #cancelled = false;
  /** The read waiting for data, the end or a failure. */
  #wake: (() => void) | undefined;

  /** `close` abandons the exchange: it destroys the request, which closes the connection. */
  constructor(stream: Readable, close: () => void) {
    this.#stream = stream;
    this.#close = close;
    const wake = () => this.#wake?.();
    stream.on('readable', wake);
    stream.on('end', () => {
      this.#ended = true;
      wake();
    });
    stream.on('error', (error: Error) => {
      this.#failure ??= terminated(error);
      wake();
    });
    stream.on('close', () => {
      // A body destroyed without an error (rare) still ended early.
      if (!this.#ended) this.#failure ??= terminated(new Error('the connection closed before the response ended'));
      wake();
    });
  }

  read(): Promise<ByteReadResult> {
    if (this.#cancelled) return Promise.resolve(done);
    const chunk = this.#stream.read() as Buffer | null;
    if (chunk !== null) return Promise.resolve({ done: false, value: chunk });
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      this.#wake = () => {
        this.#wake = undefined;
        this.read().then(resolve, reject);
      };
    });
  }

  cancel(): Promise<void> {
    if (!this.#cancelled && !this.#ended) {
      this.#cancelled = true;
      this.#close();
    }
    this.#cancelled = true;
    this.#wake?.();
    return Promise.resolve();
  }

  /**
   * The whole body as UTF-8 text, up to `maxBytes`; past it the beginning is kept with
   * `truncated` and the connection is closed.
   */
  async text(maxBytes: number): Promise<BodyText> {
    const chunks: Buffer[] = [];
    let received = 0;
    for (;;) {
      const result = await this.read();
      if (result.done) return { text: decode(chunks), truncated: false };
      const chunk = result.value as Buffer;
      received += chunk.byteLength;
      if (received > maxBytes) {
        const keep = chunk.byteLength - (received - maxBytes);
        if (keep > 0) chunks.push(chunk.subarray(0, keep));
        void this.cancel();
        return { text: decode(chunks), truncated: true };
      }
      chunks.push(chunk);
    }
  }
}

/** UTF-8, without a byte-order mark (as `Response.text()` reads it). */
function decode(chunks: Buffer[]): string {
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A body that failed while being read, as Node's fetch reports it. */
function terminated(cause: Error): Error {
  return new TypeError('terminated', { cause });
}
