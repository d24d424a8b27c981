import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';

/*
 * A real OpenAI-compatible upstream on 127.0.0.1 that answers each request with the next
 * scripted behaviour: an answer (JSON or SSE, optionally late), an HTTP error with Retry-After,
 * a hang, a connection reset, malformed JSON, a malformed SSE event, a stream cut after N
 * chunks, a slow drip. It records every request and whether the client closed the connection.
 *
 * One server hosts any number of named upstreams (`/<name>/v1/chat/completions`), each with its
 * own script, so one test can give two deployments different faults. Its delays use the timers
 * captured when this module loads: a test that fakes timers still gets an upstream that runs in
 * real time.
 */

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

export type Fault = FaultKind & {
  /** Streams open with Azure OpenAI's `prompt_filter_results` chunk: `choices: []`, empty id and model, `created: 0`. */
  promptFilter?: boolean;
};

type FaultKind =
  | { kind: 'ok'; ttftMs?: number; chunks?: number; usage?: Usage | null }
  | { kind: 'status'; status: number; retryAfter?: string; retryAfterMs?: string; message?: string }
  | { kind: 'hang'; afterChunks?: number }
  | { kind: 'reset' }
  | { kind: 'malformed-json' }
  | { kind: 'malformed-sse'; afterChunks: number }
  | { kind: 'cut'; afterChunks: number }
  | { kind: 'drip'; intervalMs: number; chunks?: number };

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Builders for each behaviour. */
export const fault = {
  /** A normal answer; `ttftMs` delays the headers and first chunk; `chunks` content chunks when streamed. */
  ok: (options: Omit<Extract<Fault, { kind: 'ok' }>, 'kind'> = {}): Fault => ({ kind: 'ok', ...options }),
  /** An HTTP error with an OpenAI error body. */
  status: (status: number, message = `simulated ${status}`): Fault => ({ kind: 'status', status, message }),
  /** 429 with `Retry-After: <seconds>`. */
  rateLimit: (retryAfterSeconds: number): Fault => ({ kind: 'status', status: 429, retryAfter: String(retryAfterSeconds), message: 'Rate limit reached' }),
  /** Never answers (or, for a stream, stops after `afterChunks` chunks and stays open). */
  hang: (afterChunks?: number): Fault => (afterChunks === undefined ? { kind: 'hang' } : { kind: 'hang', afterChunks }),
  /** Destroys the connection before answering. */
  reset: (): Fault => ({ kind: 'reset' }),
  /** 200 with a JSON content type and a body that is not JSON. */
  malformedJson: (): Fault => ({ kind: 'malformed-json' }),
  /** A stream whose event after `afterChunks` good ones is not JSON. */
  malformedSse: (afterChunks = 0): Fault => ({ kind: 'malformed-sse', afterChunks }),
  /** A stream whose connection is destroyed after `afterChunks` chunks. */
  cut: (afterChunks: number): Fault => ({ kind: 'cut', afterChunks }),
  /** A stream sending one chunk every `intervalMs`. */
  drip: (intervalMs: number, chunks = 4): Fault => ({ kind: 'drip', intervalMs, chunks }),
  /** `stream`, opened with Azure's prompt-filter chunk, which counts as one of its chunks (`cut(1)` cuts right after it). */
  promptFilter: (stream: Fault): Fault => ({ ...stream, promptFilter: true }),
};

export interface RecordedRequest {
  upstream: string;
  body: { model?: string; stream?: boolean; [key: string]: unknown };
  fault: Fault;
  /** @unit performance.now() milliseconds, real time */
  receivedAt: number;
  /** Set when the client closed the connection before the answer was complete. */
  clientClosedAt: number | undefined;
  /** Resolves once the connection of this request is done: answered, closed by the client, or by the fault. */
  closed: Promise<'answered' | 'client' | 'server'>;
}

