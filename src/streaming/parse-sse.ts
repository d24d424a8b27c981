import type { EventSourceMessage, EventSourceParser, ParseError, ParserConfig } from 'eventsource-parser';
import { RouterError } from '../errors.js';
import { loadOnce, notLoaded, unlessAborted } from '../internal/load-once.js';
import { abortError, errorFromBodyFailure, errorFromStreamEvent, isErrorEvent, raisedByTheLibrary } from '../providers/upstream-error.js';
import { redactCause, type Redactor } from '../providers/redact.js';
import type { ByteReader, ByteReadResult } from '../transport/types.js';
import { finished, TurnTakingIterator } from './buffered-iterator.js';

/*
 * Server-sent events carrying JSON (OpenAI-style streams) → typed values, one per event, as they
 * arrive. A pull loop over the body's reader feeds eventsource-parser directly: no
 * TransformStream stages, which cost ~5 µs per chunk and ~11 KB per stream (measured on Node 20).
 */

export interface JsonEventStreamOptions<T> {
  /** The upstream's provider id: named in error messages and set as `RouterError.providerId`. */
  providerId: string;
  /**
   * Aborting it cancels the body and makes the iteration throw: the signal's reason when that is
   * a `RouterError`, otherwise an `AbortedError`.
   */
  signal?: AbortSignal | undefined;
  /** The upstream request id, attached to the errors this stream throws. */
  requestId?: string | undefined;
  /**
   * Removes the provider's secrets from what an error event or a failed read says, before it
   * becomes an error.
   * @default redacts only credential-shaped tokens (`Bearer …`, `sk-…`)
   */
  redact?: Redactor | undefined;
  /**
   * Checks and types one parsed event before it is yielded. Throw a `RouterError` to fail the
   * stream. Runs once per event, so keep it O(1).
   * @default the parsed JSON value, unchecked
   */
  parse?: ((data: unknown) => T) | undefined;
  /**
   * Asked when the body ends without `data: [DONE]`: whether what arrived is nevertheless a
   * complete answer (e.g. a `finish_reason` was seen). `false` fails the stream with
   * "stream ended before completion".
   * @default () => false
   */
  isComplete?: (() => boolean) | undefined;
  /**
   * Largest event the parser buffers before it gives up on the stream.
   * @default 16 MiB of text
   * @unit characters
   */
  maxEventSize?: number | undefined;
}

const defaultMaxEventSize = 16 * 1024 * 1024;

type CreateParser = (config: ParserConfig) => EventSourceParser;

/** eventsource-parser's `createParser`, once loaded. */
let createParser: CreateParser | undefined;

/**
 * eventsource-parser, loaded when the first stream starts (docs/performance.md, "Bundle size"):
 * an app that never streams neither loads nor bundles it at start-up. Later streams find it in
 * place and wait for nothing.
 */
const loadParser = loadOnce(() => import('eventsource-parser').then((module) => (createParser = module.createParser)));

/** Starts loading the parser, so that it is in place when a stream's first bytes arrive. */
export function preloadEventStreamParser(): void {
  if (createParser === undefined) loadParser().catch(ignore);
}

/**
 * Reads a `text/event-stream` body and yields each event's JSON `data`.
 *
 * - `data: [DONE]` ends the stream (what follows is never parsed; the body's end is read in the
 *   background so the connection stays reusable); comments (`: keepalive`),
 *   events without data, and unknown fields are ignored; LF, CRLF and CR line endings all work;
 *   a last event without its trailing blank line is still delivered.
 * - An event whose JSON is `{"error": …}`, or any event named `error`, throws the upstream's
 *   error as a `RouterError`, after every earlier event was yielded.
 * - Data that is not JSON throws `upstream_error` (retryable) "malformed SSE event".
 * - A body that ends without `[DONE]`, unless `isComplete()` says otherwise, throws
 *   `upstream_error` (retryable) "stream ended before completion": never a quiet end.
 * - Leaving the loop early (`break`, `return()`) or aborting `signal` cancels the body, which
 *   closes the upstream connection.
 *
 * Error messages never quote event data: it may hold completion text, and errors reach logs
 * and audit records. The `SyntaxError` is kept as `cause`.
 */
export function parseJsonEventStream<T = unknown>(body: ReadableStream<Uint8Array> | ByteReader, options: JsonEventStreamOptions<T>): JsonEventStream<T> {
  return new JsonEventStream(body, options);
}


/**
 * The iterator behind {@link parseJsonEventStream}. Each network read is parsed whole and its
 * events queued; `next()` answers from the queue with an already-settled promise, without the
 * extra awaits an async generator spends on every `yield`.
 */
