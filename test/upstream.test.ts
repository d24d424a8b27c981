import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible, RouterError, type ChatCompletionChunk } from '../src/index.js';
import { mockServer, sseBody, sseEvents } from './helpers/msw.js';

const upstream = mockServer();
const url = 'https://api.priced.test/v1/chat/completions';

function pricedRouter() {
  const provider = openaiCompatible({
    id: 'priced',
    baseURL: 'https://api.priced.test/v1',
    apiKey: 'sk-upstream',
    jurisdiction: { operator: { name: 'Priced SAS', country: 'FR', parents: [] }, hosting: ['FR'] },
    models: [{ id: 'model-a', native: 'vendor/model-a', price: { input: 2.0, output: 6.0, currency: 'EUR' } }],
  });
  // No retries: these tests look at one attempt's outcome.
  return createRouter({ providers: [provider], policy: 'eu-sovereign', retry: { retries: 0 } });
}

/** A call and a stream to priced/model-a both report `completionTokens`, estimated (the upstream sent no usage). */
async function expectEstimatedBothWays(completionTokens: number): Promise<void> {
  const router = pricedRouter();
  const answered = await router.chat.completions.create({ model: 'priced/model-a', messages });
  let last: ChatCompletionChunk | undefined;
  for await (const received of await router.chat.completions.create({ model: 'priced/model-a', messages, stream: true })) last = received;
  expect(answered.usage).toMatchObject({ completion_tokens: completionTokens, estimated: true });
  expect(last!.usage).toMatchObject({ completion_tokens: completionTokens, estimated: true });
}

const completion = (usage?: object) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'vendor/model-a',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour.', refusal: null }, finish_reason: 'stop', logprobs: null }],
  ...(usage ? { usage } : {}),
});

const chunk = (delta: object, finish: string | null = null) => ({
  id: 'chatcmpl-2',
  object: 'chat.completion.chunk',
  created: 1700000000,
  model: 'vendor/model-a',
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
});

const messages = [{ role: 'user' as const, content: 'Say hello in French.' }];

