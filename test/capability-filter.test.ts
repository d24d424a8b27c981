import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible, RouterError, type ChatCompletionCreateParams } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { euFacts } from './helpers/providers.js';

/* Capability and route filtering before ranking, each exclusion with its reason. Nothing here reaches an upstream. */

const upstream = mockServer(); // any request would fail the test

const router = createRouter({
  providers: [
    openaiCompatible({
      id: 'basic',
      baseURL: 'https://basic.test/v1',
      jurisdiction: euFacts,
      models: [{ id: 'model-a', price: { input: 0.1, output: 0.3, currency: 'EUR' }, context: 1000, capabilities: ['chat'], streaming: false }],
    }),
    openaiCompatible({
      id: 'full',
      baseURL: 'https://full.test/v1',
      jurisdiction: euFacts,
      models: [{ id: 'model-a', price: { input: 0.2, output: 0.6, currency: 'EUR' }, context: 128_000, capabilities: ['chat', 'tools', 'vision', 'json'] }],
    }),
  ],
  strategy: 'cheapest',
});

const messages = [{ role: 'user' as const, content: 'Hello' }];
const reasonsOf = (params: Omit<ChatCompletionCreateParams, 'model' | 'messages'> & { messages?: ChatCompletionCreateParams['messages'] }) => {
  const explanation = router.explain({ model: 'model-a', messages, ...params });
  return { chosen: explanation.chosen?.provider, basic: explanation.candidates.find((candidate) => candidate.provider === 'basic')!.reasons };
};

describe('capability filtering', () => {
  it.each<[string, Parameters<typeof reasonsOf>[0], string]>([
    ['tools', { tools: [{ type: 'function', function: { name: 'lookup' } }] }, 'model does not support tool calling'],
    ['legacy functions', { functions: [{ name: 'lookup', parameters: { type: 'object' } }] }, 'model does not support tool calling'],
    ['images', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }] }, 'model does not support image input'],
    ['a JSON schema', { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } } }, 'model does not support JSON output'],
    ['a context window too small', { max_tokens: 2000 }, "the model's window is 1000"],
    ['streaming', { stream: true }, 'model does not support streaming here'],
  ])('leaves out a deployment that cannot serve %s, with the reason', (_name, params, reason) => {
    const { chosen, basic } = reasonsOf(params);
    expect(chosen).toBe('full');
    expect(basic.join('; ')).toContain(reason);
  });

  it('routes to the cheaper deployment when it fits', () => {
    expect(reasonsOf({})).toEqual({ chosen: 'basic', basic: [] });
  });

  it('leaves chat-only models out of embeddings, naming why, and calls nobody', async () => {
    const error = await router.embeddings.create({ model: 'model-a', input: 'hello' }).catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error) && error.code).toBe('no_eligible_provider');
    expect((error as RouterError).message).toMatch(/basic\/model-a: model does not support embeddings/);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('the route extension', () => {
  it('narrows with only and ignore, re-ranks with order, and filters on the estimated cost', () => {
    expect(reasonsOf({ route: { only: ['full'] } })).toEqual({ chosen: 'full', basic: ['not listed in route.only'] });
    expect(reasonsOf({ route: { ignore: ['basic'] } })).toEqual({ chosen: 'full', basic: ['listed in route.ignore'] });
    expect(reasonsOf({ route: { order: ['full', 'basic'] } }).chosen).toBe('full');
    const costly = reasonsOf({ max_tokens: 900, route: { max_cost: 0.0001 } });
    expect(costly.chosen).toBe(undefined);
    expect(costly.basic[0]).toMatch(/^estimated cost .* EUR exceeds route.max_cost 0.0001$/);
  });

  it('shows an estimate just above route.max_cost with the digits that make it above, not rounded to the limit', () => {
    const nearly = createRouter({
      providers: [openaiCompatible({ id: 'nearly', baseURL: 'https://nearly.test/v1', jurisdiction: euFacts, models: [{ id: 'model-a', price: { input: 0, output: 1.0004, currency: 'EUR' } }] })],
    });
    // 100 completion tokens at 1.0004 EUR per million: 0.00010004 EUR, above a limit of 0.0001.
    const [candidate] = nearly.explain({ model: 'model-a', messages, max_tokens: 100, route: { max_cost: 0.0001 } }).candidates;
    expect(candidate!.reasons).toEqual(['estimated cost 0.00010004 EUR exceeds route.max_cost 0.0001']);
  });

  it('refuses a route entry that names a provider or deployment in the wrong case, which would match nothing', async () => {
    for (const [field, entry, meant] of [
      ['ignore', 'Basic', 'basic'],
      ['only', 'FULL', 'full'],
      ['order', 'full/Model-A', 'full/model-a'],
    ] as const) {
      const error = await router.chat.completions
        .create({ model: 'model-a', messages, route: { [field]: ['full', entry] } }, { apiKey: 'test-route' })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'invalid_request', status: 400, param: `route.${field}[1]` });
      expect((error as RouterError).message).toContain(`did you mean "${meant}"?`);
      expect(() => router.explain({ model: 'model-a', messages, route: { [field]: [entry] } })).toThrow(`route.${field}[0] "${entry}" names no provider or deployment`);
    }
    // A name nothing configured answers to, in any case, is left alone: one list may serve several routers.
    expect(reasonsOf({ route: { ignore: ['elsewhere', 'basic'] } })).toEqual({ chosen: 'full', basic: ['listed in route.ignore'] });
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses a route entry that names a deployment by another id of its model (the upstream’s own), which would match nothing', async () => {
    const llama = { id: 'llama-3.3-70b-instruct', price: { input: 0.1, output: 0.3, currency: 'EUR' as const } };
    const natives = createRouter({
      providers: [
        openaiCompatible({ id: 'hosted', baseURL: 'https://hosted.test/v1', jurisdiction: euFacts, models: [{ ...llama, native: 'meta-llama/Llama-3.3-70B-Instruct' }] }),
        openaiCompatible({ id: 'other', baseURL: 'https://other.test/v1', jurisdiction: euFacts, models: [{ ...llama, price: { ...llama.price, input: 0.2 } }] }),
      ],
      strategy: 'cheapest',
    });
    for (const field of ['ignore', 'only', 'order'] as const) {
      for (const entry of ['hosted/meta-llama/Llama-3.3-70B-Instruct', 'Hosted/Llama-3.3-70B-Instruct']) {
        const request = { model: 'llama-3.3-70b-instruct', messages, route: { [field]: [entry] } };
        expect(() => natives.explain(request), `${field} ${entry}`).toThrow(`route.${field}[0] "${entry}" names no provider or deployment; did you mean "hosted/llama-3.3-70b-instruct"?`);
        const error = await natives.chat.completions.create(request, { apiKey: 'test-route' }).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: 'invalid_request', status: 400, param: `route.${field}[0]` });
      }
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses an unknown route key with a 400 instead of ignoring it', async () => {
    const error = await router.chat.completions
      .create({ model: 'model-a', messages, route: { max_latency: 100 } } as unknown as ChatCompletionCreateParams)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
    expect((error as RouterError).message).toMatch(/route/);
    expect(upstream.requests).toHaveLength(0);
  });
});
