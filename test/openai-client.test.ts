import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, openaiClient, RouterError, type ChatCompletionChunk, type RouterOptions } from '../src/index.js';
import { messages, quickRetry } from './helpers/fault-deployments.js';
import { fault, useFaultServer, type FaultUpstream } from './helpers/fault-server.js';
import { euFacts } from './helpers/providers.js';

/*
 * openaiClient() end to end: a real openai v6 client, built as a user would (its default
 * maxRetries of 2 included), talking to a real HTTP upstream on 127.0.0.1, behind a router.
 */

const faults = useFaultServer();
const realSetTimeout = globalThis.setTimeout;

function routed(upstream: FaultUpstream, options: Partial<RouterOptions> = {}) {
  const client = new OpenAI({ apiKey: 'sk-user', baseURL: upstream.baseURL });
  const provider = openaiClient(client, {
    id: upstream.name,
    jurisdiction: euFacts,
    models: [{ id: 'model-a', native: 'vendor/model-a', price: { input: 2, output: 6, currency: 'EUR' } }],
  });
  return createRouter({ providers: [provider], policy: 'eu-sovereign', retry: { retries: 0 }, ...options });
}

/** Reads a stream to its end or its error. */
async function drain(stream: AsyncIterable<ChatCompletionChunk>, onChunk?: (count: number) => void) {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      onChunk?.(chunks.length);
    }
    return { chunks, error: undefined };
  } catch (error) {
    if (!RouterError.isInstance(error)) throw error;
    return { chunks, error };
  }
}

async function rejection(pending: Promise<unknown>): Promise<RouterError> {
  const error = await pending.then(() => undefined, (thrown: unknown) => thrown);
  if (!RouterError.isInstance(error)) throw new Error(`expected a RouterError, got ${String(error)}`);
  return error;
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('openaiClient through a router', () => {
  it('answers a JSON chat with the provider, usage and cost (20 + 10 tokens at 2/6 EUR per 1M = 0.0001 EUR)', async () => {
    const upstream = faults.upstream('wrapped');
    const response = await routed(upstream).chat.completions.create({ model: 'wrapped/model-a', messages });
    expect(response.choices[0]!.message.content).toBe('Hello from wrapped.');
    expect(response.provider).toBe('wrapped');
    expect(response.usage).toEqual({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30, cost: 0.0001, currency: 'EUR' });
    expect(upstream.requests[0]!.body.model).toBe('vendor/model-a');
  });

  it('streams the chunks, asks for usage, and ends with usage and cost', async () => {
    const upstream = faults.upstream('wrapped');
    const stream = await routed(upstream).chat.completions.create({ model: 'model-a', messages, stream: true });
    const { chunks, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('wrapped-0 wrapped-1 wrapped-2 ');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30, cost: 0.0001, currency: 'EUR' });
    expect(upstream.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('turns a 500 into a 502 with upstreamStatus 500, and the SDK never retries: one request per router attempt', async () => {
    const upstream = faults.upstream('wrapped').otherwise(fault.status(500, 'The server had an error'));
    const error = await rejection(routed(upstream, { retry: quickRetry }).chat.completions.create({ model: 'model-a', messages }));
    expect(error.status).toBe(502);
    expect(error.route!.attempts.map((attempt) => attempt.status)).toEqual([500, 500]);
    expect(error.cause).toMatchObject({ code: 'upstream_error', status: 502, upstreamStatus: 500, providerId: 'wrapped', isRetryable: true });
    expect((error.cause as Error).message).toMatch(/wrapped returned 500: The server had an error/);
    // Two router attempts, two requests: the client's own maxRetries (2) would have made six.
    expect(upstream.requests).toHaveLength(2);
  });

  it('waits as long as a 429’s Retry-After asks before the router tries again', async () => {
    const upstream = faults.upstream('wrapped').script(fault.rateLimit(1));
    const router = routed(upstream, { retry: { retries: 1 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const scheduled = vi.spyOn(globalThis, 'setTimeout');

    const pending = router.chat.completions.create({ model: 'model-a', messages });
    for (let polls = 0; !scheduled.mock.calls.some(([, delay]) => delay === 1000); polls++) {
      if (polls === 200) throw new Error('the router scheduled no wait of 1000 ms');
      await new Promise((resolve) => realSetTimeout(resolve, 5));
    }
    await vi.advanceTimersByTimeAsync(999);
    await new Promise((resolve) => realSetTimeout(resolve, 30));
    expect(upstream.requests).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1);
    const response = await pending;
    expect(response.route.attempts.map((attempt) => attempt.code ?? attempt.outcome)).toEqual(['rate_limited', 'ok']);
    expect(response.route.attempts[0]!.status).toBe(429);
    expect(upstream.requests).toHaveLength(2);
  });

  it('raises a connection cut mid-stream as an upstream_error after the chunks before it', async () => {
    const upstream = faults.upstream('wrapped').script(fault.cut(3));
    const { chunks, error } = await drain(await routed(upstream).chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(chunks).toHaveLength(3);
    expect(error).toMatchObject({ code: 'upstream_error', providerId: 'wrapped' });
  });

  it('closes the upstream connection when the caller’s signal aborts mid-stream', async () => {
    const upstream = faults.upstream('wrapped').script(fault.hang(2));
    const controller = new AbortController();
    const stream = await routed(upstream).chat.completions.create({ model: 'model-a', messages, stream: true }, { signal: controller.signal });
    const { chunks, error } = await drain(stream, (count) => count === 2 && controller.abort());
    expect(chunks).toHaveLength(2);
    expect(error?.code).toBe('aborted');
    expect(await upstream.requests[0]!.closed).toBe('client');
  });

  it('closes the upstream connection when the caller stops reading', async () => {
    const upstream = faults.upstream('wrapped').script(fault.drip(5, 50));
    const stream = await routed(upstream).chat.completions.create({ model: 'model-a', messages, stream: true });
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break;
    expect(await upstream.requests[0]!.closed).toBe('client');
  });
});
