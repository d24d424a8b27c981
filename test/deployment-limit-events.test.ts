import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible } from '../src/index.js';
import { messages, quickRetry } from './helpers/fault-deployments.js';
import { euFacts } from './helpers/providers.js';
import { localUpstream, useLocalUpstreams } from './helpers/local-upstream.js';
import { rejection } from './helpers/rejection.js';

/*
 * A deployment's limit (a 413, a prompt too long for the context window) reported inside a
 * stream or a 200 body, not as the HTTP status: the router falls back as it does for the status.
 */

useLocalUpstreams();

const provider = (id: string, baseURL: string, price: number) =>
  openaiCompatible({ id, baseURL, apiKey: `sk-${id}`, jurisdiction: euFacts, models: [{ id: 'model-a', price: { input: price, output: price, currency: 'EUR' }, capabilities: ['chat'] }] });

/** An upstream that reports `error` inside the stream it opens with 200, or as a 200 JSON body. */
const reporting = (error: Record<string, unknown>) =>
  localUpstream((body, response: ServerResponse) => {
    if (body.stream === true) {
      response.writeHead(200, { 'content-type': 'text/event-stream' }).end(`data: ${JSON.stringify({ error })}\n\n`);
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
    }
  });

const answering = () =>
  localUpstream((body, response: ServerResponse) => {
    const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'model-a', choices: [{ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] };
    if (body.stream === true) {
      response.writeHead(200, { 'content-type': 'text/event-stream' }).end(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`);
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'model-a', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }),
      );
    }
  });

const limits = [
  ['a 413', { message: 'Request Entity Too Large', type: 'invalid_request_error', status: 413 }],
  ['a context-length 400', { message: "This model's maximum context length is 8192 tokens.", type: 'invalid_request_error', status: 400 }],
  ['a context-length error without a status', { message: 'prompt is too long: 9000 tokens > 8192 maximum', type: 'invalid_request_error', code: 'context_length_exceeded' }],
] as const;

describe('a deployment limit reported inside a 200 answer', () => {
  it.each(limits)('falls back on %s sent as a stream error event, not counting it against the deployment', async (_what, error) => {
    const [small, large] = await Promise.all([reporting(error), answering()]);
    const router = createRouter({ providers: [provider('small', small.baseURL, 0.1), provider('large', large.baseURL, 0.2)], strategy: 'cheapest', retry: quickRetry });
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    const text: string[] = [];
    for await (const chunk of stream) text.push(chunk.choices[0]?.delta.content ?? '');
    expect(text.join('')).toBe('hi');
    expect([small.hits, large.hits]).toEqual([1, 1]);
    expect(router.health().find((entry) => entry.provider === 'small')).toMatchObject({ failures: 0 });
  });

  it.each(limits)('falls back on %s sent as a 200 JSON error body', async (_what, error) => {
    const [small, large] = await Promise.all([reporting(error), answering()]);
    const router = createRouter({ providers: [provider('small', small.baseURL, 0.1), provider('large', large.baseURL, 0.2)], strategy: 'cheapest', retry: quickRetry });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('large');
    expect(response.route.attempts.map((attempt) => `${attempt.provider}:${attempt.code ?? attempt.outcome}`)).toEqual(['small:invalid_request', 'large:ok']);
  });

  it('returns the last 413, saying to send a smaller request, when every deployment reports one mid-stream', async () => {
    const [first, second] = await Promise.all([reporting(limits[0][1]), reporting(limits[0][1])]);
    const router = createRouter({ providers: [provider('first', first.baseURL, 0.1), provider('second', second.baseURL, 0.2)], strategy: 'cheapest', retry: quickRetry });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(error).toMatchObject({ status: 413, code: 'invalid_request', providerId: 'second' });
    expect(error.message).toMatch(/too large for this deployment: send a smaller request/);
  });
});
