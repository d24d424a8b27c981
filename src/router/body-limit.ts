import { AbortedError, InvalidRequestError, RouterError } from '../errors.js';
import { utf8ByteLength } from '../internal/utf8-length.js';

/** The 413 for a body over a limit; `option` names the setting that raises it. */
export function bodyTooLarge(limit: number, option: string): RouterError {
  return new RouterError(`The request body is larger than ${limit} bytes, the limit set by ${option}.`, {
    code: 'invalid_request',
    status: 413,
  });
}

/**
 * The 400 for a body whose bytes are not UTF-8, the only encoding JSON is exchanged in (RFC
 * 8259 §8.1). Decoding them anyway would send the provider a prompt with U+FFFD in place of
 * each character the caller wrote in another charset (a Latin-1 "café" becomes "caf\uFFFD").
 */
export function notUtf8(cause: unknown): InvalidRequestError {
  return new InvalidRequestError('The request body is not valid UTF-8: send JSON encoded as UTF-8 (RFC 8259), whatever charset the content-type names.', null, cause);
}

/** Whether a string body is over the limit in UTF-8 bytes, without encoding it. */
export function textOverLimit(text: string, limit: number): boolean {
  // A UTF-16 code unit is 1 to 3 UTF-8 bytes: most bodies are decided by their length alone.
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return utf8ByteLength(text) > limit;
}

/**
 * Reads a body chunk by chunk, decoding as it goes; past `limit` bytes it cancels the stream
 * (the sender stops being read) and throws the 413, so no more than the limit is ever held.
 * The caller's `signal` aborting cancels the read too: a body that stalls cannot hold the call.
 */
export async function readTextWithin(body: ReadableStream<Uint8Array> | null, limit: number, option: string, signal?: AbortSignal): Promise<string> {
  if (body === null) return '';
  const reader = body.getReader();
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => {});
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: string[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await readChunk(reader, signal);
      if (signal?.aborted) throw new AbortedError('The request was aborted while its body was being read.', signal.reason);
      if (done) break;
      // A stream the caller built may enqueue strings: a fetch body is bytes, and a string has no byteLength to count.
      if (!(value instanceof Uint8Array)) {
        reader.cancel().catch(() => {});
        throw new InvalidRequestError('The request body stream must yield bytes (Uint8Array): encode text with TextEncoder, or pass the body as a string.');
      }
      size += value.byteLength;
      if (size > limit) {
        reader.cancel().catch(() => {});
        throw bodyTooLarge(limit, option);
      }
      parts.push(decode(decoder, value));
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  parts.push(decode(decoder));
  return parts.join('');
}

/**
 * The next chunk. A body that fails while being read (its source errored: an upload cut
 * mid-way) is the caller's 400, never a 500 blamed on a provider that was not called; its own
 * abort stays an abort.
 */
async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>, signal: AbortSignal | undefined): ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> {
  try {
    return await reader.read();
  } catch (error) {
    if (signal?.aborted) throw new AbortedError('The request was aborted while its body was being read.', signal.reason);
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidRequestError(`The request body could not be read to its end: ${reason.slice(0, 256)}`, null, error);
  }
}

/** One step of a fatal decoder; bytes that are not UTF-8 are the caller's 400. */
function decode(decoder: InstanceType<typeof TextDecoder>, bytes?: Uint8Array): string {
  try {
    return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
  } catch (error) {
    throw notUtf8(error);
  }
}

/** A declared `content-length` over the limit: refused before a byte of the body is read. */
export function declaredOverLimit(contentLength: string | null | undefined, limit: number): boolean {
  if (contentLength === null || contentLength === undefined) return false;
  const declared = Number(contentLength);
  return Number.isFinite(declared) && declared > limit;
}
