import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { InvalidRequestError } from '../errors.js';
import type { Router } from '../router/create-router.js';

export interface ServeOptions {
  /** Port to listen on; 0 picks a free one. @default 8787 */
  port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /**
   * Largest request body accepted; a larger one is refused with 413 before it is buffered whole.
   * @default 16 MiB
   * @unit bytes
   */
  maxBodyBytes?: number;
}

const defaultMaxBodyBytes = 16 * 1024 * 1024;

/**
 * Serves `router.fetch` over `node:http`, for clients in other languages or processes. Configure
 * `keys` on the router before exposing it: without them any bearer token is accepted.
 * Resolves once listening; `server.address()` tells the port.
 */
export function serve(router: Router, options: ServeOptions = {}): Promise<Server> {
  const server = createServer((request, response) => {
    handle(router, request, response, options.maxBodyBytes ?? defaultMaxBodyBytes).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error), type: 'server_error', code: 'upstream_error', param: null } }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => resolve(server));
  });
}

async function handle(router: Router, request: IncomingMessage, response: ServerResponse, maxBodyBytes: number) {
  const controller = new AbortController();
  // The client hanging up aborts the routed call and its upstream.
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > maxBodyBytes) {
      const error = new InvalidRequestError(`The request body is larger than ${maxBodyBytes} bytes (serve's maxBodyBytes).`);
      response.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      response.end(JSON.stringify(error));
      request.destroy();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  const method = request.method ?? 'GET';
  const init: RequestInit = { method, headers, signal: controller.signal };
  if (method !== 'GET' && method !== 'HEAD') init.body = Buffer.concat(chunks).toString('utf8');
  const result = await router.fetch(`http://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`, init);
  response.writeHead(result.status, Object.fromEntries(result.headers));
  if (result.body === null) {
    response.end();
    return;
  }
  const body = Readable.fromWeb(result.body as import('node:stream/web').ReadableStream<Uint8Array>);
  response.once('close', () => body.destroy());
  body.pipe(response);
}
