import { http, HttpResponse } from 'msw';
import { inspect } from 'node:util';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, openaiClient, RouterError, type ChatCompletionChunk } from '../src/index.js';
import { mockServer, sseBody, sseEvents } from './helpers/msw.js';
import { euFacts } from './helpers/providers.js';

/*
 * openaiClient() with a real openai v6 client against msw: what reaches the upstream (the
 * client's own headers, no sovroute extensions, float embeddings) and error events mid-stream.
 */

const upstream = mockServer();
const baseURL = 'https://gateway.example.test/v1';
const messages = [{ role: 'user' as const, content: 'Say hello in French.' }];

function setup() {
  // Constructed after msw listens: the SDK reads the global fetch at construction.
  const client = new OpenAI({
    apiKey: 'sk-user',
    baseURL,
    organization: 'org-sovereign',
    defaultHeaders: { 'x-gateway-key': 'gw-123' },
  });
  const provider = openaiClient(client, {
    id: 'gateway',
    jurisdiction: euFacts,
    models: [
      { id: 'model-a', price: { input: 2, output: 6, currency: 'EUR' } },
      { id: 'instruct-a', price: { input: 1, output: 1, currency: 'EUR' }, capabilities: ['completions'] },
      { id: 'embed-a', native: 'vendor/embed-a', price: { input: 0.1, output: 0, currency: 'EUR' }, capabilities: ['embeddings'] },
    ],
  });
  return createRouter({ providers: [provider], policy: 'eu-sovereign', retry: { retries: 0 } });
}

const chunk = (delta: object, finish: string | null = null) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1700000000,
  model: 'model-a',
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
});

describe('openaiClient with the client’s own configuration', () => {
  it('sends the client’s key, organization and default headers, and none of sovroute’s extensions', async () => {
    upstream.use(
      http.post(`${baseURL}/chat/completions`, () =>
        HttpResponse.json({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1700000000,
          model: 'model-a',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 },
        }),
      ),
    );
    const response = await setup().chat.completions.create({ model: 'model-a', messages, route: { allow_fallbacks: false } });
    expect(response.usage).toMatchObject({ cost: 0.005, currency: 'EUR' });
    const sent = upstream.requests[0]!;
    expect(sent.headers.get('authorization')).toBe('Bearer sk-user');
    expect(sent.headers.get('openai-organization')).toBe('org-sovereign');
    expect(sent.headers.get('x-gateway-key')).toBe('gw-123');
    // The SDK's retry counter stays at 0 and sovroute's own fields stay home.
    expect(sent.headers.get('x-stainless-retry-count')).toBe('0');
    const body = (await sent.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('route');
    expect(body.model).toBe('model-a');
  });

  it('asks for float embeddings when the caller names no encoding, and returns the vectors', async () => {
    upstream.use(
      http.post(`${baseURL}/embeddings`, () =>
        HttpResponse.json({
          object: 'list',
          model: 'vendor/embed-a',
          data: [{ object: 'embedding', index: 0, embedding: [0.25, -0.5, 1] }],
          usage: { prompt_tokens: 4, total_tokens: 4 },
        }),
      ),
    );
    const response = await setup().embeddings.create({ model: 'embed-a', input: 'Bonjour' });
    expect(response.data[0]!.embedding).toEqual([0.25, -0.5, 1]);
    expect(response.provider).toBe('gateway');
    const body = (await upstream.requests[0]!.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'vendor/embed-a', input: 'Bonjour', encoding_format: 'float' });
  });

  it('sends legacy completions through the client’s completions resource, priced', async () => {
    upstream.use(
      http.post(`${baseURL}/completions`, () =>
        HttpResponse.json({
          id: 'cmpl-1',
          object: 'text_completion',
          created: 1700000000,
          model: 'instruct-a',
          choices: [{ index: 0, text: ' de Paris', finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 },
        }),
      ),
    );
    const response = await setup().completions.create({ model: 'instruct-a', prompt: 'La tour Eiffel est' });
    expect(response.choices[0]!.text).toBe(' de Paris');
    expect(response.usage).toMatchObject({ cost: 0.002, currency: 'EUR' });
    expect(await upstream.requests[0]!.json()).toEqual({ model: 'instruct-a', prompt: 'La tour Eiffel est' });
  });

  it('raises an error event that arrives mid-stream as an upstream_error naming the provider, after the chunks before it', async () => {
    upstream.use(
      http.post(`${baseURL}/chat/completions`, () =>
        new HttpResponse(
          sseBody([
            sseEvents(chunk({ role: 'assistant', content: '' }), chunk({ content: 'Bon' })),
            sseEvents({ error: { message: 'The server is overloaded', type: 'server_error' } }),
          ]),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
      ),
    );
    const stream = await setup().chat.completions.create({ model: 'model-a', messages, stream: true });
    const received: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const item of stream) received.push(item);
    })().then(() => undefined, (thrown: unknown) => thrown);
    expect(received.map((item) => item.choices[0]?.delta.content)).toEqual(['', 'Bon']);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'upstream_error', providerId: 'gateway' });
    expect((error as Error).message).toMatch(/gateway sent an error mid-stream: The server is overloaded/);
  });

  it('raises a stream that ends quietly without a finish_reason: never a quiet end', async () => {
    upstream.use(
      http.post(`${baseURL}/chat/completions`, () =>
        new HttpResponse(sseBody([sseEvents(chunk({ role: 'assistant', content: 'Bon' }))]), { headers: { 'content-type': 'text/event-stream' } }),
      ),
    );
    const stream = await setup().chat.completions.create({ model: 'model-a', messages, stream: true });
    const error = await (async () => {
      for await (const _item of stream);
    })().then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'upstream_error', providerId: 'gateway' });
    expect((error as Error).message).toMatch(/ended before completion/);
  });

  it('names the provider and the key to check when the upstream refuses the client’s key', async () => {
    upstream.use(
      http.post(`${baseURL}/chat/completions`, () =>
        HttpResponse.json({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, { status: 401 }),
      ),
    );
    const error = await setup().chat.completions.create({ model: 'model-a', messages }).then(() => undefined, (thrown: unknown) => thrown);
    const cause = (error as { cause?: unknown }).cause;
    expect(cause).toMatchObject({ code: 'upstream_error', upstreamStatus: 401, providerId: 'gateway', isRetryable: false });
    expect((cause as Error).message).toMatch(/gateway rejected the request with 401: Incorrect API key provided/);
  });
});

