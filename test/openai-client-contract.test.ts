import OpenAI, { AzureOpenAI } from 'openai';
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../src/wire/chat-request.js';
import { openaiClient } from '../src/providers/openai-client.js';
import type { OpenAIClientLike } from '../src/providers/openai-client-types.js';

const facts = { operator: { name: 'Example Cloud SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
const models = [{ id: 'model-a', price: { input: 1, output: 2, currency: 'EUR' as const } }];
const request: ChatRequest = { model: 'model-a', messages: [{ role: 'user', content: 'Hi' }] };

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'model-a',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
};

/** A client whose `chat.completions.create` throws `error`, as the SDK does. */
function failing(error: unknown): OpenAIClientLike {
  return { chat: { completions: { create: () => Promise.reject(error) } } };
}

function thrownBy(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(() => undefined, (thrown: unknown) => thrown);
}

describe('the client openaiClient accepts', () => {
  it('takes the SDK’s OpenAI and AzureOpenAI classes as they are (checked by the type checker)', () => {
    const accepted: OpenAIClientLike[] = [
      new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1' }),
      new AzureOpenAI({ apiKey: 'key', endpoint: 'https://example.openai.azure.com', apiVersion: '2024-10-21' }),
    ];
    for (const client of accepted) expect(openaiClient(client, { id: 'wrapped', models }).id).toBe('wrapped');
  });

  it('takes any object with just chat.completions.create, and answers through it with its request id', async () => {
    const sent: unknown[] = [];
    const minimal = {
      chat: {
        completions: {
          create: (body: object, options?: { maxRetries?: number }) => {
            sent.push({ body, options });
            return Object.assign(Promise.resolve(completion), {
              withResponse: async () => ({ data: completion, request_id: 'req-42' }),
            });
          },
        },
      },
    };
    const provider = openaiClient(minimal, { id: 'minimal', jurisdiction: facts, models });
    const result = await provider.doChat({ ...request, route: { allow_fallbacks: false } }, {});
    expect(result).toEqual({ completion, requestId: 'req-42' });
    expect(sent).toEqual([{ body: { model: 'model-a', messages: request.messages }, options: { maxRetries: 0 } }]);
    // Chat only: no embeddings or completions are offered, so none are claimed.
    expect(provider.doEmbed).toBeUndefined();
    expect(provider.doComplete).toBeUndefined();
  });

  it('refuses, at the type level and at run time, an object without chat.completions.create', () => {
    // @ts-expect-error chat.completions.create is required
    const broken: OpenAIClientLike = { chat: {} };
    expect(() => openaiClient(broken, { id: 'broken', models })).toThrow(
      'openaiClient: client.chat.completions.create must be a function (pass an openai SDK client, e.g. new OpenAI({ apiKey }))',
    );
  });

  it('refuses an embedding model when the client has no embeddings.create', () => {
    const client = { chat: { completions: { create: async () => completion } } };
    expect(() => openaiClient(client, { id: 'wrapped', models: [{ id: 'embed-a', capabilities: ['embeddings'] }] })).toThrow(
      'openaiClient: client.embeddings.create must be a function (a model offers embeddings)',
    );
  });
});

describe('openaiClient options', () => {
  it.each([
    [{ id: 'Not Kebab', models }, 'openaiClient: id must be kebab-case, e.g. azure-openai-swe'],
    [{ id: 'wrapped', models: [{ id: 'm', price: { input: 1, output: 1, currency: 'GBP' } }] }, 'openaiClient: models[0].price.currency must be EUR, USD or CHF'],
    [{ id: 'wrapped', models: [{ id: 'm' }, { id: 'm' }] }, 'openaiClient: models[1].id duplicates models[0].id'],
    [
      { id: 'wrapped', models, jurisdiction: { operator: { name: 'Example Inc', country: 'USA', parents: [] }, hosting: ['US'] } },
      'openaiClient: jurisdiction.operator.country must be an ISO 3166-1 alpha-2 country code in capitals, e.g. FR',
    ],
  ])('refuses %j with an invalid_request naming the option', (options, message) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1' });
    let thrown: unknown;
    try {
      openaiClient(client, options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'invalid_request', status: 400, message });
  });
});

