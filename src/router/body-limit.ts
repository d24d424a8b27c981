import { AbortedError, RouterError } from '../errors.js';
import { utf8ByteLength } from '../internal/utf8-length.js';

/** The 413 for a body over a limit; `option` names the setting that raises it. */
export function bodyTooLarge(limit: number, option: string): RouterError {
  return new RouterError(`The request body is larger than ${limit} bytes, the limit set by ${option}.`, {
    code: 'invalid_request',
    status: 413,
  });
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
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw new AbortedError('The request was aborted while its body was being read.', signal.reason);
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        reader.cancel().catch(() => {});
        throw bodyTooLarge(limit, option);
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** A declared `content-length` over the limit: refused before a byte of the body is read. */
export function declaredOverLimit(contentLength: string | null | undefined, limit: number): boolean {
  if (contentLength === null || contentLength === undefined) return false;
  const declared = Number(contentLength);
  return Number.isFinite(declared) && declared > limit;
}
