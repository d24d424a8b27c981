import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible, RouterError, type ChatCompletionChunk } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';
import { rejection } from './helpers/rejection.js';

const upstream = mockServer();
const messages = [{ role: 'user' as const, content: 'Draft a short data-processing notice.' }];

function router(options: { policy?: 'eu-sovereign' | 'eu-hosted' | 'global'; retries?: number } = {}) {
  return createRouter({
    providers: testProviders(),
    policy: options.policy ?? 'eu-sovereign',
    apiKey: 'test-suite',
    retry: { retries: options.retries ?? 1, minTimeoutMs: 1, maxTimeoutMs: 2 },
  });
}

describe('a test- key', () => {
  it('reports the deployment a real key would have used', async () => {
    const response = await router().chat.completions.create({ model: 'llama-3.3-70b-instruct', messages });
    expect(response.route.simulated_for).toEqual({ provider: 'eu-cloud', model: 'llama-3.3-70b-instruct' });
    expect(response.provider).toBe('eu-cloud');
    expect(upstream.requests).toHaveLength(0);
  });

  it('fails with the same routing error production would raise', async () => {
    const error = await rejection(router().chat.completions.create({ model: 'eu-sovereign/gpt-4o', messages }));
    expect(error.code).toBe('no_eligible_provider');
    expect(error.message).toMatch(/us-ai\/gpt-4o: .*US-controlled/);
    expect(upstream.requests).toHaveLength(0);
  });

  it('injects a server error on the first attempt only, and the retry succeeds', async () => {
    const response = await router().chat.completions.create({ model: 'llama-3.3-70b-instruct', messages, simulate: { fault: 'server_error', times: 1 } });
    expect(response.route.attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'ok']);
    expect(response.route.attempts[0]).toMatchObject({ status: 500, code: 'upstream_error' });
    expect(response.route.fallback_used).toBe(false);
  });

  it('falls back to the next eligible deployment when one keeps failing', async () => {
    const response = await router({ policy: 'eu-hosted', retries: 0 }).chat.completions.create({
      model: 'llama-3.3-70b-instruct',
      route: { objective: 'cheapest' },
      messages,
      simulate: { fault: 'server_error', times: 1 },
    });
    expect(response.route.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual(['hyperscaler-eu:error', 'eu-cloud:ok']);
    expect(response.route.fallback_used).toBe(true);
  });

  it('surfaces a rate limit as 429 rate_limited with Retry-After through the SDK', async () => {
    const routed = router({ retries: 0 });
    const client = new OpenAI({ apiKey: 'test-suite', baseURL: 'http://sovroute.local/v1', fetch: routed.fetch, maxRetries: 0 });
    const error = await client.chat.completions
      .create({ model: 'llama-3.3-70b-instruct', messages, simulate: { fault: 'rate_limit', retry_after_s: 3 } } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limited');
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('3');
  });

  it('surfaces a timeout fault as code timeout', async () => {
    const error = await rejection(router({ retries: 0 }).chat.completions.create({ model: 'llama-3.3-70b-instruct', messages, simulate: { fault: 'timeout' } }));
    expect(error.code).toBe('timeout');
    expect(error.status).toBe(504);
  });

  it('cuts a stream mid-way: the chunks before the cut arrive, then the error', async () => {
    const stream = await router().chat.completions.create({
      model: 'llama-3.3-70b-instruct',
      messages,
      stream: true,
      simulate: { fault: 'stream_cut', cut_after_chunks: 3 },
    });
    const received: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().then(() => undefined, (caught: unknown) => caught);
    expect(received).toHaveLength(3);
    expect(RouterError.isInstance(error)).toBe(true);
    expect((error as RouterError).route!.attempts.at(-1)).toMatchObject({ outcome: 'error', message: expect.stringMatching(/after 3 chunk/) });
  });

  it('delivers a mid-stream cut through router.fetch as an SDK APIError, not a quiet end', async () => {
    const routed = router();
    const client = new OpenAI({ apiKey: 'test-suite', baseURL: 'http://sovroute.local/v1', fetch: routed.fetch, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages, stream: true, simulate: { fault: 'stream_cut', cut_after_chunks: 2 } } as never);
    let count = 0;
    const error = await (async () => {
      for await (const _chunk of stream as unknown as AsyncIterable<unknown>) count += 1;
    })().then(() => undefined, (caught: unknown) => caught);
    expect(count).toBe(2);
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  it('refuses simulate with a real key', async () => {
    const real = createRouter({ providers: testProviders() });
    const error = await rejection(real.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages, simulate: { fault: 'timeout' } }));
    expect(error).toMatchObject({ code: 'invalid_request', param: 'simulate' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('aborts a simulated slow call with the caller’s signal', async () => {
    const controller = new AbortController();
    const pending = router().chat.completions.create(
      { model: 'llama-3.3-70b-instruct', messages, simulate: { latency_ms: 5_000 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 10);
    const error = await rejection(pending);
    expect(error.code).toBe('aborted');
  });
});

describe('the cost of a simulated call', () => {
  it('is what its tokens would cost on the deployment it stands for, and is never spent: a budget far below it neither refuses nor counts it', async () => {
    const audit = memoryAudit();
    const routed = createRouter({
      providers: [
        openaiCompatible({
          id: 'eu-cloud',
          baseURL: 'https://eu-cloud.test/v1',
          jurisdiction: { operator: { name: 'Example SAS', country: 'FR', parents: [] }, hosting: ['FR'] },
          models: [{ id: 'model-a', price: { input: 1000, output: 2000, currency: 'EUR' } }],
        }),
      ],
      currency: 'EUR',
      audit: [audit],
      keys: { 'test-team': { label: 'tester', budget: { limit: 0.000001, period: 'day' } } },
    });
    for (let call = 0; call < 2; call++) {
      const response = await routed.chat.completions.create({ model: 'model-a', messages }, { apiKey: 'test-team' });
      const { prompt_tokens, completion_tokens, cost } = response.usage;
      expect(prompt_tokens).toBeGreaterThan(0);
      expect(cost).toBeCloseTo((prompt_tokens * 1000 + completion_tokens * 2000) / 1e6, 12);
      expect(cost).toBeGreaterThan(0.000001);
    }
    await routed.flush();
    expect(audit.records.map((record) => [record.simulated, record.outcome, record.cost! > 0])).toEqual([
      [true, 'success', true],
      [true, 'success', true],
    ]);
    expect(await routed.usage('test-team')).toMatchObject({ spent: 0, reserved: 0, remaining: 0.000001 });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('a simulated latency longer than a timer can hold (over 24.8 days)', () => {
  it('still waits: the call times out under timeoutMs, never answered at once', async () => {
    const slow = createRouter({ providers: testProviders(), policy: 'eu-sovereign', apiKey: 'test-suite', timeoutMs: 50, retry: { retries: 0 } });
    // A first call loads the pseudo-LLM; the slow one then starts with nothing left to load.
    await slow.chat.completions.create({ model: 'eu-cloud/llama-3.3-70b-instruct', messages }).catch(() => undefined);
    const outcome = await slow.chat.completions
      .create({ model: 'eu-cloud/llama-3.3-70b-instruct', messages, simulate: { latency_ms: 3_000_000_000 } })
      .then(() => 'answered', (error: unknown) => (RouterError.isInstance(error) ? error.message : String(error)));
    expect(outcome).toMatch(/did not answer within 50 ms \(timeoutMs\)/);
  });
});

describe('one caller signal shared by many calls', () => {
  it('raises no MaxListenersExceededWarning for fifty concurrent calls, and aborts them all', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const slow = { model: 'llama-3.3-70b-instruct', messages, simulate: { latency_ms: 5_000 } };
      const calls = Array.from({ length: 50 }, () => router().chat.completions.create(slow, { signal: controller.signal }).catch((error: unknown) => error));
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      const outcomes = await Promise.all(calls);
      expect(outcomes.every((outcome) => RouterError.isInstance(outcome) && outcome.code === 'aborted')).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
