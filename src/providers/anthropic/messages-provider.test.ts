import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockServer, sseBody } from '../../../test/helpers/msw.js';
import { anthropic } from '../../catalog/presets/anthropic.js';
import { RouterError } from '../../errors.js';
import type { ChatRequest } from '../../wire/chat-request.js';
import type { UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import { rejection } from '../../../test/helpers/rejection.js';

/* The anthropic() adapter over HTTP: headers, endpoint, errors before and during a stream. */

const mock = mockServer();
const messagesURL = 'https://api.anthropic.com/v1/messages';
const request: ChatRequest = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Weather in Paris?' }] };

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

/** Anthropic's SSE framing: `event: <type>` then `data: <json>`. */
const events = (...values: { type: string; [field: string]: unknown }[]) => values.map((value) => `event: ${value.type}\ndata: ${JSON.stringify(value)}\n\n`).join('');
const sse = (text: string, headers: Record<string, string> = {}) =>
  new HttpResponse(sseBody([text]), { headers: { 'content-type': 'text/event-stream', ...headers } });

const messageStart = {
  type: 'message_start',
  message: { id: 'msg_01ABC', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage: { input_tokens: 20, output_tokens: 1 } },
};
const checking = [
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } },
];

async function collect(chunks: AsyncIterable<UpstreamChatCompletionChunk>): Promise<{ chunks: UpstreamChatCompletionChunk[]; error: unknown }> {
  const seen: UpstreamChatCompletionChunk[] = [];
  try {
    for await (const chunk of chunks) seen.push(chunk);
  } catch (error) {
    return { chunks: seen, error };
  }
  return { chunks: seen, error: undefined };
}