export interface FaultUpstream {
  readonly name: string;
  /** `http://127.0.0.1:<port>/<name>/v1`, for `openaiCompatible({ baseURL })`. */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  /** Queues behaviours for the next requests, in order. */
  script(...faults: Fault[]): FaultUpstream;
  /** The behaviour once the script is used up. @default fault.ok() */
  otherwise(fault: Fault): FaultUpstream;
  /** Resolves when this upstream has received `count` requests. */
  received(count: number): Promise<void>;
  /** Calls `listener` as each request arrives, before it is answered. */
  onRequest(listener: (request: RecordedRequest) => void): FaultUpstream;
}

export interface FaultServer {
  readonly origin: string;
  upstream(name: string): FaultUpstream;
  /** Forgets scripts and recorded requests of every upstream, and drops open connections. */
  reset(): void;
  close(): Promise<void>;
}

/** A fault server for the tests of one file: started before them, reset after each, closed at the end. */
export function useFaultServer(): Pick<FaultServer, 'upstream'> {
  let server: FaultServer | undefined;
  beforeAll(async () => {
    server = await startFaultServer();
  });
  afterEach(() => server?.reset());
  afterAll(() => server?.close());
  return { upstream: (name) => server!.upstream(name) };
}

export async function startFaultServer(): Promise<FaultServer> {
  const upstreams = new Map<string, UpstreamState>();
  const timers = new Set<ReturnType<typeof realSetTimeout>>();
  const later = (ms: number, run: () => void) => {
    const timer = realSetTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  // Responses still open (hangs, drips): reset() drops them; idle keep-alive connections stay,
  // so the next test does not inherit a socket closed under its feet.
  const open = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    open.add(response);
    response.on('close', () => open.delete(response));
    const match = /^\/([^/]+)\/v1\/chat\/completions$/.exec(request.url ?? '');
    const state = match ? upstreams.get(match[1]!) : undefined;
    if (!state || request.method !== 'POST') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no upstream at ${request.url}` } }));
      return;
    }
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (part: string) => (text += part));
    request.on('end', () => state.handle(request, response, JSON.parse(text || '{}'), later));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    upstream(name) {
      let state = upstreams.get(name);
      if (state === undefined) upstreams.set(name, (state = new UpstreamState(name, `${origin}/${name}/v1`)));
      return state;
    },
    reset() {
      for (const state of upstreams.values()) state.reset();
      for (const timer of timers) realClearTimeout(timer);
      timers.clear();
      for (const response of open) response.socket?.destroy();
    },
    async close() {
      for (const timer of timers) realClearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class UpstreamState implements FaultUpstream {
  readonly requests: RecordedRequest[] = [];
  private queue: Fault[] = [];
  private fallback: Fault = fault.ok();
  private waiters: { count: number; resolve: () => void }[] = [];
  private listeners: ((request: RecordedRequest) => void)[] = [];

  constructor(
    readonly name: string,
    readonly baseURL: string,
  ) {}

  script(...faults: Fault[]) {
    this.queue.push(...faults);
    return this;
  }

  otherwise(next: Fault) {
    this.fallback = next;
    return this;
  }

  received(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  onRequest(listener: (request: RecordedRequest) => void) {
    this.listeners.push(listener);
    return this;
  }

  reset() {
    this.listeners = [];
    this.requests.length = 0;
    this.queue = [];
    this.fallback = fault.ok();
    this.waiters = [];
  }

  handle(request: IncomingMessage, response: ServerResponse, body: RecordedRequest['body'], later: (ms: number, run: () => void) => void) {
    const current = this.queue.shift() ?? this.fallback;
    let closedByServer = false;
    let resolveClosed!: (how: 'answered' | 'client' | 'server') => void;
    const recorded: RecordedRequest = {
      upstream: this.name,
      body,
      fault: current,
      receivedAt: performance.now(),
      clientClosedAt: undefined,
      closed: new Promise((resolve) => (resolveClosed = resolve)),
    };
    response.on('close', () => {
      if (response.writableFinished) return resolveClosed('answered');
      if (closedByServer) return resolveClosed('server');
      recorded.clientClosedAt = performance.now();
      resolveClosed('client');
    });
    this.requests.push(recorded);
    this.waiters = this.waiters.filter((waiter) => (this.requests.length >= waiter.count ? (waiter.resolve(), false) : true));
    for (const listener of this.listeners) listener(recorded);

    const destroy = () => {
      closedByServer = true;
      request.socket.destroy();
    };
    const stream = body.stream === true;
    const chunks = streamChunks(this.name, body.model ?? 'model', current.kind === 'ok' || current.kind === 'drip' ? current.chunks : undefined, current.kind === 'ok' ? current.usage : undefined);
    if (current.promptFilter === true) chunks.unshift(promptFilterEvent);
    const startStream = () => response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (count: number) => {
      for (const chunk of chunks.slice(0, count)) response.write(chunk);
    };

    switch (current.kind) {
      case 'ok': {
        const answer = () => {
          if (!stream) return void json(response, 200, completion(this.name, body.model ?? 'model', current.usage));
          startStream();
          send(chunks.length);
          response.end();
        };
        if (current.ttftMs) later(current.ttftMs, answer);
        else answer();
        return;
      }
      case 'status': {
        const headers: Record<string, string> = {};
        if (current.retryAfter !== undefined) headers['retry-after'] = current.retryAfter;
        if (current.retryAfterMs !== undefined) headers['retry-after-ms'] = current.retryAfterMs;
        return void json(response, current.status, { error: { message: current.message ?? `simulated ${current.status}`, type: 'server_error' } }, headers);
      }
      case 'hang':
        if (current.afterChunks !== undefined) {
          startStream();
          send(current.afterChunks);
        }
        return; // never answers; the connection stays open until a side closes it
      case 'reset':
        return destroy();
      case 'malformed-json':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"chatcmpl-broken","choices":[{"index":0,');
        return;
      case 'malformed-sse':
        startStream();
        send(current.afterChunks);
        response.end('data: {"id":"chatcmpl-broken","choices":[\n\n');
        return;
      case 'cut':
        startStream();
        send(current.afterChunks);
        // Let the chunks leave before the connection drops.
        later(10, destroy);
        return;
      case 'drip': {
        startStream();
        let index = 0;
        const next = () => {
          if (response.destroyed) return;
          if (index >= chunks.length) return void response.end();
          response.write(chunks[index++]!);
          later(current.intervalMs, next);
        };
        next();
        return;
      }
    }
  }
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const defaultUsage: Usage = { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 };

function completion(name: string, model: string, usage: Usage | null | undefined) {
  return {
    id: `chatcmpl-${name}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: `Hello from ${name}.`, refusal: null }, finish_reason: 'stop', logprobs: null }],
    ...(usage === null ? {} : { usage: usage ?? defaultUsage }),
  };
}

/** What Azure OpenAI sends before the first choice: the results of its prompt filter. */
const promptFilterEvent = `data: ${JSON.stringify({
  choices: [],
  created: 0,
  id: '',
  model: '',
  object: '',
  prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }],
})}\n\n`;

/** SSE events: a role chunk, `contentChunks` content chunks, a finish chunk, a usage chunk, `[DONE]`. */
function streamChunks(name: string, model: string, contentChunks = 3, usage: Usage | null | undefined = undefined): string[] {
  const chunk = (delta: object, finish: string | null = null) => ({
    id: `chatcmpl-${name}`,
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const events: unknown[] = [chunk({ role: 'assistant', content: '' })];
  for (let index = 0; index < contentChunks; index++) events.push(chunk({ content: `${name}-${index} ` }));
  events.push(chunk({}, 'stop'));
  if (usage !== null) events.push({ ...chunk({}), choices: [], usage: usage ?? defaultUsage });
  return [...events.map((event) => `data: ${JSON.stringify(event)}\n\n`), 'data: [DONE]\n\n'];
}
