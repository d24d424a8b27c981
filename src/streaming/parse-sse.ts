import { createParser } from 'eventsource-parser';
import type { EventSourceMessage, ParseError } from 'eventsource-parser';
import { RouterError } from '../errors.js';
import { abortError, errorFromBodyFailure, errorFromStreamEvent, isErrorEvent } from '../providers/upstream-error.js';

/*
 * Server-sent events carrying JSON (OpenAI-style streams) → typed values, one per event, as they
 * arrive. A pull loop over the body's reader feeds eventsource-parser directly: no
 * TransformStream stages, which cost ~5 µs per chunk and ~11 KB per stream (research/perf.md).
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

/**
 * Reads a `text/event-stream` body and yields each event's JSON `data`.
 *
 * - `data: [DONE]` ends the stream (the rest of the body is not read); comments (`: keepalive`),
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
export async function* parseJsonEventStream<T = unknown>(
  body: ReadableStream<Uint8Array>,
  options: JsonEventStreamOptions<T>,
): AsyncGenerator<T, void, undefined> {
  const { providerId, signal, requestId } = options;
  const parse = options.parse;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const pending: EventSourceMessage[] = [];
  let overflow: ParseError | undefined;
  const parser = createParser({
    onEvent: (event) => void pending.push(event),
    onError: (error) => {
      // Unknown fields and bad `retry` values are noise; only a runaway event is fatal.
      if (error.type === 'max-buffer-size-exceeded') overflow = error;
    },
    maxBufferSize: options.maxEventSize ?? defaultMaxEventSize,
  });

  // fetch errors the body on abort by itself, but custom fetches and mocks may not: cancel it
  // here so a pending read settles at once.
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(ignore);
  signal?.addEventListener('abort', onAbort, { once: true });

  let open = true;
  let sawDone = false;
  try {
    while (!sawDone) {
      if (signal?.aborted) throw abortError(providerId, signal);
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await reader.read();
      } catch (error) {
        open = false;
        throw errorFromBodyFailure(providerId, error, signal, requestId);
      }
      if (signal?.aborted) throw abortError(providerId, signal);

      const ended = result.done;
      if (ended) {
        open = false;
        // Flush the decoder, then terminate a last event that lacks its blank line.
        parser.feed(`${decoder.decode()}\n\n`);
      } else {
        parser.feed(decoder.decode(result.value, { stream: true }));
      }
      if (overflow !== undefined) {
        throw new RouterError(`${providerId} sent an SSE event larger than ${options.maxEventSize ?? defaultMaxEventSize} characters`, {
          code: 'upstream_error',
          providerId,
          isRetryable: true,
          requestID: requestId,
          cause: overflow,
        });
      }

      // `pending` is drained by index, then cleared, so a throw mid-batch cannot replay events.
      for (let index = 0; index < pending.length; index++) {
        const event = pending[index] as EventSourceMessage;
        const data = event.data;
        if (data === '[DONE]') {
          sawDone = true;
          break;
        }
        if (data.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(data);
        } catch (error) {
          pending.length = 0;
          throw ended
            ? truncated(providerId, requestId, error)
            : new RouterError(
                `malformed SSE event from ${providerId}: its data is not valid JSON (${data.length} characters)`,
                { code: 'upstream_error', providerId, isRetryable: true, requestID: requestId, cause: error },
              );
        }
        if (isErrorEvent(value, event.event)) {
          pending.length = 0;
          throw errorFromStreamEvent(providerId, value, requestId);
        }
        yield parse === undefined ? (value as T) : parse(value);
      }
      pending.length = 0;

      if (ended && !sawDone) {
        if (options.isComplete?.() === true) return;
        throw truncated(providerId, requestId);
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Left early, failed or aborted: cancelling the body closes the upstream connection.
    if (open && !sawDone) void reader.cancel().catch(ignore);
    else if (open) void finishBody(reader);
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
async function finishBody(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let bytes = 0;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) return;
      bytes += result.value.byteLength;
      if (bytes > afterDoneLimit.bytes) return void (await reader.cancel());
      if (timer === undefined) {
        timer = setTimeout(() => void reader.cancel().catch(ignore), afterDoneLimit.ms);
        timer.unref?.();
      }
    }
  } catch {
    // The body failed after [DONE]: the answer was already complete.
  } finally {
    clearTimeout(timer);
  }
}

function truncated(providerId: string, requestId: string | undefined, cause?: unknown): RouterError {
  return new RouterError(
    `the stream from ${providerId} ended before completion: the connection closed without a finish_reason or [DONE]`,
    { code: 'upstream_error', providerId, isRetryable: true, requestID: requestId, cause },
  );
}

function ignore(): void {}
