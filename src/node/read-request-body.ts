import type { IncomingMessage } from 'node:http';

/**
 * One decoder for every body (each decode is whole, so none leaves state behind); fatal, as
 * Buffer's own decoding would replace every byte that is not UTF-8 with U+FFFD.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export type BodyResult =
  | { kind: 'body'; text: string }
  /** All in, but its bytes are not UTF-8. */
  | { kind: 'not-utf8'; error: unknown }
  /** Over the limit: reading stopped there. */
  | { kind: 'too-large' }
  /** Not all in within the time: reading stopped. */
  | { kind: 'timeout' }
  /** The client went away before the body was in. */
  | { kind: 'gone' };

/**
 * Reads a request body chunk by chunk, holding at most `limit` bytes, within `timeoutMs` (which
 * a client trickling bytes cannot stretch). It never throws: each way it can end is a result.
 */
export function readRequestBody(request: IncomingMessage, limit: number, timeoutMs: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onClose);
      if (result.kind !== 'body') request.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) finish({ kind: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = () => {
      try {
        finish({ kind: 'body', text: strictUtf8.decode(Buffer.concat(chunks)) });
      } catch (error) {
        finish({ kind: 'not-utf8', error });
      }
    };
    const onGone = () => finish({ kind: 'gone' });
    const onClose = () => {
      if (!request.complete) finish({ kind: 'gone' });
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    request.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onClose);
  });
}
