import { setupServer } from 'msw/node';
import type { RequestHandler } from 'msw';
import { afterAll, afterEach, beforeAll } from 'vitest';

/*
 * One msw server per test file: unhandled requests fail the test, handlers reset after each
 * test, and every outbound request is recorded (a clone, so its body can still be read).
 */

export interface MockServer {
  server: ReturnType<typeof setupServer>;
  /** Outbound requests of the current test, in order. */
  requests: Request[];
  /** Registers handlers for the current test only. */
  use(...handlers: RequestHandler[]): void;
}

export function mockServer(...handlers: RequestHandler[]): MockServer {
  const server = setupServer(...handlers);
  const requests: Request[] = [];
  server.events.on('request:start', ({ request }) => {
    requests.push(request.clone());
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    requests.length = 0;
  });
  afterAll(() => server.close());
  return { server, requests, use: (...extra) => server.use(...extra) };
}

const encoder = new TextEncoder();

/**
 * An SSE response body the test writes to piece by piece: `push` enqueues raw text (so events
 * can be split anywhere), `close` ends it, `error` breaks it, and `cancelled` reports whether
 * the reader cancelled it.
 */
export function controlledBody(): {
  body: ReadableStream<Uint8Array>;
  push(text: string): void;
  close(): void;
  error(reason: unknown): void;
  readonly cancelled: boolean;
} {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(value) {
      controller = value;
    },
    cancel() {
      cancelled = true;
    },
  });
  return {
    body,
    push: (text) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
    error: (reason) => controller.error(reason),
    get cancelled() {
      return cancelled;
    },
  };
}

/** A body that delivers `parts` (raw SSE text) then ends. */
export function sseBody(parts: readonly string[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

/** `data: <json>\n\n` for each value. */
export function sseEvents(...values: unknown[]): string {
  return values.map((value) => `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`).join('');
}
