import type { Duplex } from 'node:stream';
import { RouterError } from '../errors.js';

/**
 * Answers a request Node could not read (headers too large, not HTTP, headers not in within the
 * time) as Node would, but with the OpenAI envelope every other error of the server carries, so
 * an SDK shows why. There was no request: nothing is recorded. The connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex, requestTimeoutMs: number): void {
  // As Node decides: only when no response on this connection has begun (one cannot be replaced).
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (socket.writable && (!inFlight || !inFlight.headersSent)) {
    const [status, reason, message] = describe(error.code, requestTimeoutMs);
    const body = JSON.stringify(new RouterError(message, { code: 'invalid_request', status }));
    const head = `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\nx-should-retry: false\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    socket.end(head + body, () => socket.destroy());
    return;
  }
  socket.destroy(error);
}

function describe(code: string | undefined, requestTimeoutMs: number): [number, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'Request Header Fields Too Large', 'The request headers are larger than this server accepts (Node\'s maxHeaderSize).'];
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return [413, 'Payload Too Large', 'The chunk extensions of the request body are larger than this server accepts.'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'Request Timeout', `The request headers did not arrive within ${requestTimeoutMs} ms (serve's requestTimeoutMs).`];
  return [400, 'Bad Request', 'The request is not valid HTTP/1.1 and could not be read.'];
}
