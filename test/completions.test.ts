import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { euFacts } from './helpers/providers.js';
import { rejection } from './helpers/rejection.js';

/* Legacy completions: what is refused before any upstream is called, and what an answer costs. */

const upstream = mockServer();

const deployment = openaiCompatible({
  id: 'eu-text',
  baseURL: 'https://eu-text.test/v1',
  jurisdiction: euFacts,
  models: [{ id: 'text-model', price: { input: 1, output: 2, currency: 'EUR' }, capabilities: ['completions'] }],
});

describe('legacy completion parameters', () => {
  // OpenAI (and vLLM) refuse it; a test key that answered n choices would pass what production refuses.
  it('refuses best_of below n with a 400 naming best_of, with a real key and a test key alike', async () => {
    for (const apiKey of [undefined, 'test-completions']) {
      const router = createRouter({ providers: [deployment], ...(apiKey ? { apiKey } : {}) });
      const error = await rejection(router.completions.create({ model: 'text-model', prompt: 'Once upon a time', n: 3, best_of: 2 }));
      expect(error).toMatchObject({ status: 400, code: 'invalid_request', param: 'best_of' });
      expect(error.message).toMatch(/best_of \(2\) must be at least n \(3\)/);
    }
    expect(upstream.requests).toHaveLength(0);
    const test = createRouter({ providers: [deployment], apiKey: 'test-completions' });
    const answered = await test.completions.create({ model: 'text-model', prompt: 'Once upon a time', n: 2, best_of: 2 });
    expect(answered.choices).toHaveLength(2);
  });
});

describe('legacy completion usage an upstream leaves out', () => {
  // The echoed prompt is read, not written: counted as output, it made the estimate cost the
  // prompt again at the output price.
  it('estimates the completion tokens of an echo: true answer without its echoed prompt', async () => {
    const prompts = ['A'.repeat(4000), 'B'.repeat(400)];
    upstream.use(
      http.post('https://eu-text.test/v1/completions', () =>
        HttpResponse.json({
          id: 'cmpl-1',
          object: 'text_completion',
          created: 1,
          model: 'text-model',
          choices: prompts.map((prompt, index) => ({ index, text: `${prompt} and then it ended.`, finish_reason: 'stop', logprobs: null })),
        }),
      ),
    );
    const router = createRouter({ providers: [deployment] });
    const response = await router.completions.create({ model: 'text-model', prompt: prompts, echo: true });
    // " and then it ended." is 19 characters: 5 tokens, twice.
    expect(response.usage).toMatchObject({ prompt_tokens: 1100, completion_tokens: 10, estimated: true });
    expect(response.usage.cost).toBeCloseTo((1100 * 1 + 10 * 2) / 1_000_000, 9);
  });
});
