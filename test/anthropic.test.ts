import { http, HttpResponse } from 'msw';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { anthropic, createRouter, defaultCatalog, memoryAudit, openaiCompatible, RouterError, type ChatCompletionChunk } from '../src/index.js';
import { mockServer, sseBody } from './helpers/msw.js';

/* An Anthropic-backed router, end to end: the caller speaks OpenAI, the upstream Messages API. */

const upstream = mockServer();
const messagesURL = 'https://api.anthropic.com/v1/messages';
const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }];
const tools = [
  {
    type: 'function' as const,
    function: { name: 'get_weather', description: 'Get weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  },
];

afterEach(() => {
  vi.useRealTimers();
});

const answer = {
  id: 'msg_01ABC',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-5',
  content: [{ type: 'text', text: 'Mild, 18 °C.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens: 15 },
};

/** The §5.3 vector's Anthropic stream, in Anthropic's framing (`event:` + `data:`). */
const vectorStream = [
  {
    type: 'message_start',
    message: {
      id: 'msg_01ABC',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens: 1 },
    },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_01X', name: 'get_weather', input: {} } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
  { type: 'content_block_stop', index: 1 },
  { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 15 } },
  { type: 'message_stop' },
];

const framed = (events: { type: string }[]) => events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
const stream = (events: { type: string }[]) => new HttpResponse(sseBody([framed(events)]), { headers: { 'content-type': 'text/event-stream' } });
const overloaded = () => HttpResponse.json({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, { status: 529 });

function router(options: { retries?: number } = {}) {
  return createRouter({
    providers: [anthropic({ apiKey: 'sk-ant-test' })],
    currency: 'USD',
    retry: { retries: options.retries ?? 0, minTimeoutMs: 0, maxTimeoutMs: 0 },
  });
}

describe('chat.completions.create through anthropic()', () => {
  it('answers a JSON request as an OpenAI chat.completion with usage and cost', async () => {
    upstream.use(http.post(messagesURL, () => HttpResponse.json(answer)));
    const response = await router().chat.completions.create({ model: 'anthropic/claude-sonnet-5', messages, max_tokens: 300 });
    expect(response.object).toBe('chat.completion');
    expect(response.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'Mild, 18 °C.', refusal: null } });
    expect(response.provider).toBe('anthropic');
    // 25 prompt tokens (20 at 3 USD/1M + 5 cache reads at 0.30) and 15 completion tokens at 15 USD/1M.
    expect(response.usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, currency: 'USD' });
    expect(response.usage.cost).toBeCloseTo(0.0002865, 10);
    expect(((await upstream.requests[0]!.json()) as { max_tokens: number; model: string })).toMatchObject({ model: 'claude-sonnet-5', max_tokens: 300 });
  });

  it('streams the §5.3 vector as OpenAI chunks with include_usage: usage null on each, one finish_reason, then usage with cost', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    upstream.use(http.post(messagesURL, () => stream(vectorStream)));
    const chunks: ChatCompletionChunk[] = [];
    const response = await router().chat.completions.create({
      model: 'claude-sonnet-5',
      messages,
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of response) chunks.push(chunk);

    const base = { id: 'chatcmpl-msg_01ABC', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'claude-sonnet-4-5' };
    const chunk = (delta: object, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null });
    expect(chunks.slice(0, -1)).toEqual([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Checking.' }),
      chunk({ tool_calls: [{ index: 0, id: 'toolu_01X', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const last = chunks.at(-1)!;
    expect(last).toMatchObject({ ...base, choices: [], provider: 'anthropic' });
    expect(last.usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 5 }, currency: 'USD' });
    expect((last.usage as { cost: number }).cost).toBeCloseTo(0.0002865, 10);
    expect(last.route?.attempts).toMatchObject([{ provider: 'anthropic', model: 'claude-sonnet-5', outcome: 'ok' }]);
  });

  it('records a loop that stops at the finish reason as a success with Anthropic\'s usage, as for an OpenAI-compatible upstream (docs/audit.md)', async () => {
    upstream.use(http.post(messagesURL, () => stream(vectorStream)));
    const audit = memoryAudit();
    const routed = createRouter({ providers: [anthropic({ apiKey: 'sk-ant-test' })], currency: 'USD', retry: { retries: 0 }, audit: { sinks: [audit] } });
    const response = await routed.chat.completions.create({ model: 'claude-sonnet-5', messages, tools, stream: true });
    for await (const chunk of response) if (chunk.choices[0]?.finish_reason) break;
    await routed.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'success', usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 } });
    expect(audit.records[0]!.usage).not.toHaveProperty('estimated');
    expect(audit.records[0]!.cost).toBeCloseTo(0.0002865, 10);
  });

  it('records a stream cut part-way with the prompt tokens message_start reported (cache reads priced as such), the answer estimated', async () => {
    // A long cached prompt: 100,000 tokens read from the cache, 20 not; the request's own text is short.
    const start = { ...vectorStream[0]!, message: { ...(vectorStream[0] as { message: object }).message, usage: { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 100_000, output_tokens: 1 } } };
    const overloaded = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } as { type: string };
    upstream.use(http.post(messagesURL, () => stream([start, vectorStream[1]!, vectorStream[3]!, overloaded])));
    const audit = memoryAudit();
    const router = createRouter({ providers: [anthropic({ apiKey: 'sk-ant-test' })], currency: 'USD', retry: { retries: 0 }, audit: [audit] });
    const response = await router.chat.completions.create({ model: 'claude-sonnet-5', messages, stream: true });
    const error = await (async () => {
      for await (const _chunk of response);
    })().catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error)).toBe(true);
    await router.flush();
    expect(audit.records).toHaveLength(1);
    // 'Checking.' is about 3 tokens: the answer is estimated, the prompt is what Anthropic counted.
    expect(audit.records[0]).toMatchObject({ outcome: 'error', usage: { prompt_tokens: 100_020, completion_tokens: 3, total_tokens: 100_023, estimated: true } });
    expect(audit.records[0]!.cost).toBeCloseTo((20 * 3 + 100_000 * 0.3 + 3 * 15) / 1e6, 12);
  });

  it('retries a 529 overloaded answer on Anthropic, then answers', async () => {
    let calls = 0;
    upstream.use(http.post(messagesURL, () => (++calls === 1 ? overloaded() : HttpResponse.json(answer))));
    const response = await router({ retries: 1 }).chat.completions.create({ model: 'claude-sonnet-5', messages });
    expect(response.choices[0]!.message.content).toBe('Mild, 18 °C.');
    expect(response.route.attempts.map((attempt) => [attempt.provider, attempt.outcome, attempt.status ?? null])).toEqual([
      ['anthropic', 'error', 529],
      ['anthropic', 'ok', null],
    ]);
  });

  it('retries a stream that fails with overloaded_error after message_start but before any output', async () => {
    let calls = 0;
    const overloadedStream = [vectorStream[0]!, { type: 'ping' }, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }];
    upstream.use(http.post(messagesURL, () => stream(++calls === 1 ? overloadedStream : vectorStream)));
    const response = await router({ retries: 1 }).chat.completions.create({ model: 'claude-sonnet-5', messages, tools, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of response) chunks.push(chunk);
    expect(calls).toBe(2);
    // One role chunk: nothing from the failed attempt reached the caller.
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant')).toHaveLength(1);
    expect(chunks.at(-1)!.route!.attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'ok']);
  });

  /** Another deployment of claude-sonnet-5 (an OpenAI-compatible proxy) to fall back to, and its answer. */
  const claudeProxyAnswers = http.post('https://claude-proxy.example/v1/chat/completions', () =>
    HttpResponse.json({
      id: 'chatcmpl-proxy',
      object: 'chat.completion',
      created: 1,
      model: 'claude-sonnet-5',
      choices: [{ index: 0, message: { role: 'assistant', content: 'From the proxy.', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
    }),
  );
  const claudeProxy = () =>
    openaiCompatible({
      id: 'claude-proxy',
      baseURL: 'https://claude-proxy.example/v1',
      jurisdiction: { operator: { name: 'Proxy Inc.', country: 'US', parents: [] }, hosting: ['US'] },
      models: [{ id: 'claude-sonnet-5', price: { input: 4, output: 20, currency: 'USD' } }],
    });

  it('falls back to another deployment of the model when Anthropic stays overloaded', async () => {
    upstream.use(
      http.post(messagesURL, overloaded),
      claudeProxyAnswers,
    );
    const proxy = claudeProxy();
    const routed = createRouter({ providers: [anthropic({ apiKey: 'k' }), proxy], strategy: 'cheapest', retry: { retries: 1, minTimeoutMs: 0, maxTimeoutMs: 0 } });
    const response = await routed.chat.completions.create({ model: 'claude-sonnet-5', messages });
    expect(response.provider).toBe('claude-proxy');
    expect(response.route.fallback_used).toBe(true);
    expect(response.route.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}:${attempt.status ?? ''}`)).toEqual([
      'anthropic:error:529',
      'anthropic:error:529',
      'claude-proxy:ok:',
    ]);
  });

  it('falls back when Anthropic says the prompt and max_tokens exceed the context window, as for a prompt too long', async () => {
    upstream.use(
      http.post(messagesURL, () =>
        HttpResponse.json(
          {
            type: 'error',
            error: { type: 'invalid_request_error', message: 'input length and `max_tokens` exceed context limit: 198512 + 4096 > 200000, decrease input length or `max_tokens` and try again' },
          },
          { status: 400 },
        ),
      ),
      claudeProxyAnswers,
    );
    const proxy = claudeProxy();
    const routed = createRouter({ providers: [anthropic({ apiKey: 'k' }), proxy], strategy: 'cheapest', retry: { retries: 0 } });
    const response = await routed.chat.completions.create({ model: 'claude-sonnet-5', messages });
    expect(response.provider).toBe('claude-proxy');
    expect(response.route.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}:${attempt.status ?? ''}`)).toEqual(['anthropic:error:400', 'claude-proxy:ok:']);
  });

  it('refuses n > 1 with invalid_request naming n, without calling Anthropic or falling back', async () => {
    const error = await router().chat.completions.create({ model: 'claude-sonnet-5', messages, n: 2 }).catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, param: 'n' });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('the official openai SDK through router.fetch, Anthropic behind it', () => {
  function client() {
    // Constructed after msw listens, with the router's fetch; the key is the app's, not a test- key.
    return new OpenAI({ apiKey: 'sk-app', baseURL: 'http://sovroute.local/v1', fetch: router().fetch, maxRetries: 0 });
  }

  it('gets a chat.completion with usage and cost', async () => {
    upstream.use(http.post(messagesURL, () => HttpResponse.json(answer)));
    const completion = await client().chat.completions.create({ model: 'anthropic/claude-sonnet-5', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toBe('Mild, 18 °C.');
    const usage = completion.usage as unknown as { total_tokens: number; cost: number; currency: string };
    expect(usage.total_tokens).toBe(40);
    expect(usage.cost).toBeCloseTo(0.0002865, 10);
    expect(usage.currency).toBe('USD');
    expect((completion as unknown as { provider: string }).provider).toBe('anthropic');
    expect(upstream.requests[0]!.headers.get('x-api-key')).toBe('sk-ant-test');
  });

  it('assembles the streamed §5.3 vector with the SDK stream helper: text, one tool call, tool_calls, usage', async () => {
    upstream.use(http.post(messagesURL, () => stream(vectorStream)));
    const final = await client()
      .chat.completions.stream({ model: 'claude-sonnet-5', messages, tools, stream_options: { include_usage: true } })
      .finalChatCompletion();
    const choice = final.choices[0]!;
    expect(choice.message.content).toBe('Checking.');
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.tool_calls).toHaveLength(1);
    expect(choice.message.tool_calls![0]).toMatchObject({ id: 'toolu_01X', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    expect(final.usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 });
  });

  it('raises a mid-stream overloaded_error as the SDK APIError after the text before it (§5.4)', async () => {
    upstream.use(
      http.post(messagesURL, () => stream([...vectorStream.slice(0, 2), vectorStream[3]!, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } as { type: string }])),
    );
    const response = await client().chat.completions.create({ model: 'claude-sonnet-5', messages, stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of response) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((caught: unknown) => caught);
    expect(text).toBe('Checking.');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('Overloaded');
  });

  it('raises the SDK BadRequestError naming the parameter Anthropic cannot honour', async () => {
    const error = await client().chat.completions.create({ model: 'claude-sonnet-5', messages, logprobs: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('logprobs');
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('anthropic under a jurisdiction policy', () => {
  const reasons = ['operator Anthropic PBC is US-controlled', 'inference hosting countries are unknown; policy eu-sovereign allows EEA'];

  it('is excluded under eu-sovereign with the reasons, in explain() of the default catalogue', () => {
    const decision = createRouter({ providers: defaultCatalog(), policy: 'eu-sovereign' }).explain({ model: 'claude-sonnet-5', messages });
    expect(decision.candidates.find((candidate) => candidate.provider === 'anthropic')).toMatchObject({ eligible: false, reasons: expect.arrayContaining(reasons) });
    expect(decision.chosen).toBeNull();
  });

  it('fails a policy that allows US hosting only: by default Anthropic may serve a request anywhere', () => {
    const usOnly = createRouter({ providers: [anthropic({ apiKey: 'k' })], policy: { name: 'us-only', hosting: ['US'] } });
    expect(usOnly.explain({ model: 'claude-sonnet-5', messages }).candidates[0]).toMatchObject({
      eligible: false,
      reasons: ['inference hosting countries are unknown; policy us-only allows US'],
    });
  });

  it('is never called under eu-sovereign: anthropic/… fails with policy_violation and the reasons', async () => {
    const routed = createRouter({ providers: [anthropic({ apiKey: 'k' })], policy: 'eu-sovereign' });
    const error = await routed.chat.completions.create({ model: 'anthropic/claude-sonnet-5', messages }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'policy_violation', status: 403 });
    for (const reason of reasons) expect((error as RouterError).message).toContain(reason);
    expect(upstream.requests).toHaveLength(0);
  });
});
