import { http, HttpResponse } from 'msw';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { euFacts } from './helpers/providers.js';
import { rejection } from './helpers/rejection.js';

/* Embeddings take the same `route` and `simulate` extensions as chat. */

const upstream = mockServer();

const deployment = (id: string, price: number) =>
  openaiCompatible({
    id,
    baseURL: `https://${id}.test/v1`,
    jurisdiction: euFacts,
    models: [{ id: 'embed-small', price: { input: price, output: 0, currency: 'EUR' }, capabilities: ['embeddings'] }],
  });

const vectors = { object: 'list', model: 'embed-small', data: [{ object: 'embedding', index: 0, embedding: [0.6, 0.8] }], usage: { prompt_tokens: 1, total_tokens: 1 } };

describe('embeddings with route and simulate', () => {
  it('honours route.ignore: the cheaper deployment is skipped and never contacted', async () => {
    upstream.use(http.post('https://eu-b.test/v1/embeddings', () => HttpResponse.json(vectors)));
    const router = createRouter({ providers: [deployment('eu-a', 0.01), deployment('eu-b', 0.02)], strategy: 'cheapest' });
    const response = await router.embeddings.create({ model: 'embed-small', input: 'x', route: { ignore: ['eu-a'] } });
    expect(response.provider).toBe('eu-b');
    expect(upstream.requests.map((request) => new URL(request.url).host)).toEqual(['eu-b.test']);
    // The extension is the router's: it is not sent upstream.
    expect(await upstream.requests[0]!.json()).not.toHaveProperty('route');
  });

  it('refuses unknown route keys with a 400 and sends nothing', async () => {
    const router = createRouter({ providers: [deployment('eu-a', 0.01)] });
    const error = await rejection(router.embeddings.create({ model: 'embed-small', input: 'x', route: { bogus: true } } as never));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', param: 'route' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses simulate with a real key, and injects its fault with a test key', async () => {
    const real = createRouter({ providers: [deployment('eu-a', 0.01)] });
    expect(await rejection(real.embeddings.create({ model: 'embed-small', input: 'x', simulate: { fault: 'timeout' } }))).toMatchObject({ param: 'simulate' });
    const test = createRouter({ providers: [deployment('eu-a', 0.01)], apiKey: 'test-embeddings', retry: { retries: 0 } });
    expect(await rejection(test.embeddings.create({ model: 'embed-small', input: 'x', simulate: { fault: 'rate_limit' } }))).toMatchObject({ code: 'rate_limited', status: 429 });
    const retrying = createRouter({ providers: [deployment('eu-a', 0.01)], apiKey: 'test-embeddings', retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 1 } });
    const recovered = await retrying.embeddings.create({ model: 'embed-small', input: 'x', simulate: { fault: 'server_error', times: 1 } });
    expect(recovered.route.attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'ok']);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('embedding encodings', () => {
  // The SDK asks for base64 by default and decodes it; an upstream that answers floats anyway
  // must not leave it with an empty vector, nor a float caller with a string.
  it('gives the openai SDK its vectors when the upstream ignores encoding_format and answers floats', async () => {
    upstream.use(http.post('https://eu-a.test/v1/embeddings', () => HttpResponse.json(vectors)));
    const router = createRouter({ providers: [deployment('eu-a', 0.01)] });
    const client = new OpenAI({ apiKey: 'sk-caller', baseURL: 'http://sovroute.local/v1', fetch: router.fetch, maxRetries: 0 });
    const response = await client.embeddings.create({ model: 'embed-small', input: 'x' });
    expect(response.data[0]!.embedding.map((value) => Number(value.toFixed(5)))).toEqual([0.6, 0.8]);
  });

  it('decodes base64 for a caller who asked for floats (or nothing)', async () => {
    const base64 = { ...vectors, data: [{ object: 'embedding', index: 0, embedding: btoa(String.fromCharCode(...new Uint8Array(new Float32Array([0.5, -0.25]).buffer))) }] };
    upstream.use(http.post('https://eu-a.test/v1/embeddings', () => HttpResponse.json(base64)));
    const router = createRouter({ providers: [deployment('eu-a', 0.01)] });
    const response = await router.embeddings.create({ model: 'embed-small', input: 'x' });
    expect(response.data[0]!.embedding).toEqual([0.5, -0.25]);
  });
});

describe('embeddings an upstream gets wrong', () => {
  const two = (data: unknown[]) => ({ object: 'list', model: 'embed-small', data, usage: { prompt_tokens: 2, total_tokens: 2 } });
  const vector = (index: number, embedding: unknown = [0.6, 0.8]) => ({ object: 'embedding', index, embedding });

  it('fall back to the next deployment when one answers fewer vectors than inputs, so data[i] is always the vector of input i', async () => {
    upstream.use(
      http.post('https://eu-a.test/v1/embeddings', () => HttpResponse.json(two([vector(0)]))),
      http.post('https://eu-b.test/v1/embeddings', () => HttpResponse.json(two([vector(0), vector(1)]))),
    );
    const router = createRouter({ providers: [deployment('eu-a', 0.01), deployment('eu-b', 0.02)], strategy: 'cheapest', retry: { retries: 0 } });
    const response = await router.embeddings.create({ model: 'embed-small', input: ['first', 'second'] });
    expect(response.provider).toBe('eu-b');
    expect(response.data.map((item) => item.index)).toEqual([0, 1]);
    expect(response.route.attempts[0]).toMatchObject({ provider: 'eu-a', outcome: 'error', code: 'upstream_error' });
    expect(response.route.attempts[0]!.message).toMatch(/1 embedding for 2 inputs/);
  });

  it('are refused when a vector holds something other than numbers, or an index is repeated', async () => {
    const router = createRouter({ providers: [deployment('eu-a', 0.01)], retry: { retries: 0 } });
    upstream.use(http.post('https://eu-a.test/v1/embeddings', () => HttpResponse.json(two([vector(0, ['x', null])]))));
    const words = await rejection(router.embeddings.create({ model: 'embed-small', input: 'one' }));
    expect(words).toMatchObject({ status: 502, code: 'all_providers_failed' });
    expect(words.message).toMatch(/eu-a returned an embedding that is not a list of numbers \(data\[0\]\)/);
    upstream.use(http.post('https://eu-a.test/v1/embeddings', () => HttpResponse.json(two([vector(0), vector(0)]))));
    const repeated = await rejection(router.embeddings.create({ model: 'embed-small', input: ['one', 'two'] }));
    expect(repeated.message).toMatch(/eu-a returned two embeddings for input 0/);
  });

  it('answered out of order: data[i] is still the vector of input i', async () => {
    upstream.use(http.post('https://eu-a.test/v1/embeddings', () => HttpResponse.json(two([vector(1, [0, 1]), vector(0, [1, 0])]))));
    const router = createRouter({ providers: [deployment('eu-a', 0.01)], retry: { retries: 0 } });
    const response = await router.embeddings.create({ model: 'embed-small', input: ['first', 'second'] });
    expect(response.data.map((item) => item.index)).toEqual([0, 1]);
    expect(response.data.map((item) => item.embedding)).toEqual([[1, 0], [0, 1]]);
  });

  it('a vector that is not base64 of float32 values falls back to the next deployment, never a 500', async () => {
    upstream.use(
      http.post('https://eu-a.test/v1/embeddings', () => HttpResponse.json(two([vector(0, 'not base64!')]))),
      http.post('https://eu-b.test/v1/embeddings', () => HttpResponse.json(two([vector(0)]))),
    );
    const router = createRouter({ providers: [deployment('eu-a', 0.01), deployment('eu-b', 0.02)], strategy: 'cheapest', retry: { retries: 0 } });
    const response = await router.embeddings.create({ model: 'embed-small', input: 'one' });
    expect(response.provider).toBe('eu-b');
    expect(response.route.attempts[0]).toMatchObject({ provider: 'eu-a', outcome: 'error', code: 'upstream_error' });
  });

  // Vectors of another size than asked for are unfit for the index they were asked for: a
  // deployment that ignores dimensions must not hand them over as if it had honoured it.
  it('fall back, without a retry, when a deployment ignores dimensions, and leave its health alone', async () => {
    upstream.use(
      http.post('https://eu-a.test/v1/embeddings', () => HttpResponse.json(two([vector(0, [0.6, 0.8, 0, 0])]))),
      http.post('https://eu-b.test/v1/embeddings', () => HttpResponse.json(two([vector(0, btoa(String.fromCharCode(...new Uint8Array(new Float32Array([0.6, 0.8]).buffer))))]))),
    );
    const router = createRouter({ providers: [deployment('eu-a', 0.01), deployment('eu-b', 0.02)], strategy: 'cheapest', retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 1 } });
    const response = await router.embeddings.create({ model: 'embed-small', input: 'one', dimensions: 2 });
    expect(response.provider).toBe('eu-b');
    expect(response.data[0]!.embedding).toHaveLength(2);
    expect(response.route.attempts).toHaveLength(2);
    expect(response.route.attempts[0]).toMatchObject({ provider: 'eu-a', outcome: 'error', code: 'upstream_error' });
    expect(response.route.attempts[0]!.message).toMatch(/eu-a returned a vector of 4 dimensions for dimensions: 2 \(data\[0\]\)/);
    expect(router.health().filter((entry) => entry.provider === 'eu-a' && (entry.failures > 0 || entry.lastError !== undefined))).toEqual([]);
  });

  it('count a tokenised input (an array of numbers) as one input', async () => {
    upstream.use(http.post('https://eu-a.test/v1/embeddings', () => HttpResponse.json(two([vector(0)]))));
    const router = createRouter({ providers: [deployment('eu-a', 0.01)], retry: { retries: 0 } });
    const response = await router.embeddings.create({ model: 'embed-small', input: [101, 202, 303] });
    expect(response.data).toHaveLength(1);
  });
});

describe('an empty embeddings input', () => {
  it('is refused with a 400 that says the input is empty, and nothing is sent', async () => {
    const router = createRouter({ providers: [deployment('eu-a', 0.01)] });
    const error = await rejection(router.embeddings.create({ model: 'embed-small', input: [] }));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', param: 'input' });
    expect(error.message).toMatch(/input must not be empty/);
    expect(upstream.requests).toHaveLength(0);
  });

  // OpenAI refuses an empty string (and an empty token list) among the inputs; a test key that
  // embedded it would pass a CI run that production then fails.
  it('refuses an empty string or token list among the inputs, naming it, before anything is sent, with a test key too', async () => {
    const router = createRouter({ providers: [deployment('eu-a', 0.01)] });
    const empty = await rejection(router.embeddings.create({ model: 'embed-small', input: '' }));
    expect(empty).toMatchObject({ status: 400, code: 'invalid_request', param: 'input' });
    expect(empty.message).toMatch(/empty string/);
    const inList = await rejection(router.embeddings.create({ model: 'embed-small', input: ['chunk one', '', 'chunk three'] }));
    expect(inList).toMatchObject({ status: 400, code: 'invalid_request', param: 'input[1]' });
    const tokens = await rejection(router.embeddings.create({ model: 'embed-small', input: [[101, 102], []] }));
    expect(tokens).toMatchObject({ status: 400, code: 'invalid_request', param: 'input[1]' });
    expect(tokens.message).toMatch(/empty list of tokens/);
    const test = createRouter({ providers: [deployment('eu-a', 0.01)], apiKey: 'test-embeddings' });
    expect(await rejection(test.embeddings.create({ model: 'embed-small', input: ['a', ''] }))).toMatchObject({ status: 400, param: 'input[1]' });
    expect(upstream.requests).toHaveLength(0);
  });
});