describe('openaiClient never quotes the credentials its client sends', () => {
  it('a gateway key in the client\'s default headers or default query, echoed by the upstream, is redacted from the error and the audit record', async () => {
    const headerKey = 'gw-qz81-header-credential';
    const queryKey = 'gq-qz81-query-credential';
    upstream.use(
      http.post(`${baseURL}/chat/completions`, ({ request }) =>
        HttpResponse.json(
          { error: { message: `subscription ${request.headers.get('ocp-apim-subscription-key')} refused for ${request.url}`, type: 'invalid_request_error' } },
          { status: 401 },
        ),
      ),
    );
    const client = new OpenAI({ apiKey: 'sk-user', baseURL, defaultHeaders: { 'Ocp-Apim-Subscription-Key': headerKey }, defaultQuery: { 'subscription-key': queryKey } });
    const audit = memoryAudit();
    const provider = openaiClient(client, { id: 'gateway', jurisdiction: euFacts, models: [{ id: 'model-a', price: { input: 2, output: 6, currency: 'EUR' } }] });
    const router = createRouter({ providers: [provider], policy: 'eu-sovereign', retry: { retries: 0 }, audit: [audit] });
    const error = await router.chat.completions.create({ model: 'model-a', messages }).catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error)).toBe(true);
    await router.close();
    const said = `${(error as Error).message} ${JSON.stringify(error)} ${String(((error as Error).cause as Error | undefined)?.message)} ${JSON.stringify(audit.records)}`;
    expect(said).toContain('subscription [redacted] refused');
    expect(said).not.toContain('qz81');
  });

  it('a client whose baseURL carries credentials or a query is refused when the provider is built, without quoting them', () => {
    // fetch refuses a URL with credentials on every call, in words that quote it whole; the SDK
    // appends each path after a query, so a ?code=… base URL reaches no endpoint.
    const build = (url: string) => {
      try {
        openaiClient(new OpenAI({ apiKey: 'sk-user', baseURL: url }), { id: 'gateway', jurisdiction: euFacts, models: [{ id: 'model-a', price: { input: 2, output: 6, currency: 'EUR' } }] });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const credentials = build('https://gw:qz81-password@gateway.example.test/v1');
    expect(RouterError.isInstance(credentials) && credentials.code).toBe('invalid_request');
    expect((credentials as Error).message).toMatch(/^openaiClient: the client's baseURL must not contain credentials \(user:password@\).*apiKey or its defaultHeaders/);
    const query = build('https://gateway.example.test/v1?code=qz81-function-key');
    expect((query as Error).message).toMatch(/^openaiClient: the client's baseURL must not contain a query string or fragment.*defaultQuery/);
    for (const error of [credentials, query]) expect(inspect(error, { depth: 10 })).not.toContain('qz81');
  });
});