describe('routing to an openaiCompatible upstream', () => {
  it('costs 1,000 prompt + 500 completion tokens at 2.00/6.00 EUR per 1M as 0.005 EUR', async () => {
    upstream.use(http.post(url, () => HttpResponse.json(completion({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }))));
    const response = await pricedRouter().chat.completions.create({ model: 'priced/model-a', messages });
    expect(response.usage).toEqual({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, cost: 0.005, currency: 'EUR' });
    expect(response.choices[0]!.message.content).toBe('Bonjour.');
    expect(response.provider).toBe('priced');
    // The upstream got its own model id and our key, and none of our extensions.
    const sent = (await upstream.requests[0]!.json()) as Record<string, unknown>;
    expect(sent.model).toBe('vendor/model-a');
    expect(upstream.requests[0]!.headers.get('authorization')).toBe('Bearer sk-upstream');
  });

  it('marks the cost of an unpriced deployment as unknown, never a silent zero, and audits it as null', async () => {
    upstream.use(http.post('https://api.unpriced.test/v1/chat/completions', () => HttpResponse.json(completion({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }))));
    const audit = memoryAudit();
    const router = createRouter({
      providers: [openaiCompatible({ id: 'unpriced', baseURL: 'https://api.unpriced.test/v1', models: [{ id: 'model-b' }] })],
      audit: [audit],
    });
    const response = await router.chat.completions.create({ model: 'model-b', messages });
    expect(response.usage).toMatchObject({ cost: 0, price_unknown: true });
    await router.flush();
    expect(audit.records[0]!.cost).toBeNull();
  });

  it('estimates usage, marked as such, when the upstream reports none', async () => {
    upstream.use(http.post(url, () => HttpResponse.json(completion())));
    const response = await pricedRouter().chat.completions.create({ model: 'model-a', messages });
    expect(response.usage.estimated).toBe(true);
    expect(response.usage.prompt_tokens).toBeGreaterThan(0);
    expect(response.usage.completion_tokens).toBe(2); // "Bonjour." is 8 characters
    expect(response.usage.cost).toBeGreaterThan(0);
  });

  it('completes partial usage from what the upstream did report, marked estimated, never NaN', async () => {
    upstream.use(http.post(url, () => HttpResponse.json(completion({ prompt_tokens: 1000, total_tokens: 1500 } as never))));
    const response = await pricedRouter().chat.completions.create({ model: 'model-a', messages });
    expect(response.usage).toEqual({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, cost: 0.005, currency: 'EUR', estimated: true });

    upstream.use(http.post(url, () => HttpResponse.json(completion({ completion_tokens: 500 } as never))));
    const estimated = await pricedRouter().chat.completions.create({ model: 'model-a', messages });
    expect(estimated.usage).toMatchObject({ completion_tokens: 500, estimated: true });
    expect(estimated.usage.prompt_tokens).toBeGreaterThan(0);
    expect(Number.isFinite(estimated.usage.cost)).toBe(true);
  });

  it('adds the total an upstream left out of otherwise complete usage, on the answer and in the audit record', async () => {
    upstream.use(http.post(url, () => HttpResponse.json(completion({ prompt_tokens: 1000, completion_tokens: 500 }))));
    const audit = memoryAudit();
    const provider = openaiCompatible({
      id: 'priced',
      baseURL: 'https://api.priced.test/v1',
      models: [{ id: 'model-a', native: 'vendor/model-a', price: { input: 2.0, output: 6.0, currency: 'EUR' } }],
    });
    const router = createRouter({ providers: [provider], audit: [audit] });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    // The counts are the upstream's own: nothing is estimated.
    expect(response.usage).toEqual({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, cost: 0.005, currency: 'EUR' });
    await router.flush();
    expect(audit.records[0]!.usage).toEqual({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 });
  });

  it('passes SSE chunks through as they come and ends with usage and cost', async () => {
    upstream.use(
      http.post(url, async ({ request }) => {
        const body = (await request.json()) as { stream_options?: { include_usage?: boolean } };
        expect(body.stream_options?.include_usage).toBe(true); // always asked of the upstream
        return new HttpResponse(
          sseBody([
            sseEvents(chunk({ role: 'assistant', content: '' }), chunk({ content: 'Bon' }), chunk({ content: 'jour.' }), chunk({}, 'stop')),
            sseEvents({ ...chunk({}), choices: [], usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 } }, '[DONE]'),
          ]),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      }),
    );
    const stream = await pricedRouter().chat.completions.create({ model: 'priced/model-a', messages, stream: true, stream_options: { include_usage: true } });
    const chunks: ChatCompletionChunk[] = [];
    for await (const received of stream) chunks.push(received);
    expect(chunks.map((received) => received.choices[0]?.delta.content ?? '').join('')).toBe('Bonjour.');
    expect(chunks.filter((received) => received.choices[0]?.finish_reason === 'stop')).toHaveLength(1);
    // With include_usage the content chunks carry usage: null, as OpenAI sends them.
    expect(chunks.slice(0, -1).every((received) => received.usage === null)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, cost: 0.005, currency: 'EUR' });
    expect(last.provider).toBe('priced');
  });

  it('drops the usage: null that an upstream sends on content chunks when the caller did not ask for usage', async () => {
    upstream.use(
      http.post(url, () =>
        new HttpResponse(
          sseBody([
            sseEvents(...[chunk({ role: 'assistant', content: '' }), chunk({ content: 'Salut.' }), chunk({}, 'stop')].map((each) => ({ ...each, usage: null }))),
            sseEvents({ ...chunk({}), choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } }, '[DONE]'),
          ]),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
      ),
    );
    const chunks: ChatCompletionChunk[] = [];
    for await (const received of await pricedRouter().chat.completions.create({ model: 'priced/model-a', messages, stream: true })) chunks.push(received);
    expect(chunks).toHaveLength(4);
    expect(chunks.slice(0, -1).every((received) => !('usage' in received))).toBe(true);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 });
  });

  it('estimates a stream’s usage when the upstream sends none', async () => {
    upstream.use(
      http.post(url, () =>
        new HttpResponse(sseBody([sseEvents(chunk({ role: 'assistant', content: 'Bonjour.' }), chunk({}, 'stop'), '[DONE]')]), {
          headers: { 'content-type': 'text/event-stream' },
        }),
      ),
    );
    const stream = await pricedRouter().chat.completions.create({ model: 'priced/model-a', messages, stream: true });
    let last: ChatCompletionChunk | undefined;
    for await (const received of stream) last = received;
    expect(last!.usage).toMatchObject({ completion_tokens: 2, estimated: true, currency: 'EUR' });
  });

  // DeepSeek, vLLM and others stream the model's reasoning as `reasoning_content` (or `reasoning`):
  // tokens generated and paid for, which reach the caller like the answer.
  it.each(['reasoning_content', 'reasoning'])('counts %s in the estimate when the upstream reports no usage, streamed or not', async (field) => {
    const thought = 'Let me think about how to greet someone in French. '.repeat(40); // 2,040 characters
    upstream.use(
      http.post(url, async ({ request }) => {
        const body = (await request.json()) as { stream?: boolean };
        if (!body.stream) {
          const answer = completion();
          answer.choices[0]!.message = { ...answer.choices[0]!.message, [field]: thought } as typeof answer.choices[0]['message'];
          return HttpResponse.json(answer);
        }
        return new HttpResponse(
          sseBody([sseEvents(chunk({ role: 'assistant', [field]: thought.slice(0, 1000) }), chunk({ [field]: thought.slice(1000) }), chunk({ content: 'Bonjour.' }), chunk({}, 'stop'), '[DONE]')]),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      }),
    );
    // (2,040 + 8) / 4
    await expectEstimatedBothWays(512);
  });

  // Mistral's Magistral sends its content as a list of parts (thinking, then text): both were
  // generated and are billed, as a string answer is.
  it('counts an answer given as content parts (thinking and text) in the estimate when the upstream reports no usage, streamed or not', async () => {
    const thought = 'Let me think about how to greet someone in French. '.repeat(40); // 2,040 characters
    const thinking = (text: string) => ({ type: 'thinking', thinking: [{ type: 'text', text }] });
    upstream.use(
      http.post(url, async ({ request }) => {
        const body = (await request.json()) as { stream?: boolean };
        if (!body.stream) {
          const answer = completion();
          answer.choices[0]!.message = { ...answer.choices[0]!.message, content: [thinking(thought), { type: 'text', text: 'Bonjour.' }] } as never;
          return HttpResponse.json(answer);
        }
        return new HttpResponse(
          sseBody([
            sseEvents(
              chunk({ role: 'assistant', content: [thinking(thought.slice(0, 1000))] }),
              chunk({ content: [thinking(thought.slice(1000))] }),
              chunk({ content: [{ type: 'text', text: 'Bonjour.' }] }),
              chunk({}, 'stop'),
              '[DONE]',
            ),
          ]),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      }),
    );
    // (2,040 + 8) / 4
    await expectEstimatedBothWays(512);
  });

  it('estimates a tool call’s completion tokens alike, streamed or not, when the upstream reports no usage', async () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'lookup_processing_agreement', arguments: '{"id":7}' } };
    upstream.use(
      http.post(url, async ({ request }) => {
        const body = (await request.json()) as { stream?: boolean };
        if (body.stream !== true) {
          const answer = completion();
          answer.choices[0]!.message = { role: 'assistant', content: null, tool_calls: [call] } as never;
          answer.choices[0]!.finish_reason = 'tool_calls';
          return HttpResponse.json(answer);
        }
        return new HttpResponse(
          sseBody([
            sseEvents(
              chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, ...call, function: { name: call.function.name, arguments: '' } }] }),
              chunk({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }),
              chunk({}, 'tool_calls'),
              '[DONE]',
            ),
          ]),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      }),
    );
    const whole = await pricedRouter().chat.completions.create({ model: 'priced/model-a', messages });
    let last: ChatCompletionChunk | undefined;
    for await (const received of await pricedRouter().chat.completions.create({ model: 'priced/model-a', messages, stream: true })) last = received;
    // The name is part of what the model wrote: (27 + 8 characters) / 4, rounded up.
    expect(whole.usage).toMatchObject({ completion_tokens: 9, estimated: true });
    expect(last!.usage).toMatchObject({ completion_tokens: whole.usage.completion_tokens, cost: whole.usage.cost, estimated: true });
  });

  it('keeps the usage of a no-choices chunk that comes before the first content chunk', async () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
    upstream.use(
      http.post(url, () =>
        new HttpResponse(sseBody([sseEvents({ ...chunk({}), choices: [], usage }, chunk({ role: 'assistant', content: 'Bonjour.' }), chunk({}, 'stop'), '[DONE]')]), {
          headers: { 'content-type': 'text/event-stream' },
        }),
      ),
    );
    const stream = await pricedRouter().chat.completions.create({ model: 'priced/model-a', messages, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const received of stream) chunks.push(received);
    expect(chunks.map((received) => received.choices[0]?.delta.content ?? '')).toEqual(['Bonjour.', '', '']);
    expect(chunks.at(-1)!.usage).toEqual({ ...usage, cost: 0.005, currency: 'EUR' });
  });

  it('turns an upstream 500 into a RouterError with status and code', async () => {
    upstream.use(http.post(url, () => HttpResponse.json({ error: { message: 'boom', type: 'server_error' } }, { status: 500 })));
    const error = await pricedRouter()
      .chat.completions.create({ model: 'priced/model-a', messages })
      .catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'all_providers_failed', status: 502 });
    const attempts = (error as RouterError).route!.attempts;
    // The attempt keeps the upstream's own 500; the error the caller gets is the router's 502.
    expect(attempts).toEqual([expect.objectContaining({ provider: 'priced', outcome: 'error', code: 'upstream_error', status: 500 })]);
    expect(attempts[0]!.message).toMatch(/500/);
  });

  it('raises a mid-stream error event to the caller after the chunks before it', async () => {
    upstream.use(
      http.post(url, () =>
        new HttpResponse(
          sseBody([sseEvents(chunk({ role: 'assistant', content: '' }), chunk({ content: 'Bon' }), { error: { message: 'Overloaded', type: 'overloaded_error' } })]),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
      ),
    );
    const stream = await pricedRouter().chat.completions.create({ model: 'priced/model-a', messages, stream: true });
    const received: string[] = [];
    const error = await (async () => {
      for await (const item of stream) received.push(item.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    expect(received).toEqual(['', 'Bon']);
    expect(RouterError.isInstance(error)).toBe(true);
    expect((error as RouterError).message).toMatch(/Overloaded/);
    expect((error as RouterError).providerId).toBe('priced');
    // An overloaded upstream: a retryable upstream_error, which the caller gets as a 502.
    expect(error).toMatchObject({ code: 'upstream_error', status: 502, isRetryable: true });
    expect((error as RouterError).route!.attempts.at(-1)).toMatchObject({ outcome: 'error', code: 'upstream_error', message: expect.stringMatching(/after 2 chunk/) });
  });

  it('returns an upstream 400 at once, as the caller’s error, without fallback', async () => {
    upstream.use(
      http.post(url, () => HttpResponse.json({ error: { message: 'bad tool schema', type: 'invalid_request_error', param: 'tools' } }, { status: 400 })),
    );
    const error = await createRouter({
      providers: [
        openaiCompatible({ id: 'priced', baseURL: 'https://api.priced.test/v1', models: [{ id: 'model-a' }] }),
        openaiCompatible({ id: 'other', baseURL: 'https://api.other.test/v1', models: [{ id: 'model-a' }] }),
      ],
      strategy: 'quality',
    })
      .chat.completions.create({ model: 'model-a', messages })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', param: 'tools' });
    expect(upstream.requests).toHaveLength(1);
  });

  it('falls back at once from a 429 for an exhausted quota, which retrying does not lift', async () => {
    upstream.use(
      http.post(url, () =>
        HttpResponse.json(
          { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota', param: null } },
          { status: 429 },
        ),
      ),
      http.post('https://api.other.test/v1/chat/completions', () => HttpResponse.json(completion())),
    );
    const response = await createRouter({
      providers: [
        openaiCompatible({ id: 'priced', baseURL: 'https://api.priced.test/v1', models: [{ id: 'model-a', quality: 0.9 }] }),
        openaiCompatible({ id: 'other', baseURL: 'https://api.other.test/v1', models: [{ id: 'model-a', quality: 0.1 }] }),
      ],
      strategy: 'quality',
      retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 },
    }).chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('other');
    expect(upstream.requests.map((request) => new URL(request.url).host)).toEqual(['api.priced.test', 'api.other.test']);
    expect(response.route.attempts[0]).toMatchObject({ provider: 'priced', code: 'rate_limited', message: expect.stringMatching(/exceeded your current quota/) });
  });
});