describe('anthropic() over HTTP', () => {
  it('posts to /v1/messages with x-api-key and anthropic-version, and answers the §5.2 vector as a chat.completion', async () => {
    mock.use(
      http.post(messagesURL, () =>
        HttpResponse.json(
          {
            id: 'msg_01ABC',
            type: 'message',
            role: 'assistant',
            model: 'claude-sonnet-4-5-20250929',
            content: [
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_01X', name: 'get_weather', input: { city: 'Paris' } },
            ],
            stop_reason: 'tool_use',
            stop_sequence: null,
            usage: { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens: 15 },
          },
          { headers: { 'request-id': 'req_011A' } },
        ),
      ),
    );
    const result = await anthropic({ apiKey: 'sk-ant-test' }).doChat(request, {});
    expect(result.requestId).toBe('req_011A');
    expect(result.completion.choices[0]).toEqual({
      index: 0,
      logprobs: null,
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: 'Checking.',
        refusal: null,
        tool_calls: [{ id: 'toolu_01X', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
    });
    expect(result.completion.usage).toEqual({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 5 } });

    const sent = mock.requests[0]!;
    expect(sent.headers.get('x-api-key')).toBe('sk-ant-test');
    expect(sent.headers.get('anthropic-version')).toBe('2023-06-01');
    expect(sent.headers.get('content-type')).toBe('application/json');
    expect(sent.headers.get('authorization')).toBeNull();
    expect(await sent.json()).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }] });
  });

  it('reads ANTHROPIC_API_KEY at call time; without it fails naming the variable and sends nothing', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    const provider = anthropic();
    const error = await rejection(provider.doChat(request, {}));
    expect(error.message).toBe('anthropic: no API key; pass apiKey to anthropic() or set ANTHROPIC_API_KEY');
    expect(mock.requests).toHaveLength(0);

    mock.use(http.post(messagesURL, () => HttpResponse.json({ id: 'm', type: 'message', content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn' })));
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-ant-env');
    await provider.doChat(request, {});
    expect(mock.requests[0]!.headers.get('x-api-key')).toBe('sk-ant-env');
  });

  it('takes another baseURL (with or without /v1), extra headers, id and defaultMaxTokens', async () => {
    mock.use(http.post('https://gateway.example/anthropic/v1/messages', () => HttpResponse.json({ id: 'm', type: 'message', content: [], stop_reason: 'end_turn' })));
    for (const baseURL of ['https://gateway.example/anthropic', 'https://gateway.example/anthropic/v1/']) {
      const provider = anthropic({ apiKey: 'k', baseURL, id: 'claude-gateway', headers: { 'Anthropic-Beta': 'feature-x' }, defaultMaxTokens: 1000 });
      expect(provider.id).toBe('claude-gateway');
      await provider.doChat(request, { headers: { 'X-Trace': 't1' } });
    }
    expect(mock.requests).toHaveLength(2);
    for (const sent of mock.requests) {
      expect(sent.headers.get('anthropic-beta')).toBe('feature-x');
      expect(sent.headers.get('x-trace')).toBe('t1');
      expect(((await sent.json()) as { max_tokens: number }).max_tokens).toBe(1000);
    }
    expect(() => anthropic({ baseURL: 'api.anthropic.com' })).toThrow(/^anthropic: baseURL must be a URL/);
  });

  it('carries dated Claude prices and Anthropic facts, both overridable like every preset', () => {
    const preset = anthropic();
    expect(preset.jurisdiction).toMatchObject({ operator: { name: 'Anthropic PBC', country: 'US', parents: [] }, hosting: [], verifiedAt: '2026-11-22' });
    expect(preset.models.find((offer) => offer.id === 'claude-haiku-4-5')).toMatchObject({
      price: { input: 1, output: 5, currency: 'USD' },
      priceAsOf: '2026-08-21',
      context: 200_000,
      capabilities: ['chat', 'tools', 'json', 'vision'],
    });
    const negotiated = anthropic({
      prices: { 'claude-haiku-4-5': { input: 0.8, output: 4, currency: 'USD', asOf: '2026-12-01' } },
      models: [{ id: 'claude-custom', price: { input: 1, output: 1, currency: 'USD' } }],
      jurisdiction: { zeroRetention: true },
    });
    expect(negotiated.models.find((offer) => offer.id === 'claude-haiku-4-5')).toMatchObject({ price: { input: 0.8, output: 4 }, priceAsOf: '2026-12-01' });
    expect(negotiated.models.map((offer) => offer.id)).toContain('claude-custom');
    expect(negotiated.jurisdiction).toMatchObject({ zeroRetention: true, hosting: [] });
  });

  it('asks again within the context window a request without max_tokens when the default does not fit, as OpenAI answers it; a caller\'s own max_tokens is kept', async () => {
    const tooMuch = (maxTokens: number) =>
      HttpResponse.json(
        {
          type: 'error',
          error: { type: 'invalid_request_error', message: `input length and \`max_tokens\` exceed context limit: 198512 + ${maxTokens} > 200000, decrease input length or \`max_tokens\` and try again` },
        },
        { status: 400 },
      );
    const answer = { id: 'msg_1', type: 'message', model: 'claude-haiku-4-5', content: [{ type: 'text', text: 'Done.' }], stop_reason: 'end_turn', usage: { input_tokens: 198512, output_tokens: 2 } };
    mock.use(
      http.post(messagesURL, async ({ request: sent }) => {
        const body = (await sent.json()) as { max_tokens: number; stream?: boolean };
        if (body.max_tokens > 200000 - 198512) return tooMuch(body.max_tokens);
        return body.stream === true
          ? sse(events(messageStart, ...checking, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }, { type: 'message_stop' }))
          : HttpResponse.json(answer);
      }),
    );
    const provider = anthropic({ apiKey: 'k' });
    const result = await provider.doChat(request, {});
    expect(result.completion.choices[0]!.message.content).toBe('Done.');
    const streamed = await collect((await provider.doChatStream(request, {})).chunks);
    expect(streamed.error).toBeUndefined();
    expect(streamed.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Checking.');
    const sizes = await Promise.all(mock.requests.map(async (sent) => ((await sent.json()) as { max_tokens: number }).max_tokens));
    expect(sizes).toEqual([4096, 1488, 4096, 1488]);

    // A max_tokens the caller chose is theirs to lower: the 400 is returned as it is.
    mock.requests.length = 0;
    const error = await rejection(provider.doChat({ ...request, max_tokens: 2000 }, {}));
    expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(error.message).toContain('exceed context limit');
    expect(mock.requests).toHaveLength(1);
  });

  it('refuses a request it cannot honour before sending anything', async () => {
    const error = await rejection(anthropic({ apiKey: 'k' }).doChat({ ...request, n: 3 }, {}));
    expect(error).toMatchObject({ code: 'invalid_request', param: 'n', status: 400 });
    expect(mock.requests).toHaveLength(0);
  });

  it('streams Anthropic events as OpenAI chunks and asks with stream: true', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    mock.use(
      http.post(messagesURL, () =>
        sse(
          events(messageStart, ...checking, { type: 'content_block_stop', index: 0 }, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }, {
            type: 'message_stop',
          }),
          { 'request-id': 'req_s' },
        ),
      ),
    );
    const result = await anthropic({ apiKey: 'k' }).doChatStream(request, {});
    expect(result.requestId).toBe('req_s');
    const { chunks, error } = await collect(result.chunks);
    expect(error).toBeUndefined();
    expect(chunks.map((chunk) => [chunk.choices[0]?.delta ?? null, chunk.choices[0]?.finish_reason ?? null, chunk.usage ?? null])).toEqual([
      // The prompt's side of the usage, from message_start: the answer is not counted yet.
      [{ role: 'assistant', content: '' }, null, { prompt_tokens: 20 }],
      [{ content: 'Checking.' }, null, null],
      [{}, 'stop', null],
      [null, null, { prompt_tokens: 20, completion_tokens: 3, total_tokens: 23 }],
    ]);
    expect(chunks.every((chunk) => chunk.created === 1_700_000_000 && chunk.id === 'chatcmpl-msg_01ABC')).toBe(true);
    const sent = mock.requests[0]!;
    expect(sent.headers.get('accept')).toBe('text/event-stream');
    expect(((await sent.json()) as { stream: boolean }).stream).toBe(true);
  });

  it('raises a mid-stream error event (§5.4) as a retryable RouterError after the chunks before it, never a quiet end', async () => {
    mock.use(
      http.post(messagesURL, () => sse(events(messageStart, ...checking, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }))),
    );
    const result = await anthropic({ apiKey: 'k' }).doChatStream(request, {});
    const { chunks, error } = await collect(result.chunks);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(['', 'Checking.']);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'upstream_error', type: 'overloaded_error', providerId: 'anthropic', isRetryable: true });
    expect((error as RouterError).message).toBe('anthropic sent an error mid-stream: Overloaded (overloaded_error)');
  });

  it('raises an error envelope answered with 200, to a call or instead of a stream, as that upstream error', async () => {
    const overloaded = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    mock.use(http.post(messagesURL, () => HttpResponse.json(overloaded)));
    const called = await rejection(anthropic({ apiKey: 'k' }).doChat(request, {}));
    expect(called).toMatchObject({ code: 'upstream_error', type: 'overloaded_error', providerId: 'anthropic', isRetryable: true });
    expect(called.message).toBe('anthropic answered 200 with an error: Overloaded (overloaded_error)');
    const streamed = await rejection(anthropic({ apiKey: 'k' }).doChatStream(request, {}));
    expect(streamed).toMatchObject({ code: 'upstream_error', type: 'overloaded_error', isRetryable: true });
    expect(streamed.message).toBe('anthropic answered 200 with an error instead of an event stream: Overloaded (overloaded_error)');
  });

  it('raises a stream that closes before message_stop as cut, not complete', async () => {
    mock.use(http.post(messagesURL, () => sse(events(messageStart, ...checking))));
    const result = await anthropic({ apiKey: 'k' }).doChatStream(request, {});
    const { error } = await collect(result.chunks);
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true });
    expect((error as RouterError).message).toMatch(/ended before completion/);
  });

  it('maps an HTTP 429 before streaming (§5.5) to rate_limited with Retry-After and the request id', async () => {
    mock.use(
      http.post(messagesURL, () =>
        HttpResponse.json(
          {
            type: 'error',
            error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' },
            request_id: 'req_9',
          },
          { status: 429, headers: { 'retry-after': '12', 'request-id': 'req_9' } },
        ),
      ),
    );
    const error = await rejection(anthropic({ apiKey: 'k' }).doChatStream(request, {}));
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, upstreamStatus: 429, isRetryable: true, requestID: 'req_9', providerId: 'anthropic' });
    expect(error.headers['retry-after']).toBe('12');
    expect(error.message).toBe('anthropic returned 429: Number of request tokens has exceeded your per-minute rate limit (rate_limit_error)');
  });

  it.each([
    [529, 'overloaded_error', 'Overloaded', { code: 'upstream_error', status: 502, isRetryable: true }],
    [500, 'api_error', 'Internal server error', { code: 'upstream_error', status: 502, isRetryable: true }],
    [400, 'invalid_request_error', 'max_tokens: Field required', { code: 'invalid_request', status: 400, isRetryable: false, type: 'invalid_request_error' }],
    [401, 'authentication_error', 'invalid x-api-key', { code: 'upstream_error', status: 502, isRetryable: false }],
    [404, 'not_found_error', 'model: claude-nope', { code: 'upstream_error', status: 502, isRetryable: false }],
  ])('maps HTTP %i %s to %o', async (status, type, message, expected) => {
    mock.use(http.post(messagesURL, () => HttpResponse.json({ type: 'error', error: { type, message } }, { status })));
    const error = await rejection(anthropic({ apiKey: 'k' }).doChat(request, {}));
    expect(error).toMatchObject({ ...expected, upstreamStatus: status, providerId: 'anthropic' });
    expect(error.message).toContain(message);
    if (status === 401) expect(error.message).toContain('check the apiKey configured for provider anthropic');
  });

  it('does not retry a 429 that reports a reached spend limit', async () => {
    mock.use(
      http.post(messagesURL, () =>
        HttpResponse.json(
          { type: 'error', error: { type: 'rate_limit_error', message: 'Spend limit reached', details: { error_code: 'enforced_spend_limit_reached' } } },
          { status: 429 },
        ),
      ),
    );
    const error = await rejection(anthropic({ apiKey: 'k' }).doChat(request, {}));
    expect(error).toMatchObject({ code: 'rate_limited', isRetryable: false, upstreamStatus: 429 });
    expect(error.message).toContain('raise it in the Anthropic console');
  });
});