export class JsonEventStream<T> extends TurnTakingIterator<T> {
  readonly #options: JsonEventStreamOptions<T>;
  readonly #reader: ByteReader;
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** The decoder holds no partial character: a read ending on an ASCII byte may decode whole. */
  #whole = true;
  /** No text was decoded yet: a byte-order mark here is the body's, and dropped. */
  #first = true;
  /** Made on the first read when the parser was still loading at construction. */
  #parser: EventSourceParser | undefined;
  /** Events the parser produced from the last read, not yet turned into values. */
  readonly #events: EventSourceMessage[] = [];
  /** Values ready for the caller, from `#head` on. */
  #values: T[] = [];
  #head = 0;
  /** What the caller gets once the values before it are out: the stream's error. */
  #failed = false;
  #failure: unknown;
  #overflow: ParseError | undefined;
  /** The body's reads ended: the decoder is flushed and nothing more comes. */
  #ended = false;
  #sawDone = false;
  /** The reader is ours to release: false once the body ended or failed. */
  #open = true;
  /** Closed: by the end, an error, return() or throw(); every later next() is done. */
  #closed = false;
  readonly #onAbort = (): void => void this.#reader.cancel(this.#options.signal?.reason).catch(ignore);

  constructor(body: ReadableStream<Uint8Array> | ByteReader, options: JsonEventStreamOptions<T>) {
    super();
    this.#options = options;
    this.#reader = 'getReader' in body ? body.getReader() : body;
    if (createParser !== undefined) this.#parser = this.#newParser(createParser);
    else preloadEventStreamParser();
    // fetch errors the body on abort by itself, but custom fetches and mocks may not: cancel it
    // here so a pending read settles at once.
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  #newParser(create: CreateParser): EventSourceParser {
    return create({
      onEvent: (event) => void this.#events.push(event),
      onError: (error) => {
        // Unknown fields and bad `retry` values are noise; only a runaway event is fatal.
        if (error.type === 'max-buffer-size-exceeded') this.#overflow = error;
      },
      maxBufferSize: this.#options.maxEventSize ?? defaultMaxEventSize,
    });
  }

