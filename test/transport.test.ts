import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, test } from 'vitest';
import { anthropic, bedrock, createRouter, openaiCompatible, RouterError, type OpenAICompatibleOptions } from '../src/index.js';
import type { ChatRequest } from '../src/wire/chat-request.js';
import { closeServer, listenOnLoopback } from './helpers/local-upstream.js';

/*
 * The two transports of openaiCompatible against real node:http servers on 127.0.0.1: every
 * behaviour a user can see (answers, streams, upstream errors, resets, timeouts, aborts, limits,
 * connection reuse) is asserted once and run on both, so they are proven the same.
 */

interface Upstream {
  baseURL: string;
  /** Request bodies and headers received, in order. */
  received: { body: string; headers: IncomingHttpHeaders }[];
  /** Connections the server accepted. */
  readonly sockets: number;
  /** The client closed the connection of the latest request before its answer ended. */
  readonly hungUp: boolean;
}

type Answer = (response: ServerResponse, hit: number) => void;

const servers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((close) => close()));
});

async function upstream(answer: Answer): Promise<Upstream> {
  const received: Upstream['received'] = [];
  const sockets = new Set<Socket>();
  let hungUp = false;
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      received.push({ body: Buffer.concat(parts).toString('utf8'), headers: request.headers });
      response.on('close', () => {
        if (!response.writableFinished) hungUp = true;
      });
      answer(response, received.length);
    });
  });
  server.on('connection', (socket: Socket) => sockets.add(socket));
  const port = await listenOnLoopback(server);
  servers.push(() => closeServer(server));
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    received,
    get sockets() {
      return sockets.size;
    },
    get hungUp() {
      return hungUp;
    },
  };
}

const request: ChatRequest = { model: 'small', messages: [{ role: 'user', content: 'Grüß Gott' }] };

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'small',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hallo!' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};

function chunk(delta: Record<string, unknown>, finish: string | null = null) {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'small', choices: [{ index: 0, delta, finish_reason: finish }] };
}

const event = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': 'req-42', ...headers });
  response.end(text);
}

