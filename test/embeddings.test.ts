import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible, RouterError } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { euFacts } from './helpers/providers.js';

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

async function rejection(promise: Promise<unknown>): Promise<RouterError> {
  const caught = await promise.then(() => undefined, (error: unknown) => error);
  if (!RouterError.isInstance(caught)) throw new Error(`expected a RouterError, got ${String(caught)}`);
  return caught;
}

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
