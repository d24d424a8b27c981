import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/*
 * A minimal OpenAI-compatible upstream on 127.0.0.1, answering every request with what the test
 * says: counts its hits, so a test can show that nothing was sent.
 */

export interface LocalUpstream {
  /** The API root to pass as `baseURL`. */
  baseURL: string;
  /** Request bodies received, parsed, in order. */
  bodies: Record<string, unknown>[];
  readonly hits: number;
}

export type Answer = (body: Record<string, unknown>, response: ServerResponse, hit: number) => void;

const open: (() => Promise<void>)[] = [];

/** Closes every upstream a test started. Call once per file. */
export function useLocalUpstreams(): void {
  afterEach(async () => {
    await Promise.all(open.splice(0).map((close) => close()));
  });
}

/** Starts `server` on a free port of 127.0.0.1 and returns the port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Closes `server` with every connection it still holds, keep-alive ones included. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function localUpstream(answer: Answer): Promise<LocalUpstream> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as Record<string, unknown>;
      bodies.push(body);
      answer(body, response, bodies.length);
    });
  });
  const port = await listenOnLoopback(server);
  open.push(() => closeServer(server));
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    bodies,
    get hits() {
      return bodies.length;
    },
  };
}

export function completion(model: string, text: string): Record<string, unknown> {
  return {
    id: 'chatcmpl-local',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
  };
}

export function chunk(model: string, delta: Record<string, unknown>, finish: string | null): Record<string, unknown> {
  return { id: 'chatcmpl-local', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] };
}

/** Sends JSON with a status. */
export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

/** Sends an SSE body: each entry is an event's data (objects as JSON, strings as they are), then `[DONE]` unless `cut`. */
export function sendEvents(response: ServerResponse, events: unknown[], options: { done?: boolean } = {}): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of events) response.write(`data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`);
  if (options.done !== false) response.write('data: [DONE]\n\n');
  response.end();
}

/** A good answer for either kind of call. */
export function answerWell(text: string): Answer {
  return (body, response) => {
    const model = String(body.model);
    if (body.stream === true) {
      sendEvents(response, [chunk(model, { role: 'assistant', content: text }, null), chunk(model, {}, 'stop')]);
    } else sendJson(response, 200, completion(model, text));
  };
}