describe('the SDK’s errors, as RouterErrors', () => {
  it('maps a RateLimitError with v5+ Headers to rate_limited, keeping Retry-After and the request id', async () => {
    const headers = new Headers({ 'retry-after': '7', 'x-request-id': 'req-1' });
    const sdkError = OpenAI.APIError.generate(429, { error: { message: 'Slow down', type: 'rate_limit_error' } }, undefined, headers);
    const error = await thrownBy(openaiClient(failing(sdkError), { id: 'wrapped', models }).doChat(request, {}));
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, upstreamStatus: 429, providerId: 'wrapped', headers: { 'retry-after': '7' }, requestID: 'req-1' });
  });

  it('reads a v4 APIError, whose headers are a plain record', async () => {
    const sdkError = Object.assign(new OpenAI.InternalServerError(503, { message: 'Overloaded' }, undefined, new Headers()), {
      headers: { 'retry-after-ms': '250' },
    });
    const error = await thrownBy(openaiClient(failing(sdkError), { id: 'wrapped', models }).doChat(request, {}));
    expect(error).toMatchObject({ code: 'upstream_error', status: 502, upstreamStatus: 503, isRetryable: true, headers: { 'retry-after-ms': '250' } });
    expect((error as Error).message).toBe('wrapped returned 503: Overloaded');
  });

  it('maps the client’s own timeout to a retryable timeout that says which timeout fired', async () => {
    const error = await thrownBy(openaiClient(failing(new OpenAI.APIConnectionTimeoutError()), { id: 'wrapped', models }).doChat(request, {}));
    expect(error).toMatchObject({ code: 'timeout', status: 504, isRetryable: true, providerId: 'wrapped' });
    expect((error as Error).message).toMatch(/the openai client's own timeout/);
  });

  it('maps a connection failure to a retryable upstream_error quoting its cause', async () => {
    const cause = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    const error = await thrownBy(openaiClient(failing(new OpenAI.APIConnectionError({ cause })), { id: 'wrapped', models }).doChat(request, {}));
    expect(error).toMatchObject({ code: 'upstream_error', status: 502, isRetryable: true });
    expect((error as Error).message).toBe('could not connect to wrapped (fetch failed: connect ECONNREFUSED 127.0.0.1:9)');
  });

  it('reports the caller’s abort, and the signal’s reason when the router aborted with one', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = await thrownBy(openaiClient(failing(new OpenAI.APIUserAbortError()), { id: 'wrapped', models }).doChat(request, { signal: controller.signal }));
    expect(aborted).toMatchObject({ code: 'aborted', status: 499 });
  });
});

describe('streams through a client', () => {
  /** A stream shaped like the SDK's: it ends quietly once aborted, and its iterator does not abort on return. */
  function streamingClient(controller: AbortController, chunks: object[]): OpenAIClientLike {
    async function* iterate() {
      for (const chunk of chunks) {
        if (controller.signal.aborted) return;
        yield chunk;
      }
    }
    const stream = { controller, [Symbol.asyncIterator]: () => iterate() };
    return { chat: { completions: { create: async () => stream } } };
  }
  const delta = (content: string) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] });

  it('aborts the stream’s controller when the consumer stops reading', async () => {
    const controller = new AbortController();
    const provider = openaiClient(streamingClient(controller, [delta('a'), delta('b'), delta('c')]), { id: 'wrapped', models });
    const { chunks } = await provider.doChatStream(request, {});
    for await (const _chunk of chunks) break;
    expect(controller.signal.aborted).toBe(true);
  });

  it('raises the caller’s abort when the stream ends quietly after it, as the SDK’s streams do, even after a finish_reason', async () => {
    const sdkController = new AbortController();
    const caller = new AbortController();
    const finish = { object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
    const usage = { object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
    const provider = openaiClient(streamingClient(sdkController, [finish, usage]), { id: 'wrapped', models });
    const { chunks } = await provider.doChatStream(request, { signal: caller.signal });
    const error = await thrownBy(
      (async () => {
        for await (const _chunk of chunks) {
          caller.abort();
          sdkController.abort();
        }
      })(),
    );
    expect(error).toMatchObject({ code: 'aborted' });
  });
});