  /** The next result that needs no read, or undefined when one is needed. Throws the stream's error. */
  protected override take(): IteratorResult<T, undefined> | undefined {
    if (this.#closed) return finished;
    const { signal, providerId } = this.#options;
    if (signal?.aborted) this.#fail(abortError(providerId, signal));
    if (this.#head < this.#values.length) {
      const value = this.#values[this.#head]!;
      this.#values[this.#head++] = undefined as T; // released as it goes
      return { done: false, value };
    }
    if (this.#failed) this.#fail(this.#failure);
    if (this.#sawDone) {
      this.close();
      return finished;
    }
    if (this.#ended) {
      let complete: boolean;
      try {
        complete = this.#options.isComplete?.() === true;
      } catch (error) {
        this.#fail(error);
      }
      if (complete) {
        this.close();
        return finished;
      }
      this.#fail(truncated(providerId, this.#options.requestId));
    }
    return undefined;
  }

  protected override async read(): Promise<IteratorResult<T, undefined>> {
    const { signal, providerId, requestId, redact } = this.#options;
    for (;;) {
      let result: ByteReadResult;
      try {
        result = await this.#reader.read();
      } catch (error) {
        this.#open = false;
        if (this.#closed) return finished; // return() while the read was waiting: nobody wants the error
        this.#fail(errorFromBodyFailure(providerId, error, signal, requestId, redact));
      }
      if (this.#closed) return finished; // return() while the read was waiting
      let parser = this.#parser;
      if (parser === undefined) {
        try {
          parser = this.#parser = this.#newParser(createParser ?? (await unlessAborted(loadParser(), signal)));
        } catch (error) {
          this.#fail(signal?.aborted ? abortError(providerId, signal) : parserUnavailable(error));
        }
        if (this.#closed) return finished; // return() while the parser was loading
      }
      if (result.done) {
        this.#open = false;
        this.#ended = true;
        // Flush the decoder, then terminate a last event that lacks its blank line.
        parser.feed(`${this.#text(this.#decoder.decode())}\n\n`);
      } else {
        parser.feed(this.#decode(result.value));
      }
      this.#collect();
      const ready = this.take();
      if (ready !== undefined) return ready;
    }
  }

  /**
   * One read's bytes as text. A read that ends on an ASCII byte, with no partial character held
   * from the one before, decodes whole: on Node through a `Buffer` view of it, at a fraction of a
   * streaming `TextDecoder`'s cost (~2 µs instead of ~35 µs for a 25 KB read, Node 20). Otherwise
   * the streaming decoder keeps a character split across reads.
   */
  #decode(bytes: Uint8Array): string {
    const length = bytes.byteLength;
    if (length === 0) return '';
    const last = bytes[length - 1]!;
    if (this.#whole && last < 0x80 && NodeBuffer !== undefined) return this.#text(NodeBuffer.from(bytes.buffer, bytes.byteOffset, length).toString('utf8'));
    // The decoder holds nothing once a read ending on an ASCII byte went through it.
    this.#whole = last < 0x80;
    return this.#text(this.#decoder.decode(bytes, { stream: true }));
  }

  /** As TextDecoder has it: a byte-order mark at the very start of the body is dropped, no other. */
  #text(text: string): string {
    if (!this.#first || text === '') return text;
    this.#first = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /** Turns the parsed events into values, up to `[DONE]` or the first failure, which waits its turn. */
  #collect(): void {
    const { providerId, requestId, parse, redact } = this.#options;
    if (this.#head === this.#values.length) {
      this.#values = [];
      this.#head = 0;
    }
    const events = this.#events;
    try {
      if (this.#overflow !== undefined) {
        throw new RouterError(`${providerId} sent an SSE event larger than ${this.#options.maxEventSize ?? defaultMaxEventSize} characters`, {
          code: 'upstream_error',
          providerId,
          isRetryable: true,
          requestID: requestId,
          cause: this.#overflow,
        });
      }
      for (const event of events) {
        const data = event.data;
        if (data === '[DONE]') {
          this.#sawDone = true;
          break;
        }
        if (data.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(data);
        } catch (error) {
          // `JSON.parse` quotes the text it choked on: the cause is redacted like the upstream's words.
          const cause = redactCause(error, redact);
          throw this.#ended
            ? truncated(providerId, requestId, cause)
            : new RouterError(`malformed SSE event from ${providerId}: its data is not valid JSON (${data.length} characters)`, {
                code: 'upstream_error',
                providerId,
                isRetryable: true,
                requestID: requestId,
                cause,
              });
        }
        if (isErrorEvent(value, event.event)) throw errorFromStreamEvent(providerId, value, requestId, redact);
        this.#values.push(parse === undefined ? (value as T) : parse(value));
      }
    } catch (error) {
      // `parse` may throw what it likes: the caller gets it as thrown.
      this.#failed = true;
      this.#failure = error;
    } finally {
      events.length = 0;
    }
  }

  /** Ends the stream with `error`, after releasing the body. */
  #fail(error: unknown): never {
    this.close();
    throw error;
  }

  protected override close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#values = [];
    this.#head = 0;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    if (!this.#open) return;
    // After [DONE] only the body's end is left; otherwise (left early, failed, aborted)
    // cancelling the body closes the upstream connection.
    if (this.#sawDone && !this.#failed) void finishBody(this.#reader);
    else void this.#reader.cancel().catch(ignore);
  }
}

/** How long, and how much, a body may go on after `data: [DONE]` before it is cancelled. */
const afterDoneLimit = { ms: 1_000, bytes: 64 * 1024 };

/**
 * After `data: [DONE]` only the body's end is normally left: read it in the background instead
 * of cancelling, because fetch turns a cancel into an abort whose DOMException costs ~20 µs a
 * stream (Node 20), and a body read to its end leaves the connection reusable. A body that goes
 * on past [DONE] is cancelled after {@link afterDoneLimit}.
 */
async function finishBody(reader: ByteReader): Promise<void> {
  // Set before the first read: a body that just stays open after [DONE] is cancelled too.
  const timer = setTimeout(() => void reader.cancel().catch(ignore), afterDoneLimit.ms);
  timer.unref?.();
  let bytes = 0;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) return;
      bytes += result.value.byteLength;
      if (bytes > afterDoneLimit.bytes) return void (await reader.cancel());
    }
  } catch {
    // The body failed after [DONE]: the answer was already complete.
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The parser could not be loaded (a chunk a deployment left out, a file system hiccup): the
 * library's fault, not the upstream's, so no deployment's health pays for it. Not retried on the
 * same deployment; the next one loads it again.
 */
function parserUnavailable(cause: unknown): RouterError {
  // The request was sent (its answer is arriving): only the deployment's health is spared.
  return raisedByTheLibrary(notLoaded('the SSE parser eventsource-parser', cause));
}

function truncated(providerId: string, requestId: string | undefined, cause?: unknown): RouterError {
  return new RouterError(
    `the stream from ${providerId} ended before completion: the connection closed without a finish_reason or [DONE]`,
    { code: 'upstream_error', providerId, isRetryable: true, requestID: requestId, cause },
  );
}

function ignore(): void {}

/** Node's Buffer, where there is one: a zero-copy view's `toString('utf8')` is the fast whole-read decode. */
const NodeBuffer = (globalThis as { Buffer?: { from(buffer: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: 'utf8'): string } } }).Buffer;