async function rejection(promise: Promise<unknown>): Promise<RouterError> {
  try {
    await promise;
  } catch (error) {
    if (RouterError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

async function drain(chunks: AsyncIterable<unknown>): Promise<{ received: unknown[]; error: RouterError | undefined }> {
  const received: unknown[] = [];
  try {
    for await (const value of chunks) received.push(value);
  } catch (error) {
    if (!RouterError.isInstance(error)) throw error;
    return { received, error };
  }
  return { received, error: undefined };
}

describe.each(['native', 'fetch'] as const)('transport: %s', (transport) => {
  function acme(baseURL: string, overrides: Partial<OpenAICompatibleOptions> = {}) {
    return openaiCompatible({ id: 'acme', baseURL, apiKey: 'sk-transport-secret-1234', transport, models: [{ id: 'small' }], ...overrides });
  }

  test('a chat completion comes back with its request id; the body is sent once, as JSON', async () => {
    const server = await upstream((response) => json(response, 200, completion));
    const result = await acme(server.baseURL).doChat(request, { headers: { 'x-trace': 't-1' } });
    expect(result).toEqual({ completion, requestId: 'req-42' });
    expect(server.received).toHaveLength(1);
    const [sent] = server.received;
    expect(JSON.parse(sent!.body)).toEqual(request);
    expect(sent!.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: 'Bearer sk-transport-secret-1234',
      'x-trace': 't-1',
      'content-length': String(Buffer.byteLength(sent!.body)),
    });
  });

  test('the transport asked for is the one used', async () => {
    const server = await upstream((response) => json(response, 200, completion));
    await acme(server.baseURL).doChat(request, {});
    // Only fetch sends the Fetch standard's request metadata.
    expect(server.received[0]!.headers['sec-fetch-mode']).toBe(transport === 'fetch' ? 'cors' : undefined);
  });

  test('a stream yields its chunks as they arrive and ends at [DONE]', async () => {
    const server = await upstream((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req-s' });
      response.write(event(chunk({ role: 'assistant', content: '' })));
      setTimeout(() => response.end(`${event(chunk({ content: 'Hallo' }))}${event(chunk({}, 'stop'))}data: [DONE]\n\n`), 10);
    });
    const { chunks, requestId } = await acme(server.baseURL).doChatStream(request, {});
    const { received, error } = await drain(chunks);
    expect(error).toBeUndefined();
    expect(requestId).toBe('req-s');
    expect(received).toEqual([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hallo' }), chunk({}, 'stop')]);
    expect(JSON.parse(server.received[0]!.body)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  test('a stream answered without one (a 204, or JSON) says so', async () => {
    const server = await upstream((response, hit) => {
      if (hit === 1) {
        response.writeHead(204);
        response.end();
      } else json(response, 200, { error: { message: 'model is loading', type: 'server_error' } });
    });
    const provider = acme(server.baseURL);
    const empty = await rejection(provider.doChatStream(request, {}));
    expect(empty).toMatchObject({ code: 'upstream_error', providerId: 'acme' });
    expect(empty.message).toBe('acme answered a streaming request without an event stream');
    const reported = await rejection(provider.doChatStream(request, {}));
    expect(reported).toMatchObject({ code: 'upstream_error', isRetryable: true, requestID: 'req-42' });
    expect(reported.message).toBe('acme answered 200 with an error instead of an event stream: model is loading (server_error)');
  });

  test('a 503 is a retryable upstream_error quoting the upstream, without the key it echoed', async () => {
    const server = await upstream((response) => json(response, 503, { error: { message: 'overloaded, key sk-transport-secret-1234', type: 'server_error' } }));
    const error = await rejection(acme(server.baseURL).doChat(request, {}));
    expect(error).toMatchObject({ code: 'upstream_error', status: 502, upstreamStatus: 503, isRetryable: true, providerId: 'acme', requestID: 'req-42' });
    expect(error.message).toBe('acme returned 503: overloaded, key [redacted] (server_error)');
  });

  test('a 429 is rate_limited and carries retry-after', async () => {
    const server = await upstream((response) => json(response, 429, { error: { message: 'slow down' } }, { 'retry-after': '7', 'retry-after-ms': '7000' }));
    const error = await rejection(acme(server.baseURL).doChat(request, {}));
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, isRetryable: true, headers: { 'retry-after': '7', 'retry-after-ms': '7000' } });
  });

  test('a compressed answer is decoded', async () => {
    const server = await upstream((response) => {
      const body = gzipSync(JSON.stringify(completion));
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.byteLength });
      response.end(body);
    });
    expect((await acme(server.baseURL).doChat(request, {})).completion).toEqual(completion);
  });

  test('a connection reset mid-body is a retryable upstream_error', async () => {
    const server = await upstream((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': 10_000 });
      response.write('{"id":"chatcmpl-1","choi');
      setTimeout(() => response.socket?.destroy(), 10);
    });
    const error = await rejection(acme(server.baseURL).doChat(request, {}));
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
    expect(error.message).toMatch(/^the connection to acme failed while reading the response \(terminated/);
  });

  test('a connection reset mid-stream fails the stream after the chunks that arrived', async () => {
    const server = await upstream((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(event(chunk({ role: 'assistant', content: '' })) + event(chunk({ content: 'Hal' })));
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const { received, error } = await drain((await acme(server.baseURL).doChatStream(request, {})).chunks);
    expect(received).toHaveLength(2);
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
    expect(error?.message).toMatch(/^the connection to acme failed while reading the response \(terminated/);
  });

  test('a refused connection says so', async () => {
    const server = await upstream(() => {});
    await servers.pop()!();
    const error = await rejection(acme(server.baseURL).doChat(request, {}));
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
    expect(error.message).toMatch(/^could not connect to acme \(fetch failed: .*ECONNREFUSED/);
  });

  test("the router's per-attempt timeout ends a hung call as a timeout and closes its connection", async () => {
    const server = await upstream(() => {}); // never answers
    const router = createRouter({ providers: [acme(server.baseURL)], retry: { retries: 0 }, timeoutMs: 100 });
    const error = await rejection(router.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'Grüß Gott' }] }));
    expect(error).toMatchObject({ code: 'timeout' });
    await expect.poll(() => server.hungUp).toBe(true);
  });

  test("the caller's abort before the answer rejects as aborted and closes the connection", async () => {
    const server = await upstream(() => {});
    const controller = new AbortController();
    const pending = acme(server.baseURL).doChat(request, { signal: controller.signal });
    await expect.poll(() => server.received.length).toBe(1);
    controller.abort();
    expect(await rejection(pending)).toMatchObject({ code: 'aborted' });
    await expect.poll(() => server.hungUp).toBe(true);
  });

  test("the caller's abort mid-body rejects as aborted", async () => {
    const server = await upstream((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': 10_000 });
      response.write('{"id":');
    });
    const controller = new AbortController();
    const provider = acme(server.baseURL);
    setTimeout(() => controller.abort(), 50);
    expect(await rejection(provider.doChat(request, { signal: controller.signal }))).toMatchObject({ code: 'aborted' });
    await expect.poll(() => server.hungUp).toBe(true);
  });

  test("the caller's abort mid-stream rejects the stream as aborted and closes the connection", async () => {
    const server = await upstream((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(event(chunk({ role: 'assistant', content: '' })));
    });
    const controller = new AbortController();
    const iterator = (await acme(server.baseURL).doChatStream(request, { signal: controller.signal })).chunks[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const pending = iterator.next();
    controller.abort();
    expect(await rejection(pending)).toMatchObject({ code: 'aborted' });
    await expect.poll(() => server.hungUp).toBe(true);
  });

  test('an answer larger than maxResponseBytes is abandoned as a retryable upstream_error', async () => {
    const server = await upstream((response) => {
      response.writeHead(200, { 'content-type': 'application/json' }); // chunked: no length to trust
      response.write(`{"padding":"${'x'.repeat(4000)}`);
      setTimeout(() => response.end(`${'y'.repeat(4000)}"}`), 10);
    });
    const error = await rejection(acme(server.baseURL, { maxResponseBytes: 1000 }).doChat(request, {}));
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
    expect(error.message).toBe('acme returned an answer larger than 1000 bytes (maxResponseBytes); it was abandoned');
  });

  test('calls reuse one kept-alive connection, streams included', async () => {
    const server = await upstream((response, hit) => {
      if (hit % 2 === 0) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(`${event(chunk({ content: 'Hi' }, 'stop'))}data: [DONE]\n\n`);
      } else json(response, 200, completion);
    });
    const provider = acme(server.baseURL);
    for (let call = 0; call < 3; call++) {
      await provider.doChat(request, {});
      const { received } = await drain((await provider.doChatStream(request, {})).chunks);
      expect(received).toHaveLength(1);
      // The stream's end is read in the background after [DONE]: let it return the connection.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.received).toHaveLength(6);
    // Node's fetch pools two connections here (it takes a second while the first is being
    // released); the native transport reuses its one.
    expect(server.sockets).toBeLessThanOrEqual(transport === 'native' ? 1 : 2);
  });
});

describe('the default transport', () => {
  test('is native, or fetch when the suite forces it (SOVROUTE_TEST_TRANSPORT=fetch)', async () => {
    const server = await upstream((response) => json(response, 200, completion));
    await openaiCompatible({ id: 'acme', baseURL: server.baseURL, models: [{ id: 'small' }] }).doChat(request, {});
    const forced = process.env.SOVROUTE_TEST_TRANSPORT === 'fetch';
    expect(server.received[0]!.headers['sec-fetch-mode']).toBe(forced ? 'cors' : undefined);
  });
});

describe('the native transport steps aside', () => {
  test('for msw, or any fetch put in place of Node’s: the request goes through it', async () => {
    const msw = setupServer(http.post('https://api.acme.test/v1/chat/completions', () => HttpResponse.json(completion, { headers: { 'x-request-id': 'from-msw' } })));
    msw.listen({ onUnhandledRequest: 'error' });
    try {
      const provider = openaiCompatible({ id: 'acme', baseURL: 'https://api.acme.test/v1', transport: 'native', models: [{ id: 'small' }] });
      expect(await provider.doChat(request, {})).toEqual({ completion, requestId: 'from-msw' });
    } finally {
      msw.close();
    }
  });

  test("for a dispatcher installed with undici's setGlobalDispatcher (a proxy, a mock)", async () => {
    const server = await upstream((response) => json(response, 200, completion));
    const provider = openaiCompatible({ id: 'acme', baseURL: server.baseURL, transport: 'native', models: [{ id: 'small' }] });
    await fetch(`${server.baseURL}/models`).then((response) => response.text()); // Node's fetch installs its default Agent
    const key = Symbol.for('undici.globalDispatcher.1');
    const globals = globalThis as unknown as Record<symbol, object>;
    const original = globals[key]!;
    // A working dispatcher of another class, as a ProxyAgent would be.
    const ProxyAgent = class ProxyAgent extends (original.constructor as new () => object) {};
    globals[key] = new ProxyAgent();
    try {
      await provider.doChat(request, {});
    } finally {
      globals[key] = original;
    }
    await provider.doChat(request, {});
    // The first request received is the plain fetch above; then the call under the proxy, then one without it.
    expect(server.received.slice(1).map((received) => received.headers['sec-fetch-mode'])).toEqual(['cors', undefined]);
  });

  test('for a fetch given as an option, whatever transport says', async () => {
    const server = await upstream((response) => json(response, 200, completion));
    const calls: string[] = [];
    const provider = openaiCompatible({
      id: 'acme',
      baseURL: server.baseURL,
      transport: 'native',
      models: [{ id: 'small' }],
      fetch: (input, init) => {
        calls.push(String(input));
        return fetch(input, init);
      },
    });
    await provider.doChat(request, {});
    expect(calls).toEqual([`${server.baseURL}/chat/completions`]);
  });

  test('an unknown transport is refused when the provider is built', () => {
    expect(() => openaiCompatible({ id: 'acme', baseURL: 'https://api.acme.test/v1', transport: 'curl' as 'fetch', models: [{ id: 'small' }] })).toThrow(
      "openaiCompatible: transport must be 'fetch' or 'native'",
    );
  });
});

describe('a redirect from an upstream', () => {
  // The deployment's facts describe the host it was configured with: a redirect elsewhere (here
  // to another origin, localhost) would carry the prompt, and a key sent in a header of its own
  // (`x-api-key`, which fetch keeps across origins), to a host no policy ever judged.
  const jurisdiction = { operator: { name: 'Local SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
  const providersAt = (root: string) => [
    openaiCompatible({ id: 'acme-native', baseURL: `${root}/v1`, apiKey: 'sk-redirect-secret', jurisdiction, transport: 'native', models: [{ id: 'm1' }] }),
    openaiCompatible({ id: 'acme-fetch', baseURL: `${root}/v1`, apiKey: 'sk-redirect-secret', jurisdiction, transport: 'fetch', models: [{ id: 'm2' }] }),
    anthropic({ baseURL: root, apiKey: 'sk-redirect-secret', jurisdiction, models: [{ id: 'm3' }] }),
    bedrock({ region: 'eu-central-1', baseURL: root, apiKey: 'sk-redirect-secret', models: [{ id: 'm4', native: 'eu.anthropic.m4' }] }),
  ];

  test('is never followed, on any transport or adapter: the attempt fails and goes no further', async () => {
    const elsewhere = await upstream((response) => json(response, 200, completion));
    const elsewhereRoot = elsewhere.baseURL.replace('127.0.0.1', 'localhost').replace(/\/v1$/, '');
    const redirecting = await upstream((response) => {
      response.writeHead(307, { location: `${elsewhereRoot}/somewhere` }).end();
    });
    const router = createRouter({ providers: providersAt(redirecting.baseURL.replace(/\/v1$/, '')), policy: 'eu-hosted', retry: { retries: 0 } });
    for (const model of ['acme-native/m1', 'acme-fetch/m2', 'anthropic/m3', 'bedrock-eu-central-1/m4']) {
      const error = await rejection(router.chat.completions.create({ model, max_tokens: 5, messages: [{ role: 'user', content: 'Grüß Gott' }] }));
      expect([model, error.code, error.route?.attempts[0]?.status]).toEqual([model, 'all_providers_failed', 307]);
      expect(error.route?.attempts[0]?.message).toMatch(/answered with a redirect \(307\), which is never followed: .* point its baseURL at the final endpoint/);
    }
    expect(redirecting.received).toHaveLength(4);
    expect(elsewhere.received).toEqual([]);
  });
});
