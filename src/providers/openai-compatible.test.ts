import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { RouterError } from '../errors.js';
import type { ChatRequest } from '../wire/chat-request.js';
import type { UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import { controlledBody, mockServer, sseBody, sseEvents } from '../../test/helpers/msw.js';
import { openaiCompatible } from './openai-compatible.js';
import type { OpenAICompatibleOptions } from './openai-compatible.js';

// The real fetch, captured before msw patches the global one: for the loopback-server tests.
const realFetch = globalThis.fetch;
const mock = mockServer();
const baseURL = 'https://api.acme.test/v1';

afterEach(() => {
  vi.unstubAllGlobals();
});

function provider(overrides: Partial<OpenAICompatibleOptions> = {}) {
  return openaiCompatible({
    id: 'acme',
    baseURL,
    apiKey: 'sk-acme',
    jurisdiction: { operator: { name: 'Acme SAS', country: 'FR' }, hosting: ['FR'] },
    models: [{ id: 'llama-3.3-70b-instruct', native: 'meta-llama/Llama-3.3-70B-Instruct' }],
    ...overrides,
  });
}

const request: ChatRequest = {
  model: 'meta-llama/Llama-3.3-70B-Instruct',
  messages: [{ role: 'user', content: 'Hello' }],
};

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'meta-llama/Llama-3.3-70B-Instruct',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, prompt_tokens_details: { cached_tokens: 0 } },
  system_fingerprint: 'fp_1',
};

function chunk(delta: Record<string, unknown>, finish: string | null = null): UpstreamChatCompletionChunk {
  return {
    id: 'chatcmpl-2',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'meta-llama/Llama-3.3-70B-Instruct',
    choices: [{ index: 0, delta, finish_reason: finish as null }],
    usage: null,
  };
}
const usageChunk = { ...chunk({}), choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } };
/** A chunk of choice `index`, for requests with `n > 1`. */
function choiceChunk(index: number, delta: Record<string, unknown>, finish: string | null = null): UpstreamChatCompletionChunk {
  return { ...chunk(delta, finish), choices: [{ index, delta, finish_reason: finish as null }] };
}

const sseHeaders = { 'content-type': 'text/event-stream', 'x-request-id': 'req_stream' };

function streamReply(body: ReadableStream<Uint8Array>) {
  mock.use(http.post(`${baseURL}/chat/completions`, () => new HttpResponse(body, { headers: sseHeaders })));
}

/**
 * A fetch that answers with `body` as is. The cancel tests use it instead of msw, which tees
 * mocked bodies, so a cancel reaches the source only when its copy is collected too.
 */
function respondWith(body: ReadableStream<Uint8Array>): typeof fetch {
  return async () => new Response(body, { headers: sseHeaders });
}

/** Iterates until the stream throws; returns what was yielded first and the error. */
async function drainUntilError(chunks: AsyncIterable<UpstreamChatCompletionChunk>) {
  const received: UpstreamChatCompletionChunk[] = [];
  try {
    for await (const value of chunks) received.push(value);
  } catch (error) {
    return { received, error: error as RouterError };
  }
  throw new Error(`expected the stream to throw after ${received.length} chunks`);
}

async function rejection(promise: Promise<unknown>): Promise<RouterError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!RouterError.isInstance(error)) throw new Error(`expected a RouterError, got ${String(error)}`);
  return error;
}

describe('openaiCompatible', () => {
  test('exposes the contract fields the router indexes', () => {
    const acme = provider();
    expect(acme.specificationVersion).toBe('v1');
    expect(acme.id).toBe('acme');
    expect(acme.jurisdiction?.operator.country).toBe('FR');
    expect(acme.models).toEqual([{ id: 'llama-3.3-70b-instruct', native: 'meta-llama/Llama-3.3-70B-Instruct' }]);
  });

  describe('options', () => {
    test.each([
      [{ baseURL: 'api.acme.test/v1' }, 'openaiCompatible: baseURL must be a URL'],
      [{ baseURL: 'ftp://api.acme.test' }, 'openaiCompatible: baseURL must be a URL'],
      [{ id: 'Acme AI' }, 'openaiCompatible: id must be kebab-case'],
      [{ apiKey: '' }, 'openaiCompatible: apiKey must not be empty'],
      [{ models: undefined }, 'openaiCompatible: models is required'],
      [{ models: [{ id: 'm', price: { input: 1, output: 1, currency: 'GBP' } }] }, 'openaiCompatible: models[0].price.currency must be EUR, USD or CHF'],
      [{ models: [{ id: 'm' }, { id: 'm' }] }, 'openaiCompatible: models[1].id duplicates models[0].id'],
      [{ jurisdiction: { operator: { name: 'Acme', country: 'fr' }, hosting: [] } }, 'openaiCompatible: jurisdiction.operator.country must be an ISO'],
      [{ headers: { 'x-team': 42 } }, 'openaiCompatible: headers.x-team must be a string'],
      [{ fetch: 'fetch' }, 'openaiCompatible: fetch must be a function'],
      [{ dialect: { maxTokens: 'max_output_tokens' } }, "openaiCompatible: dialect.maxTokens must be 'max_tokens' or 'max_completion_tokens'"],
    ])('rejects %j with a RouterError naming the option', (overrides, message) => {
      let caught: unknown;
      try {
        provider(overrides as Partial<OpenAICompatibleOptions>);
      } catch (error) {
        caught = error;
      }
      expect(RouterError.isInstance(caught)).toBe(true);
      const error = caught as RouterError;
      expect(error.code).toBe('invalid_request');
      expect(error.message.startsWith(message)).toBe(true);
      expect(error.cause).toBeDefined(); // the ZodError, kept for debugging only
    });
  });

  describe('doChat', () => {
    test('returns the upstream completion with its usage and request id', async () => {
      mock.use(
        http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion, { headers: { 'x-request-id': 'req_123' } })),
      );
      const result = await provider().doChat(request, {});
      expect(result.completion).toEqual(completion);
      expect(result.requestId).toBe('req_123');
    });

    test('sends the request as given, minus the route and simulate extensions, with auth and headers', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      const acme = provider({ baseURL: `${baseURL}/`, headers: { 'X-Team': 'search', Accept: 'application/json' } });
      await acme.doChat(
        {
          ...request,
          temperature: 0.2,
          route: { objective: 'cheapest' },
          simulate: { fault: 'timeout' },
          safe_prompt: true, // a provider extra this library does not know
        },
        { headers: { 'x-trace-id': 'trace-1', 'x-team': 'override' } },
      );
      expect(mock.requests).toHaveLength(1);
      const sent = mock.requests[0] as Request;
      expect(sent.url).toBe(`${baseURL}/chat/completions`);
      expect(sent.method).toBe('POST');
      expect(sent.headers.get('authorization')).toBe('Bearer sk-acme');
      expect(sent.headers.get('content-type')).toBe('application/json');
      expect(sent.headers.get('x-team')).toBe('override');
      expect(sent.headers.get('x-trace-id')).toBe('trace-1');
      expect(await sent.json()).toEqual({
        model: 'meta-llama/Llama-3.3-70B-Instruct',
        messages: [{ role: 'user', content: 'Hello' }],
        temperature: 0.2,
        safe_prompt: true,
      });
    });

    test('sends no Authorization header without an apiKey, and an Authorization header option replaces ours', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      await provider({ apiKey: undefined }).doChat(request, {});
      await provider({ headers: { Authorization: 'Token gateway' } }).doChat(request, {});
      expect(mock.requests[0]?.headers.has('authorization')).toBe(false);
      expect(mock.requests[1]?.headers.get('authorization')).toBe('Token gateway');
    });

    test.each([
      ['max_tokens', { max_completion_tokens: 300 }, { max_tokens: 300 }],
      ['max_tokens', { max_tokens: 500, max_completion_tokens: 300 }, { max_tokens: 300 }],
      ['max_tokens', { max_tokens: 200, max_completion_tokens: null }, { max_tokens: 200 }],
      ['max_tokens', { max_tokens: null, max_completion_tokens: 300 }, { max_tokens: 300 }],
      ['max_completion_tokens', { max_tokens: 50 }, { max_completion_tokens: 50 }],
      ['max_completion_tokens', {}, {}],
    ] as const)('with dialect.maxTokens %s, sends %j as %j', async (field, limits, sent) => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      await provider({ dialect: { maxTokens: field } }).doChat({ ...request, ...limits }, {});
      expect(await mock.requests[0]?.json()).toEqual({ ...request, ...sent });
    });

    test('with dialect.renames, sends a field under the upstream’s name, keeping a value already set there', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      const renamed = provider({ dialect: { renames: { seed: 'random_seed', user: 'end_user' } } });
      await renamed.doChat({ ...request, seed: 7 }, {});
      await renamed.doChat({ ...request, seed: 7, random_seed: 9 } as ChatRequest, {});
      expect(await mock.requests[0]?.json()).toEqual({ ...request, random_seed: 7 });
      expect(await mock.requests[1]?.json()).toEqual({ ...request, random_seed: 9 });
    });

    test('with dialect.streamOptions false, a non-streaming request’s stream_options (null, as SDKs send an unset one) is not sent either', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      const strict = provider({ dialect: { streamOptions: false } });
      await strict.doChat({ ...request, stream: false, stream_options: null }, {});
      await strict.doChat({ ...request, stream_options: { include_usage: true } }, {});
      expect(await mock.requests[0]?.json()).toEqual({ ...request, stream: false });
      expect(await mock.requests[1]?.json()).toEqual(request);
    });

    test('a non-streaming request carrying stream_options is sent without it, which upstreams refuse without stream', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      await provider().doChat({ ...request, stream: false, stream_options: { include_usage: true } }, {});
      expect(await mock.requests[0]?.json()).toEqual({ ...request, stream: false });
    });

    test('a streaming request sent to doChat asks for JSON', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      await provider().doChat({ ...request, stream: true, stream_options: { include_usage: true } }, {});
      const body = (await mock.requests[0]?.json()) as Record<string, unknown>;
      expect(body.stream).toBeUndefined();
      expect(body.stream_options).toBeUndefined();
    });

    test.each([
      ['a non-JSON body', () => new HttpResponse('<html>oops</html>', { headers: { 'content-type': 'text/html' } })],
      ['JSON without choices', () => HttpResponse.json({ id: 'x', object: 'chat.completion' })],
      // A caller reads choices[0].message: an empty list is no answer.
      ['an empty list of choices', () => HttpResponse.json({ ...completion, choices: [] })],
      ['a message whose content is a number', () => HttpResponse.json({ ...completion, choices: [{ index: 0, message: { role: 'assistant', content: 5 }, finish_reason: 'stop' }] })],
      ['tool_calls that is not a list of calls', () => HttpResponse.json({ ...completion, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: 'x' }, finish_reason: 'tool_calls' }] })],
      ['a tool call without its function', () => HttpResponse.json({ ...completion, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function' }] }, finish_reason: 'tool_calls' }] })],
    ])('%s from a 200 is a retryable upstream_error saying the JSON is malformed', async (_name, reply) => {
      mock.use(http.post(`${baseURL}/chat/completions`, reply));
      const error = await rejection(provider().doChat(request, {}));
      expect(error).toMatchObject({ code: 'upstream_error', status: 502, isRetryable: true, providerId: 'acme' });
      expect(error.message).toContain('acme returned malformed JSON');
    });

    test.each([
      ['a parameter', 'text/html; charset=utf-8; token=acme-secret-0042'],
      ['the whole value', 'acme-secret-0042'],
    ])('a malformed answer whose content-type carries the key in %s never quotes it', async (_where, contentType) => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => new HttpResponse('<html>oops</html>', { headers: { 'content-type': contentType } })));
      const error = await rejection(provider({ apiKey: 'acme-secret-0042' }).doChat(request, {}));
      expect(error.message).toContain('acme returned malformed JSON (HTTP 200, ');
      expect(error.message).not.toContain('acme-secret-0042');
    });

    test('a malformed answer names its media type without its parameters', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => new HttpResponse('<html>oops</html>', { headers: { 'content-type': 'text/html; charset=utf-8' } })));
      const error = await rejection(provider().doChat(request, {}));
      expect(error.message).toContain('(HTTP 200, text/html)');
    });

    test('an error envelope sent with 200 is raised as the upstream error', async () => {
      mock.use(
        http.post(`${baseURL}/chat/completions`, () =>
          HttpResponse.json({ error: { message: 'model overloaded', type: 'server_error' } }),
        ),
      );
      const error = await rejection(provider().doChat(request, {}));
      expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true });
      // Not a stream: the message says where the error came, not "mid-stream".
      expect(error.message).toBe('acme answered 200 with an error: model overloaded (server_error)');
    });
  });

  describe('HTTP errors', () => {
    const envelope = (message: string, extra: Record<string, unknown> = {}) => ({
      error: { message, type: 'invalid_request_error', param: null, code: null, ...extra },
    });

    test('500 becomes a retryable upstream_error with status 502 that names the provider and the upstream status', async () => {
      mock.use(
        http.post(`${baseURL}/chat/completions`, () =>
          HttpResponse.json(
            { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } },
            { status: 500, headers: { 'x-request-id': 'req_500' } },
          ),
        ),
      );
      const error = await rejection(provider().doChat(request, {}));
      expect(error).toMatchObject({
        code: 'upstream_error',
        status: 502,
        type: 'server_error',
        isRetryable: true,
        providerId: 'acme',
        requestID: 'req_500',
      });
      expect(error.message).toBe('acme returned 500: The server had an error (server_error)');
    });

    test('429 becomes rate_limited and keeps retry-after and retry-after-ms', async () => {
      mock.use(
        http.post(`${baseURL}/chat/completions`, () =>
          HttpResponse.json(envelope('Rate limit reached', { type: 'requests', code: 'rate_limit_exceeded' }), {
            status: 429,
            headers: { 'retry-after': '7', 'retry-after-ms': '6500' },
          }),
        ),
      );
      const error = await rejection(provider().doChat(request, {}));
      expect(error).toMatchObject({ code: 'rate_limited', status: 429, isRetryable: true, providerId: 'acme' });
      expect(error.headers).toEqual({ 'retry-after': '7', 'retry-after-ms': '6500' });
      expect(error.message).toContain('429');
    });

    test('400 becomes invalid_request with the upstream param, not retryable', async () => {
      mock.use(
        http.post(`${baseURL}/chat/completions`, () =>
          HttpResponse.json(envelope("Invalid value: 'robot'", { param: 'messages[0].role', code: 'invalid_value' }), { status: 400 }),
        ),
      );
      const error = await rejection(provider().doChat(request, {}));
      expect(error).toMatchObject({
        code: 'invalid_request',
        status: 400,
        param: 'messages[0].role',
        type: 'invalid_request_error',
        isRetryable: false,
      });
      expect(error.message).toBe("acme returned 400: Invalid value: 'robot' (invalid_value)");
    });

    test('401 blames the configured apiKey, is not retryable and is not reported as the caller’s 401', async () => {
      mock.use(
        http.post(`${baseURL}/chat/completions`, () =>
          HttpResponse.json(envelope('Incorrect API key provided', { code: 'invalid_api_key' }), { status: 401 }),
        ),
      );
      const error = await rejection(provider().doChat(request, {}));
      expect(error).toMatchObject({ code: 'upstream_error', status: 502, isRetryable: false });
      expect(error.message).toBe(
        'acme rejected the request with 401: Incorrect API key provided (invalid_api_key) (check the apiKey configured for provider acme)',
      );
    });

    test.each([
      [403, 'upstream_error', 502, false, { error: { message: 'Region not allowed' } }, 'Region not allowed'],
      [404, 'upstream_error', 502, false, { error: { message: 'The model `x` does not exist', code: 'model_not_found' } }, 'does not exist'],
      [408, 'timeout', 504, true, 'Request Timeout', '408: Request Timeout'],
      [409, 'upstream_error', 502, true, { message: 'Conflict', object: 'error' }, '409: Conflict'],
      [422, 'invalid_request', 422, false, { detail: [{ loc: ['body', 'messages'], msg: 'field required' }] }, 'field required'],
      [503, 'upstream_error', 502, true, '<html><body>\n  Service   Unavailable</body></html>', '503: <html><body> Service Unavailable'],
      [529, 'upstream_error', 502, true, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, '529: Overloaded'],
      [502, 'upstream_error', 502, true, '', '502: (no body)'],
    ] as const)('%i → %s with status %i, retryable: %s', async (status, code, routerStatus, retryable, body, inMessage) => {
      mock.use(
        http.post(`${baseURL}/chat/completions`, () =>
          typeof body === 'string' ? new HttpResponse(body, { status }) : HttpResponse.json(body, { status }),
        ),
      );
      const error = await rejection(provider().doChat(request, {}));
      expect(error).toMatchObject({ code, status: routerStatus, isRetryable: retryable, providerId: 'acme' });
      expect(error.message).toContain(inMessage);
      expect(error.message.startsWith('acme ')).toBe(true);
    });

    test('a refused connection is a retryable upstream_error with the cause kept', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.error()));
      const error = await rejection(provider().doChat(request, {}));
      expect(error).toMatchObject({ code: 'upstream_error', status: 502, isRetryable: true, providerId: 'acme' });
      expect(error.message).toMatch(/^could not connect to acme \(.+\)$/);
      expect(error.cause).toBeInstanceOf(Error);
    });

    test('an already-aborted signal gives aborted, and a RouterError reason is rethrown as is', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      const error = await rejection(provider().doChat(request, { signal: AbortSignal.abort() }));
      expect(error).toMatchObject({ code: 'aborted', isRetryable: false });

      const deadline = new RouterError('deadline exceeded', { code: 'timeout', isRetryable: true });
      const controller = new AbortController();
      controller.abort(deadline);
      expect(await rejection(provider().doChat(request, { signal: controller.signal }))).toBe(deadline);
    });
  });

  describe('doChatStream', () => {
    test('resolves once headers arrive and passes chunks through one by one as they arrive', async () => {
      const source = controlledBody();
      streamReply(source.body);
      const result = await provider().doChatStream(request, {});
      expect(result.requestId).toBe('req_stream');
      const iterator = result.chunks[Symbol.asyncIterator]();

      source.push(`: keepalive\r\n\r\ndata: ${JSON.stringify(chunk({ role: 'assistant', content: '' }))}\r\n\r\n`);
      expect((await iterator.next()).value).toEqual(chunk({ role: 'assistant', content: '' }));

      const split = sseEvents(chunk({ content: 'Hel' }));
      source.push(split.slice(0, 25)); // an event cut in the middle of its JSON
      source.push(split.slice(25));
      expect((await iterator.next()).value).toEqual(chunk({ content: 'Hel' }));

      source.push(sseEvents(chunk({ content: 'lo' }), chunk({}, 'stop'), usageChunk, '[DONE]'));
      source.close();
      expect((await iterator.next()).value).toEqual(chunk({ content: 'lo' }));
      expect((await iterator.next()).value).toEqual(chunk({}, 'stop'));
      expect((await iterator.next()).value).toEqual(usageChunk);
      expect((await iterator.next()).done).toBe(true);
    });

    test('always asks for usage, keeping the caller’s other stream_options', async () => {
      streamReply(sseBody([sseEvents(chunk({}, 'stop'), '[DONE]')]));
      const result = await provider().doChatStream(
        { ...request, stream_options: { include_usage: false, include_obfuscation: false }, route: { only: ['acme'] } },
        {},
      );
      for await (const _ of result.chunks) {
        // drain
      }
      const sent = mock.requests[0] as Request;
      expect(sent.headers.get('accept')).toBe('text/event-stream');
      expect(await sent.json()).toEqual({
        ...request,
        stream: true,
        stream_options: { include_usage: true, include_obfuscation: false },
      });
    });

    test('with dialect.streamOptions false, sends no stream_options, not even the caller’s', async () => {
      streamReply(sseBody([sseEvents({ ...chunk({}, 'stop'), usage: usageChunk.usage }, '[DONE]')]));
      const result = await provider({ dialect: { streamOptions: false } }).doChatStream({ ...request, stream_options: { include_usage: true } }, {});
      const read: UpstreamChatCompletionChunk[] = [];
      for await (const value of result.chunks) read.push(value);
      expect(await (mock.requests[0] as Request).json()).toEqual({ ...request, stream: true });
      // The usage the upstream sends unasked, on its last chunk, is passed on.
      expect(read.at(-1)?.usage).toEqual(usageChunk.usage);
    });

    test('a non-OK status rejects doChatStream itself with the mapped error', async () => {
      mock.use(
        http.post(`${baseURL}/chat/completions`, () =>
          HttpResponse.json({ error: { message: 'Slow down' } }, { status: 429, headers: { 'retry-after': '2' } }),
        ),
      );
      const error = await rejection(provider().doChatStream(request, {}));
      expect(error).toMatchObject({ code: 'rate_limited', headers: { 'retry-after': '2' }, providerId: 'acme' });
    });

    test('an error event mid-stream throws after the earlier chunks were yielded', async () => {
      streamReply(
        sseBody([
          sseEvents(chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi' })),
          'data: {"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":null}}\n\n',
        ]),
      );
      const { received, error } = await drainUntilError((await provider().doChatStream(request, {})).chunks);
      expect(received).toHaveLength(2);
      expect(error).toMatchObject({ code: 'upstream_error', status: 502, type: 'overloaded_error', isRetryable: true, providerId: 'acme', requestID: 'req_stream' });
      expect(error.message).toContain('Overloaded');
    });

    test('a malformed JSON event is a retryable upstream_error', async () => {
      streamReply(sseBody([sseEvents(chunk({ content: 'Hi' })), 'data: {"id": oops}\n\n']));
      const { received, error } = await drainUntilError((await provider().doChatStream(request, {})).chunks);
      expect(received).toHaveLength(1);
      expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
      expect(error.message).toContain('malformed SSE event from acme');
    });

    test('a stream that ends without [DONE] and without a finish_reason throws instead of ending quietly', async () => {
      streamReply(sseBody([sseEvents(chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hal' }))]));
      const { received, error } = await drainUntilError((await provider().doChatStream(request, {})).chunks);
      expect(received).toHaveLength(2);
      expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
      expect(error.message).toContain('ended before completion');
    });

    test('a stream that ends without [DONE] after its finish_reason and usage is complete', async () => {
      streamReply(sseBody([sseEvents(chunk({ content: 'Hi' }), chunk({}, 'stop'), usageChunk)]));
      const received: UpstreamChatCompletionChunk[] = [];
      for await (const value of (await provider().doChatStream(request, {})).chunks) received.push(value);
      expect(received.at(-1)).toEqual(usageChunk);
    });

    test('with n > 1, a stream that ends without [DONE] while one choice is unfinished throws', async () => {
      streamReply(sseBody([sseEvents(choiceChunk(0, { content: 'Hello' }), choiceChunk(1, { content: 'Bon' }), choiceChunk(0, {}, 'stop'), choiceChunk(1, { content: 'jour, ' }))]));
      const { received, error } = await drainUntilError((await provider().doChatStream({ ...request, n: 2 }, {})).chunks);
      expect(received).toHaveLength(4);
      expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
      expect(error.message).toContain('ended before completion');
    });

    test('with n > 1, a stream that ends without [DONE] after every choice finished is complete', async () => {
      streamReply(sseBody([sseEvents(choiceChunk(0, { content: 'Hi' }), choiceChunk(1, { content: 'Yo' }), choiceChunk(0, {}, 'stop'), choiceChunk(1, {}, 'length'), usageChunk)]));
      const received: UpstreamChatCompletionChunk[] = [];
      for await (const value of (await provider().doChatStream({ ...request, n: 2 }, {})).chunks) received.push(value);
      expect(received.at(-1)).toEqual(usageChunk);
    });

    test('a broken connection mid-stream is a retryable upstream_error', async () => {
      const source = controlledBody();
      streamReply(source.body);
      source.push(sseEvents(chunk({ content: 'Hi' })));
      const iterator = (await provider().doChatStream(request, {})).chunks[Symbol.asyncIterator]();
      await iterator.next();
      source.error(new TypeError('terminated'));
      const error = await rejection(iterator.next());
      expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
    });

    test('aborting the signal mid-stream stops the iteration with aborted and closes the body', async () => {
      const source = controlledBody();
      source.push(sseEvents(chunk({ content: 'Hi' })));
      const controller = new AbortController();
      const acme = provider({ fetch: respondWith(source.body) });
      const iterator = (await acme.doChatStream(request, { signal: controller.signal })).chunks[Symbol.asyncIterator]();
      await iterator.next();
      const pending = iterator.next();
      controller.abort();
      const error = await rejection(pending);
      expect(error).toMatchObject({ code: 'aborted', isRetryable: false });
      expect(error.message).toContain('acme');
      expect(source.cancelled).toBe(true);
    });

    test('breaking out of the loop cancels the upstream body', async () => {
      const source = controlledBody();
      source.push(sseEvents(chunk({ content: 'Hi' }), chunk({ content: ' there' })));
      const acme = provider({ fetch: respondWith(source.body) });
      for await (const value of (await acme.doChatStream(request, {})).chunks) {
        expect(value.choices[0]?.delta.content).toBe('Hi');
        break;
      }
      expect(source.cancelled).toBe(true);
    });

    test('a 200 JSON answer to a streaming request is an error, not an empty stream', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      const error = await rejection(provider().doChatStream(request, {}));
      expect(error).toMatchObject({ code: 'upstream_error', providerId: 'acme' });
      expect(error.message).toContain('without an event stream');
    });

    test('chunks without choices get an empty choices array', async () => {
      streamReply(sseBody([sseEvents(chunk({}, 'stop'), { id: 'x', object: 'chat.completion.chunk', usage: usageChunk.usage }, '[DONE]')]));
      const received: UpstreamChatCompletionChunk[] = [];
      for await (const value of (await provider().doChatStream(request, {})).chunks) received.push(value);
      expect(received[1]?.choices).toEqual([]);
    });
  });

  describe('doEmbed', () => {
    test('posts to /embeddings and returns the response with its request id', async () => {
      const embeddings = {
        object: 'list',
        model: 'mistral-embed',
        data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
        usage: { prompt_tokens: 2, total_tokens: 2 },
      };
      mock.use(http.post(`${baseURL}/embeddings`, () => HttpResponse.json(embeddings, { headers: { 'x-request-id': 'req_e' } })));
      const acme = provider();
      const result = await acme.doEmbed?.({ model: 'mistral-embed', input: ['hi'], encoding_format: 'float' }, {});
      expect(result).toEqual({ response: embeddings, requestId: 'req_e' });
      expect(await mock.requests[0]?.json()).toEqual({ model: 'mistral-embed', input: ['hi'], encoding_format: 'float' });
    });
  });

  describe('doComplete', () => {
    test('posts a legacy completion to /completions, without sovroute extensions or stream, and returns it', async () => {
      const textCompletion = {
        id: 'cmpl-1',
        object: 'text_completion',
        created: 1_700_000_000,
        model: 'meta-llama/Llama-3.3-70B-Instruct',
        choices: [{ text: ' world', index: 0, logprobs: null, finish_reason: 'length' }],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      };
      mock.use(http.post(`${baseURL}/completions`, () => HttpResponse.json(textCompletion, { headers: { 'x-request-id': 'req_c' } })));
      const result = await provider().doComplete?.(
        { model: 'meta-llama/Llama-3.3-70B-Instruct', prompt: 'Hello', max_tokens: 2, stream: false, route: { objective: 'cheapest' } },
        {},
      );
      expect(result).toEqual({ completion: textCompletion, requestId: 'req_c' });
      expect(mock.requests[0]?.url).toBe(`${baseURL}/completions`);
      expect(await mock.requests[0]?.json()).toEqual({ model: 'meta-llama/Llama-3.3-70B-Instruct', prompt: 'Hello', max_tokens: 2 });
    });

    test.each([
      ['an empty list of choices', []],
      ['a choice whose text is null', [{ index: 0, text: null, finish_reason: 'stop' }]],
      ['a choice whose text is a number', [{ index: 0, text: 5, finish_reason: 'stop' }]],
    ])('%s from a 200 is a retryable upstream_error saying the JSON is malformed', async (_name, choices) => {
      mock.use(http.post(`${baseURL}/completions`, () => HttpResponse.json({ id: 'c', object: 'text_completion', created: 1, model: 'x', choices })));
      const error = await rejection(provider().doComplete!({ model: 'x', prompt: 'Hello' }, {}));
      expect(error).toMatchObject({ code: 'upstream_error', status: 502, isRetryable: true, providerId: 'acme' });
      expect(error.message).toContain('acme returned malformed JSON');
    });

    test('an upstream error is raised with the provider named', async () => {
      mock.use(http.post(`${baseURL}/completions`, () => HttpResponse.json({ error: { message: 'no such model' } }, { status: 404 })));
      const error = await rejection(provider().doComplete!({ model: 'x', prompt: 'Hello' }, {}));
      expect(error).toMatchObject({ providerId: 'acme', isRetryable: false });
      expect(error.message).toContain('no such model');
    });
  });

  describe('apiKey', () => {
    test('a function is read on every call, so a rotated key is used at once', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      let current = 'sk-first';
      const acme = provider({ apiKey: () => current });
      await acme.doChat(request, {});
      current = 'sk-second';
      await acme.doChat(request, {});
      expect(mock.requests.map((sent) => sent.headers.get('authorization'))).toEqual(['Bearer sk-first', 'Bearer sk-second']);
    });

    test('a function that throws fails the call with its error, before anything is sent', async () => {
      const missing = new RouterError('acme: no API key', { code: 'upstream_error', status: 500, providerId: 'acme' });
      const error = await rejection(provider({ apiKey: () => { throw missing; } }).doChat(request, {}));
      expect(error).toBe(missing);
      expect(mock.requests).toHaveLength(0);
    });

    test('apiKeyHeader sends the raw key in another header, as Azure expects', async () => {
      mock.use(http.post(`${baseURL}/chat/completions`, () => HttpResponse.json(completion)));
      await provider({ apiKeyHeader: 'api-key' }).doChat(request, {});
      await provider({ apiKeyHeader: 'api-key', apiKey: () => 'sk-later' }).doChat(request, {});
      expect(mock.requests.map((sent) => [sent.headers.get('api-key'), sent.headers.has('authorization')])).toEqual([
        ['sk-acme', false],
        ['sk-later', false],
      ]);
    });
  });

  describe('fetch', () => {
    test('uses the fetch given in options instead of the global one', async () => {
      const custom = vi.fn<typeof fetch>(async () => Response.json(completion));
      const result = await provider({ fetch: custom }).doChat(request, {});
      expect(result.completion.id).toBe('chatcmpl-1');
      expect(custom).toHaveBeenCalledOnce();
      expect(custom.mock.calls[0]?.[0]).toBe(`${baseURL}/chat/completions`);
      expect(mock.requests).toHaveLength(0);
    });

    test('reads globalThis.fetch at call time, so a fetch installed after construction is used', async () => {
      const acme = provider();
      const patched = vi.fn<typeof fetch>(async () => Response.json(completion, { headers: { 'x-request-id': 'patched' } }));
      vi.stubGlobal('fetch', patched);
      const result = await acme.doChat(request, {});
      expect(patched).toHaveBeenCalledOnce();
      expect(result.requestId).toBe('patched');
    });
  });

  describe('over a real connection', () => {
    /** A loopback server whose handler gets the raw response; reports when the client hangs up. */
    async function loopback(handler: (response: ServerResponse) => void) {
      let closed = false;
      const server = createServer((incoming, response) => {
        incoming.resume();
        response.on('close', () => {
          closed = true;
        });
        incoming.on('end', () => handler(response));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const acme = provider({ baseURL: `http://127.0.0.1:${port}/v1`, fetch: realFetch });
      return {
        acme,
        get closed() {
          return closed;
        },
        stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    }

    function startStream(response: ServerResponse) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(sseEvents(chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi' })));
      // …and never finishes: only the client can end this.
    }

    test('breaking out of the loop closes the upstream connection', async () => {
      const upstream = await loopback(startStream);
      try {
        for await (const _ of (await upstream.acme.doChatStream(request, {})).chunks) break;
        await vi.waitFor(() => expect(upstream.closed).toBe(true), { interval: 5 });
      } finally {
        await upstream.stop();
      }
    });

    test('aborting mid-stream rejects with aborted and closes the upstream connection', async () => {
      const upstream = await loopback(startStream);
      try {
        const controller = new AbortController();
        const iterator = (await upstream.acme.doChatStream(request, { signal: controller.signal })).chunks[Symbol.asyncIterator]();
        await iterator.next();
        const pending = iterator.next().then(() => iterator.next());
        controller.abort();
        expect(await rejection(pending)).toMatchObject({ code: 'aborted' });
        await vi.waitFor(() => expect(upstream.closed).toBe(true), { interval: 5 });
      } finally {
        await upstream.stop();
      }
    });

    test('a connection reset mid-stream is a retryable upstream_error', async () => {
      const upstream = await loopback((response) => {
        startStream(response);
        setTimeout(() => response.socket?.destroy(), 20);
      });
      try {
        const { received, error } = await drainUntilError((await upstream.acme.doChatStream(request, {})).chunks);
        expect(received).toHaveLength(2);
        expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'acme' });
      } finally {
        await upstream.stop();
      }
    });

    test('a refused connection says so', async () => {
      const upstream = await loopback(() => {});
      await upstream.stop(); // the port is now closed
      const error = await rejection(upstream.acme.doChat(request, {}));
      expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true });
      expect(error.message).toMatch(/^could not connect to acme \(fetch failed: .*ECONNREFUSED/);
    });
  });
});
