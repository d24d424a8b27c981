import { delay, http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { anthropic, bedrock, createRouter, gemini, memoryAudit, vertex, type ChatCompletionChunk, type ExplainCandidate } from '../src/index.js';
import { concat, eventFrame, exceptionFrame, frame, toolCallStream } from './helpers/event-stream-frames.js';
import { mockServer, sseBody, sseEvents } from './helpers/msw.js';

/* The hyperscaler deployments end to end: jurisdiction, Bedrock streams, Vertex tokens, test keys. */

const upstream = mockServer();
const messages = [{ role: 'user' as const, content: 'What is the weather in Berlin?' }];
const tools = [
  { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'FQoGZXIvYXdzEXAMPLESESSIONTOKEN' };

beforeEach(() => {
  // No ambient credentials: each test says what it configures.
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_BEARER_TOKEN_BEDROCK', 'GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_PROJECT', 'GEMINI_API_KEY']) {
    vi.stubEnv(name, '');
  }
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
  vi.stubEnv('CLOUDSDK_CONFIG', '/nonexistent/gcloud');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const byProvider = (candidates: ExplainCandidate[]) => new Map(candidates.map((candidate) => [candidate.provider, candidate]));

describe('a pinned Claude model across Anthropic, Bedrock and Vertex', () => {
  const providers = () => [
    anthropic({ apiKey: 'sk-ant-test' }),
    bedrock({ region: 'eu-central-1', credentials }),
    bedrock({ region: 'us-east-1', credentials }),
    vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.test-token' }),
  ];

  it('eu-hosted admits exactly the EU deployments, and says why the others are out', () => {
    const decision = createRouter({ providers: providers(), policy: 'eu-hosted' }).explain({ model: 'claude-sonnet-4-6', messages });
    const candidates = byProvider(decision.candidates);
    const eligible = decision.candidates.filter((candidate) => candidate.eligible).map((candidate) => candidate.provider);
    expect(eligible.sort()).toEqual(['bedrock-eu-central-1', 'vertex-europe-west4']);
    expect(candidates.get('bedrock-eu-central-1')).toMatchObject({ model: 'claude-sonnet-4-6' });
    expect(candidates.get('bedrock-us-east-1')?.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/hosted in US/)]));
    // Anthropic's first-party API pins no region: hosting unknown.
    expect(candidates.get('anthropic')?.reasons.join(' ')).toMatch(/hosting|hosted/);
  });

  it('eu-sovereign admits none of them, naming the US parents', () => {
    const decision = createRouter({ providers: providers(), policy: 'eu-sovereign' }).explain({ model: 'claude-sonnet-4-6', messages });
    const candidates = byProvider(decision.candidates);
    expect(decision.candidates.filter((candidate) => candidate.eligible)).toEqual([]);
    expect(decision.chosen).toBeNull();
    for (const provider of ['bedrock-eu-central-1', 'bedrock-us-east-1']) {
      expect(candidates.get(provider)?.reasons).toContain('operator Amazon Web Services EMEA SARL is US-controlled through its parent Amazon.com, Inc.');
    }
    expect(candidates.get('vertex-europe-west4')?.reasons).toContain('operator Google Cloud EMEA Limited is US-controlled through its parent Google LLC');
    expect(candidates.get('anthropic')?.reasons.join(' ')).toMatch(/Anthropic PBC is US-controlled/);
  });
});

/** A response body that delivers `bytes` in pieces of `size`, so frames straddle chunks. */
function eventStream(bytes: Uint8Array, size = 37): HttpResponse<ReadableStream> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += size) controller.enqueue(bytes.slice(offset, offset + size));
      controller.close();
    },
  });
  return new HttpResponse(body, { headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'req-bedrock-1' } });
}

const frankfurt = 'https://bedrock-runtime.eu-central-1.amazonaws.com';
const streamPath = '/model/eu.anthropic.claude-sonnet-4-6/converse-stream';

describe('a streamed Bedrock Converse answer', () => {
  it('reaches the caller as OpenAI chunks with tool-call deltas, usage and cost', async () => {
    upstream.use(http.post(`${frankfurt}${streamPath}`, () => eventStream(concat(toolCallStream()))));
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], currency: 'USD', retry: { retries: 0 } });
    const response = await router.chat.completions.create({ model: 'claude-sonnet-4-6', messages, tools, stream: true, max_tokens: 500 });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of response) chunks.push(chunk);

    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
    expect(deltas[0]).toEqual({ role: 'assistant', content: '' });
    expect(deltas.map((delta) => delta.content ?? '').join('')).toBe('Let me check.');
    const calls = deltas.flatMap((delta) => delta.tool_calls ?? []);
    expect(calls[0]).toEqual({ index: 0, id: 'tooluse_abc123', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(calls.every((call) => call.index === 0)).toBe(true);
    expect(calls.map((call) => call.function?.arguments ?? '').join('')).toBe('{"city":"Berlin"}');
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter((reason) => reason !== null)).toEqual(['tool_calls']);

    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    // Bedrock's inputTokens leave out the 100 cached tokens; OpenAI's prompt_tokens count them.
    expect(last.usage).toMatchObject({ prompt_tokens: 1100, completion_tokens: 200, total_tokens: 1300, prompt_tokens_details: { cached_tokens: 100 }, currency: 'USD' });
    // 1000 × 3.30 + 100 cache reads × 0.33 + 200 × 16.50 per million tokens (the eu. profile's list price).
    expect((last.usage as { cost: number }).cost).toBeCloseTo(0.006633, 10);
    expect(last.provider).toBe('bedrock-eu-central-1');

    const sent = upstream.requests[0]!;
    expect(sent.headers.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/bedrock\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
    expect(sent.headers.get('x-amz-security-token')).toBe(credentials.sessionToken);
    const body = (await sent.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      messages: [{ role: 'user', content: [{ text: 'What is the weather in Berlin?' }] }],
      inferenceConfig: { maxTokens: 500 },
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: tools[0]!.function.parameters } } }] },
    });
  });

  it('records a loop that stops at the finish reason as a success with Bedrock\'s usage, as for an OpenAI-compatible upstream (docs/audit.md)', async () => {
    const frames = toolCallStream();
    // The answer in one read, then messageStop and metadata (the usage) together in the next.
    const body = () =>
      new HttpResponse(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(concat(frames.slice(0, -2)));
            controller.enqueue(concat(frames.slice(-2)));
            controller.close();
          },
        }),
        { headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'req-bedrock-1' } },
      );
    upstream.use(http.post(`${frankfurt}${streamPath}`, body));
    const audit = memoryAudit();
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], currency: 'USD', retry: { retries: 0 }, audit: { sinks: [audit] } });
    const response = await router.chat.completions.create({ model: 'claude-sonnet-4-6', messages, tools, stream: true });
    let finish: string | null | undefined;
    for await (const chunk of response) {
      finish = chunk.choices[0]?.finish_reason;
      if (finish) break;
    }
    await router.flush();
    expect(finish).toBe('tool_calls');
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'success', usage: { prompt_tokens: 1100, completion_tokens: 200, total_tokens: 1300 } });
    expect(audit.records[0]!.usage).not.toHaveProperty('estimated');
    // 1000 × 3.30 + 100 cache reads × 0.33 + 200 × 16.50 per million tokens (the eu. profile's list price).
    expect(audit.records[0]!.cost).toBeCloseTo(0.006633, 10);
  });

  it('estimates the usage of a stream that ends without its metadata event, rather than reporting zero tokens and no cost', async () => {
    const answer = 'Sunny and mild in Berlin today, with a light breeze from the west.';
    upstream.use(
      http.post(`${frankfurt}${streamPath}`, () =>
        eventStream(
          concat([
            eventFrame('messageStart', { role: 'assistant' }),
            eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: answer } }),
            eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
            eventFrame('messageStop', { stopReason: 'end_turn' }),
          ]),
        ),
      ),
    );
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], currency: 'USD', retry: { retries: 0 } });
    const response = await router.chat.completions.create({ model: 'claude-sonnet-4-6', messages, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of response) chunks.push(chunk);
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '')).join('')).toBe(answer);
    const usage = chunks.at(-1)!.usage as { prompt_tokens: number; completion_tokens: number; cost: number; estimated?: true };
    expect(usage.estimated).toBe(true);
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.cost).toBeGreaterThan(0);
  });

  it.each([
    ['ends before the answer is complete', [], /ended before the answer was complete/],
    ['sends an error frame', [frame({ ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'try again' }, '')], /sent an error mid-stream: InternalFailure: try again/],
  ])('fails a stream that %s after its first chunks, with a retryable upstream error recorded once', async (_case, tail, message) => {
    upstream.use(
      http.post(`${frankfurt}${streamPath}`, () =>
        eventStream(concat([eventFrame('messageStart', { role: 'assistant' }), eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Sunny' } }), ...tail])),
      ),
    );
    const audit = memoryAudit();
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], retry: { retries: 0 }, audit: [audit] });
    const stream = await router.chat.completions.create({ model: 'claude-sonnet-4-6', messages, stream: true });
    let content = '';
    const error = await (async () => {
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    })().then(() => new Error('the stream ended without its error'), (caught: unknown) => caught as Error);
    await router.flush();
    expect(content).toBe('Sunny');
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'bedrock-eu-central-1' });
    expect(error.message).toMatch(message);
    expect(audit.records.map((record) => record.outcome)).toEqual(['error']);
  });

  it('delivers the text of the frames before a corrupt one that arrives in the same read, then fails the stream', async () => {
    const corrupt = eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' and warm' } });
    // Flip one payload byte: the frame's message CRC no longer matches.
    corrupt[60] = corrupt[60]! ^ 0x20;
    const bytes = concat([eventFrame('messageStart', { role: 'assistant' }), eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Sunny' } }), corrupt]);
    // The good frames and the corrupt one in a single write.
    upstream.use(http.post(`${frankfurt}${streamPath}`, () => eventStream(bytes, bytes.length)));
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], retry: { retries: 0 } });
    const stream = await router.chat.completions.create({ model: 'claude-sonnet-4-6', messages, stream: true });
    let content = '';
    const error = await (async () => {
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    })().then(() => new Error('the stream ended without its error'), (caught: unknown) => caught as Error);
    expect(content).toBe('Sunny');
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'bedrock-eu-central-1' });
    expect(error.message).toMatch(/sent a broken event stream: an event-stream frame failed its message CRC/);
  });

  it('fails over to a second deployment when a frame fails its CRC before the first chunk', async () => {
    const broken = concat(toolCallStream());
    // Flip one payload byte of the first frame: its message CRC no longer matches.
    broken[40] = broken[40]! ^ 0x20;
    const ireland = 'https://bedrock-runtime.eu-west-1.amazonaws.com';
    upstream.use(
      http.post(`${frankfurt}${streamPath}`, () => eventStream(broken)),
      http.post(`${ireland}${streamPath}`, () => eventStream(concat(toolCallStream()))),
    );
    const router = createRouter({
      providers: [bedrock({ region: 'eu-central-1', credentials }), bedrock({ region: 'eu-west-1', credentials })],
      policy: 'eu-hosted',
      retry: { retries: 0 },
    });
    const response = await router.chat.completions.create({
      model: 'claude-sonnet-4-6',
      messages,
      tools,
      stream: true,
      route: { order: ['bedrock-eu-central-1', 'bedrock-eu-west-1'] },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of response) chunks.push(chunk);
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant')).toHaveLength(1);
    const last = chunks.at(-1)!;
    expect(last.provider).toBe('bedrock-eu-west-1');
    expect(last.route?.attempts).toMatchObject([
      { provider: 'bedrock-eu-central-1', outcome: 'error', code: 'upstream_error', message: expect.stringMatching(/CRC/) },
      { provider: 'bedrock-eu-west-1', outcome: 'ok' },
    ]);
    expect(upstream.requests.map((request) => new URL(request.url).host)).toEqual(['bedrock-runtime.eu-central-1.amazonaws.com', 'bedrock-runtime.eu-west-1.amazonaws.com']);
  });
});

describe('Bedrock Converse and InvokeModel', () => {
  it('answers a non-streamed request, and embeds through Titan one text per call', async () => {
    upstream.use(
      http.post(`${frankfurt}/model/eu.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse`, () =>
        HttpResponse.json(
          { output: { message: { role: 'assistant', content: [{ text: 'Sunny, 21 °C.' }] } }, stopReason: 'end_turn', usage: { inputTokens: 12, outputTokens: 6, totalTokens: 18 }, metrics: { latencyMs: 300 } },
          { headers: { 'x-amzn-requestid': 'req-converse' } },
        ),
      ),
      http.post(`${frankfurt}/model/amazon.titan-embed-text-v2%3A0/invoke`, async ({ request }) => {
        const { inputText } = (await request.json()) as { inputText: string };
        return HttpResponse.json({ embedding: [inputText.length, 0.5], inputTextTokenCount: 3 });
      }),
    );
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], currency: 'USD', retry: { retries: 0 } });
    const completion = await router.chat.completions.create({ model: 'claude-haiku-4-5', messages });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Sunny, 21 °C.' } });
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 6 });
    const embedded = await router.embeddings.create({ model: 'titan-embed-text-v2', input: ['one', 'three'] });
    expect(embedded.data.map((item) => item.embedding)).toEqual([[3, 0.5], [5, 0.5]]);
    expect(embedded.usage).toMatchObject({ prompt_tokens: 6 });
  });

  // One text per call, made one after another, a batch of a few hundred texts (LangChain sends
  // 512) outlasted the attempt's timeout: retried from the start, then a 504, every call paid.
  it('embeds a Titan batch several texts at a time, in input order, within the attempt timeout', async () => {
    let inFlight = 0;
    let most = 0;
    upstream.use(
      http.post(`${frankfurt}/model/amazon.titan-embed-text-v2%3A0/invoke`, async ({ request }) => {
        const { inputText } = (await request.json()) as { inputText: string };
        inFlight++;
        most = Math.max(most, inFlight);
        // Later texts answer sooner: the answers arrive out of order.
        await delay(60 - (Number(inputText) % 8) * 5);
        inFlight--;
        return HttpResponse.json({ embedding: [Number(inputText), 0.5], inputTextTokenCount: 1 });
      }),
    );
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], timeoutMs: 2000, retry: { retries: 0 } });
    const input = Array.from({ length: 64 }, (_, index) => String(index));
    const embedded = await router.embeddings.create({ model: 'titan-embed-text-v2', input });
    expect(embedded.data.map((item) => (item.embedding as number[])[0])).toEqual(input.map(Number));
    expect(embedded.usage).toMatchObject({ prompt_tokens: 64 });
    // Bounded, so one request does not spend the account's Titan quota at once.
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(8);
  });

  it('stops sending a Titan batch once one of its texts fails', async () => {
    upstream.use(
      http.post(`${frankfurt}/model/amazon.titan-embed-text-v2%3A0/invoke`, async ({ request }) => {
        const { inputText } = (await request.json()) as { inputText: string };
        await delay(10);
        if (inputText === '2') return HttpResponse.json({ message: 'Malformed input request' }, { status: 400, headers: { 'x-amzn-errortype': 'ValidationException' } });
        return HttpResponse.json({ embedding: [1, 0.5], inputTextTokenCount: 1 });
      }),
    );
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], retry: { retries: 0 } });
    const error = await router.embeddings.create({ model: 'titan-embed-text-v2', input: Array.from({ length: 64 }, (_, index) => String(index)) }).then(
      () => new Error('the batch succeeded'),
      (caught: unknown) => caught as Error,
    );
    expect(error).toMatchObject({ status: 400 });
    // Long enough for the rest of the batch to have gone out, had it not been stopped.
    await delay(150);
    expect(upstream.requests.length).toBeLessThanOrEqual(16);
  });

  it('ends a Titan batch the caller aborts as aborted, sending nothing more', async () => {
    upstream.use(
      http.post(`${frankfurt}/model/amazon.titan-embed-text-v2%3A0/invoke`, async () => {
        await delay(20);
        return HttpResponse.json({ embedding: [1, 0.5], inputTextTokenCount: 1 });
      }),
    );
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], retry: { retries: 0 } });
    const input = Array.from({ length: 64 }, (_, index) => String(index));
    const error = await router.embeddings.create({ model: 'titan-embed-text-v2', input }, { signal: AbortSignal.timeout(30) }).then(
      () => new Error('the batch succeeded'),
      (caught: unknown) => caught as Error,
    );
    expect(error).toMatchObject({ code: 'aborted' });
    await delay(100);
    expect(upstream.requests.length).toBeLessThanOrEqual(24);
  });

  it('embeds through Titan for a caller that asks for base64 vectors, as the openai SDK does by default', async () => {
    upstream.use(http.post(`${frankfurt}/model/amazon.titan-embed-text-v2%3A0/invoke`, () => HttpResponse.json({ embedding: [0.5, -0.25], inputTextTokenCount: 2 })));
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], retry: { retries: 0 } });
    const embedded = await router.embeddings.create({ model: 'titan-embed-text-v2', input: 'hello', encoding_format: 'base64' });
    expect(embedded.data[0]!.embedding).toBe(btoa(String.fromCharCode(...new Uint8Array(new Float32Array([0.5, -0.25]).buffer))));
    expect(upstream.requests).toHaveLength(1);
  });

  it.each([
    ['malformed_tool_use', /produced a tool call that is not valid \(stopReason malformed_tool_use\)/],
    ['malformed_model_output', /produced output that is not valid \(stopReason malformed_model_output\)/],
  ])('falls back to another deployment when the model stops with %s, rather than answering finish_reason stop', async (stopReason, message) => {
    const ireland = 'https://bedrock-runtime.eu-west-1.amazonaws.com';
    const path = '/model/eu.anthropic.claude-sonnet-4-6/converse';
    upstream.use(
      http.post(`${frankfurt}${path}`, () =>
        HttpResponse.json({ output: { message: { role: 'assistant', content: [{ text: 'Checking.' }] } }, stopReason, usage: { inputTokens: 12, outputTokens: 6, totalTokens: 18 } }),
      ),
      http.post(`${ireland}${path}`, () =>
        HttpResponse.json({
          output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Berlin' } } }] } },
          stopReason: 'tool_use',
          usage: { inputTokens: 12, outputTokens: 6, totalTokens: 18 },
        }),
      ),
    );
    const router = createRouter({
      providers: [bedrock({ region: 'eu-central-1', credentials }), bedrock({ region: 'eu-west-1', credentials })],
      policy: 'eu-hosted',
      retry: { retries: 0 },
    });
    const completion = await router.chat.completions.create({ model: 'claude-sonnet-4-6', messages, tools, route: { order: ['bedrock-eu-central-1', 'bedrock-eu-west-1'] } });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } }] } });
    expect(completion.route.attempts).toMatchObject([
      { provider: 'bedrock-eu-central-1', outcome: 'error', code: 'upstream_error', message: expect.stringMatching(message) },
      { provider: 'bedrock-eu-west-1', outcome: 'ok' },
    ]);
  });

  it('fails a stream whose model stops with malformed_tool_use after its first chunks, never with finish_reason stop', async () => {
    upstream.use(
      http.post(`${frankfurt}${streamPath}`, () =>
        eventStream(
          concat([
            eventFrame('messageStart', { role: 'assistant' }),
            eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Let me check.' } }),
            eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
            eventFrame('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather' } } }),
            eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }),
            eventFrame('contentBlockStop', { contentBlockIndex: 1 }),
            eventFrame('messageStop', { stopReason: 'malformed_tool_use' }),
            eventFrame('metadata', { usage: { inputTokens: 12, outputTokens: 6, totalTokens: 18 } }),
          ]),
        ),
      ),
    );
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], retry: { retries: 0 } });
    const stream = await router.chat.completions.create({ model: 'claude-sonnet-4-6', messages, tools, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().then(() => new Error('the stream ended without its error'), (caught: unknown) => caught as Error);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Let me check.');
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter((reason) => reason !== null)).toEqual([]);
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: true, providerId: 'bedrock-eu-central-1' });
    expect(error.message).toMatch(/produced a tool call that is not valid \(stopReason malformed_tool_use\)/);
  });

  it('never quotes the secret key or session token an upstream echoes back', async () => {
    upstream.use(
      http.post(`${frankfurt}/model/eu.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse`, () =>
        HttpResponse.json(
          { message: `The security token included in the request is invalid: ${credentials.sessionToken} (${credentials.secretAccessKey})` },
          { status: 403, headers: { 'x-amzn-errortype': 'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/' } },
        ),
      ),
    );
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], retry: { retries: 0 } });
    const error = await router.chat.completions.create({ model: 'claude-haiku-4-5', messages }).then(() => new Error('resolved'), (caught: unknown) => caught as Error);
    const seen = `${error.message} ${JSON.stringify(error)}`;
    expect(seen).toContain('UnrecognizedClientException');
    expect(seen).not.toContain(credentials.sessionToken);
    expect(seen).not.toContain(credentials.secretAccessKey);
  });

  it('never quotes a credential header given in headers (a gateway token) that an upstream echoes back', async () => {
    const gatewayToken = 'gw7Q2mZr9XkP4vLs';
    upstream.use(
      http.post(`${frankfurt}/model/eu.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse`, () =>
        HttpResponse.json({ message: `gateway refused token ${gatewayToken}` }, { status: 400, headers: { 'x-amzn-errortype': 'ValidationException' } }),
      ),
    );
    const audit = memoryAudit();
    const router = createRouter({
      providers: [bedrock({ region: 'eu-central-1', credentials, headers: { 'X-Gateway-Token': gatewayToken } })],
      retry: { retries: 0 },
      audit: [audit],
    });
    const error = await router.chat.completions.create({ model: 'claude-haiku-4-5', messages }).then(() => new Error('resolved'), (caught: unknown) => caught as Error);
    await router.flush();
    expect(error.message).toContain('gateway refused token');
    expect(`${error.message} ${JSON.stringify(error)} ${JSON.stringify(audit.records)}`).not.toContain(gatewayToken);
  });

  it('reads at most 64 KiB of an error body, and abandons the rest', async () => {
    // A 16 MB error page: read whole, it would be held in memory, and one that never ends forever.
    let pulled = 0;
    let cancelled = false;
    const page = new TextEncoder().encode(`<html>${'Service Unavailable '.repeat(800)}</html>`);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += page.byteLength;
        controller.enqueue(page);
        if (pulled > 16_000_000) controller.close();
      },
      cancel() {
        cancelled = true;
      },
    });
    const fetch = async () => new Response(endless, { status: 503, headers: { 'content-type': 'text/html' } });
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials, fetch })], retry: { retries: 0 } });
    const error = await router.chat.completions.create({ model: 'claude-haiku-4-5', messages }).then(() => new Error('resolved'), (caught: unknown) => caught as Error);
    expect(error.message).toContain('503');
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(1024 * 1024);
  });

  it.each(['aborts', 'leaves the loop'])('releases a stalled stream at once when the caller %s, whatever fetch it was given', async (how) => {
    // A fetch that does not tie the signal to the body (a mock, some wrappers): the abort alone must end the read.
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(concat([eventFrame('messageStart', { role: 'assistant' }), eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Sunny' } })]));
      },
      cancel() {
        cancelled = true;
      },
    });
    const fetch = async () => new Response(body, { headers: { 'content-type': 'application/vnd.amazon.eventstream' } });
    const audit = memoryAudit();
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials, fetch })], retry: { retries: 0 }, audit: [audit] });
    const stream = await router.chat.completions.create({ model: 'claude-haiku-4-5', messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.choices[0]?.delta.role).toBe('assistant');
    expect((await iterator.next()).value?.choices[0]?.delta.content).toBe('Sunny');
    const waiting = iterator.next();
    if (how === 'aborts') {
      stream.controller.abort();
      await expect(waiting).rejects.toThrow(/aborted/);
    } else {
      waiting.catch(() => undefined);
      await iterator.return?.();
    }
    await router.flush();
    expect(cancelled).toBe(true);
    expect(audit.records.map((record) => record.outcome)).toEqual(['aborted']);
  });

  it('never quotes them from an exception frame in the middle of a stream either', async () => {
    upstream.use(
      http.post(`${frankfurt}/model/eu.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse-stream`, () =>
        eventStream(
          concat([
            eventFrame('messageStart', { role: 'assistant' }),
            eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Sunny' } }),
            exceptionFrame('modelStreamErrorException', `stream broken for token ${credentials.sessionToken} and key ${credentials.secretAccessKey}`),
          ]),
        ),
      ),
    );
    const audit = memoryAudit();
    const router = createRouter({ providers: [bedrock({ region: 'eu-central-1', credentials })], retry: { retries: 0 }, audit: [audit] });
    const stream = await router.chat.completions.create({ model: 'claude-haiku-4-5', messages, stream: true });
    const error = await (async () => {
      for await (const _chunk of stream);
    })().then(() => new Error('the stream ended without its error'), (caught: unknown) => caught as Error);
    await router.flush();
    const seen = `${error.message} ${JSON.stringify(error)} ${String((error.cause as Error | undefined)?.message)} ${JSON.stringify(audit.records)}`;
    expect(seen).toContain('ModelStreamErrorException');
    expect(seen).not.toContain(credentials.sessionToken);
    expect(seen).not.toContain(credentials.secretAccessKey);
  });
});

describe('Vertex AI access tokens', () => {
  const base = 'https://europe-west4-aiplatform.googleapis.com/v1/projects/acme-eu-prod/locations/europe-west4';
  const completion = (text: string) => ({
    id: 'chatcmpl-vertex',
    object: 'chat.completion',
    created: 1,
    model: 'google/gemini-2.5-flash',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
  });

  it('asks the token supplier once per token lifetime, not per request', async () => {
    const supplier = vi.fn(async () => ({ token: 'ya29.first', expiresAt: Date.now() + 3600_000 }));
    upstream.use(http.post(`${base}/endpoints/openapi/chat/completions`, () => HttpResponse.json(completion('Hallo.'))));
    const router = createRouter({ providers: [vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: supplier })], retry: { retries: 0 } });
    for (let call = 0; call < 3; call++) await router.chat.completions.create({ model: 'gemini-2.5-flash', messages });
    expect(supplier).toHaveBeenCalledTimes(1);
    expect(upstream.requests.map((request) => request.headers.get('authorization'))).toEqual(['Bearer ya29.first', 'Bearer ya29.first', 'Bearer ya29.first']);
    expect(((await upstream.requests[0]!.json()) as { model: string }).model).toBe('google/gemini-2.5-flash');
  });

  it('refreshes an expired token and retries the request once', async () => {
    const tokens = ['ya29.expired', 'ya29.fresh'];
    const supplier = vi.fn(async () => tokens.shift()!);
    upstream.use(
      http.post(`${base}/endpoints/openapi/chat/completions`, ({ request }) =>
        request.headers.get('authorization') === 'Bearer ya29.fresh'
          ? HttpResponse.json(completion('Guten Tag.'))
          : HttpResponse.json({ error: { code: 401, message: 'Request had invalid authentication credentials: ya29.expired', status: 'UNAUTHENTICATED' } }, { status: 401 }),
      ),
    );
    const router = createRouter({ providers: [vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: supplier })], retry: { retries: 0 } });
    const response = await router.chat.completions.create({ model: 'gemini-2.5-flash', messages });
    expect(response.choices[0]?.message.content).toBe('Guten Tag.');
    expect(supplier).toHaveBeenCalledTimes(2);
    expect(upstream.requests.map((request) => request.headers.get('authorization'))).toEqual(['Bearer ya29.expired', 'Bearer ya29.fresh']);
    // One attempt as far as routing is concerned: the retry is the token's, not the router's.
    expect(response.route.attempts).toHaveLength(1);
  });

  it('does not retry a second 401, and never quotes the token in the error', async () => {
    const supplier = vi.fn(async () => 'ya29.always-refused-token');
    upstream.use(
      http.post(`${base}/endpoints/openapi/chat/completions`, () =>
        HttpResponse.json({ error: { code: 401, message: 'token ya29.always-refused-token is not valid', status: 'UNAUTHENTICATED' } }, { status: 401 }),
      ),
    );
    const router = createRouter({ providers: [vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: supplier })], retry: { retries: 0 } });
    const error = await router.chat.completions.create({ model: 'gemini-2.5-flash', messages }).catch((caught: unknown) => caught as Error);
    expect(upstream.requests).toHaveLength(2);
    expect(JSON.stringify(error)).not.toContain('ya29.always-refused-token');
    expect((error as Error).message).not.toContain('ya29.always-refused-token');
    expect((error as Error).message).toContain('[redacted]');
  });

  it.each([
    ['gemini-2.5-flash', `${base}/endpoints/openapi/chat/completions`],
    ['claude-sonnet-4-6', `${base}/publishers/anthropic/models/claude-sonnet-4-6:rawPredict`],
  ])('says what to check on Google Cloud when %s is refused with 403, not an apiKey vertex() does not take', async (model, url) => {
    upstream.use(
      http.post(url, () =>
        HttpResponse.json({ error: { code: 403, message: "Permission 'aiplatform.endpoints.predict' denied on resource", status: 'PERMISSION_DENIED' } }, { status: 403 }),
      ),
    );
    const router = createRouter({ providers: [vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.static' })], retry: { retries: 0 } });
    const error = await router.chat.completions.create({ model, messages }).then(() => undefined, (caught: unknown) => caught as { route: { attempts: { message: string; code: string }[] } });
    const attempt = error!.route.attempts[0]!;
    expect(attempt.code).toBe('upstream_error');
    expect(attempt.message).toContain("Permission 'aiplatform.endpoints.predict' denied on resource");
    expect(attempt.message).not.toContain('apiKey');
    expect(attempt.message).toMatch(/access token.*Vertex AI User.*acme-eu-prod/);
  });

  it('never quotes a fixed accessToken string an upstream echoes back', async () => {
    const token = 'ya29.fixed-secret-token-value';
    upstream.use(
      http.post(`${base}/endpoints/openapi/chat/completions`, () =>
        HttpResponse.json({ error: { code: 400, message: `the request sent with ${token} is malformed`, status: 'INVALID_ARGUMENT' } }, { status: 400 }),
      ),
    );
    const audit = memoryAudit();
    const router = createRouter({ providers: [vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: token })], retry: { retries: 0 }, audit: [audit] });
    const error = await router.chat.completions.create({ model: 'gemini-2.5-flash', messages }).then(() => new Error('resolved'), (caught: unknown) => caught as Error);
    await router.flush();
    expect(error.message).toContain('malformed');
    expect(`${error.message} ${JSON.stringify(error)} ${JSON.stringify(audit.records)}`).not.toContain(token);
  });

  it('never quotes the token from an error event in the middle of a stream', async () => {
    const token = 'ya29.streamed-secret-token-value';
    upstream.use(
      http.post(`${base}/endpoints/openapi/chat/completions`, () =>
        new HttpResponse(
          sseBody([
            sseEvents(
              { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'google/gemini-2.5-flash', choices: [{ index: 0, delta: { role: 'assistant', content: 'Sonnig' }, finish_reason: null }] },
              { error: { code: 500, message: `backend failed for credential ${token}`, status: 'INTERNAL' } },
            ),
          ]),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
      ),
    );
    const audit = memoryAudit();
    const router = createRouter({
      providers: [vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: async () => token })],
      retry: { retries: 0 },
      audit: [audit],
    });
    const stream = await router.chat.completions.create({ model: 'gemini-2.5-flash', messages, stream: true });
    const error = await (async () => {
      for await (const _chunk of stream);
    })().then(() => new Error('the stream ended without its error'), (caught: unknown) => caught as Error);
    await router.flush();
    expect(error.message).toContain('backend failed');
    expect(`${error.message} ${JSON.stringify(error)} ${JSON.stringify(audit.records)}`).not.toContain(token);
  });

  it('sends Claude to rawPredict with the Messages body, version in the body and model in the URL', async () => {
    upstream.use(
      http.post(`${base}/publishers/anthropic/models/claude-sonnet-4-6:streamRawPredict`, () =>
        new HttpResponse(
          sseBody([
            [
              { type: 'message_start', message: { id: 'msg_vrtx', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], usage: { input_tokens: 12, output_tokens: 1 } } },
              { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Sonnig.' } },
              { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } },
              { type: 'message_stop' },
            ]
              .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
              .join(''),
          ]),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
      ),
    );
    const router = createRouter({ providers: [vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.static' })], retry: { retries: 0 } });
    const response = await router.chat.completions.create({ model: 'claude-sonnet-4-6', messages, stream: true });
    let text = '';
    for await (const chunk of response) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Sonnig.');
    const sent = upstream.requests[0]!;
    expect(sent.headers.get('authorization')).toBe('Bearer ya29.static');
    expect(sent.headers.get('x-api-key')).toBeNull();
    const body = (await sent.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', stream: true, max_tokens: 4096 });
    expect(body).not.toHaveProperty('model');
  });

  it("sends a Claude model declared with its publisher prefix (anthropic/…) to that model's URL, not one naming the prefix", async () => {
    upstream.use(
      http.post(`${base}/publishers/anthropic/models/*`, () =>
        HttpResponse.json({ id: 'msg_vrtx', type: 'message', role: 'assistant', model: 'claude-opus-4-1', content: [{ type: 'text', text: 'Ja.' }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 1 } }),
      ),
    );
    const provider = vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.static', models: [{ id: 'anthropic/claude-opus-4-1@20250805' }] });
    const router = createRouter({ providers: [provider], retry: { retries: 0 } });
    const response = await router.chat.completions.create({ model: 'claude-opus-4-1', messages });
    expect(response.choices[0]?.message.content).toBe('Ja.');
    expect(decodeURIComponent(new URL(upstream.requests[0]!.url).pathname)).toBe('/v1/projects/acme-eu-prod/locations/europe-west4/publishers/anthropic/models/claude-opus-4-1@20250805:rawPredict');
  });

  it('refuses an image URL for Claude, which Vertex AI does not fetch, naming the part and sending nothing', async () => {
    const router = createRouter({ providers: [vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.static' })], retry: { retries: 0 } });
    const error = await router.chat.completions
      .create({
        model: 'claude-sonnet-4-6',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }],
      })
      .then(() => undefined, (caught: unknown) => caught as { status: number; code: string; param: string; message: string });
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', param: 'messages[0].content[1].image_url.url' });
    expect(error?.message).toMatch(/base64 data: URL/);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('maxResponseBytes', () => {
  const padding = 'x'.repeat(4000);
  it.each([
    ['bedrock', () => bedrock({ region: 'eu-central-1', credentials, maxResponseBytes: 1000 }), 'claude-haiku-4-5', 'https://bedrock-runtime.eu-central-1.amazonaws.com/model/:model/converse'],
    ['vertex, Gemini', () => vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.static', maxResponseBytes: 1000 }), 'gemini-2.5-flash', 'https://europe-west4-aiplatform.googleapis.com/v1/projects/acme-eu-prod/locations/europe-west4/endpoints/openapi/chat/completions'],
    ['vertex, Claude', () => vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.static', maxResponseBytes: 1000 }), 'claude-sonnet-4-6', 'https://europe-west4-aiplatform.googleapis.com/v1/projects/acme-eu-prod/locations/europe-west4/publishers/anthropic/models/:model'],
  ])('%s abandons a non-streamed answer larger than its maxResponseBytes', async (_name, provider, model, url) => {
    upstream.use(http.post(url, () => HttpResponse.json({ padding })));
    const router = createRouter({ providers: [provider()], retry: { retries: 0 } });
    const error = await router.chat.completions.create({ model, messages }).then(() => new Error('resolved'), (caught: unknown) => caught as Error);
    expect(error.message).toContain('larger than 1000 bytes (maxResponseBytes)');
  });
});

/** An access token function that fails its first call. */
function tokenOnce() {
  let calls = 0;
  return () => {
    calls += 1;
    if (calls === 1) throw new Error('the metadata server is away');
    return 'ya29.fresh';
  };
}

describe('deployment limits', () => {
  const message = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [{ type: 'text', text: 'Hallo.' }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 2 } };
  const converse = { output: { message: { role: 'assistant', content: [{ text: 'Hallo.' }] } }, stopReason: 'end_turn', usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } };
  const completion = { id: 'c', object: 'chat.completion', created: 1, model: 'gemini-2.5-flash', choices: [{ index: 0, message: { role: 'assistant', content: 'Hallo.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } };
  it.each([
    ['anthropic', () => anthropic({ apiKey: 'sk-ant-test', limits: { rpm: 1 } }), 'claude-haiku-4-5', 'https://api.anthropic.com/v1/messages', message],
    ['bedrock', () => bedrock({ region: 'eu-central-1', credentials, limits: { rpm: 1 } }), 'claude-haiku-4-5', 'https://bedrock-runtime.eu-central-1.amazonaws.com/model/:model/converse', converse],
    ['vertex', () => vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.static', limits: { rpm: 1 } }), 'gemini-2.5-flash', 'https://europe-west4-aiplatform.googleapis.com/v1/projects/acme-eu-prod/locations/europe-west4/endpoints/openapi/chat/completions', completion],
  ])('%s() respects the rpm given in limits, as every preset does', async (_name, provider, model, url, body) => {
    upstream.use(http.post(url, () => HttpResponse.json(body)));
    const router = createRouter({ providers: [provider()], retry: { retries: 0 } });
    await router.chat.completions.create({ model, messages });
    const error = await router.chat.completions.create({ model, messages }).then(() => new Error('resolved'), (caught: unknown) => caught as Error);
    expect(error.message).toContain('at its rate limit: 1 rpm');
    expect(upstream.requests).toHaveLength(1);
  });

  it.each([
    ['bedrock', (credentialsOnce: () => typeof credentials) => bedrock({ region: 'eu-central-1', credentials: credentialsOnce, limits: { rpm: 1 } }), 'claude-haiku-4-5', 'https://bedrock-runtime.eu-central-1.amazonaws.com/model/:model/converse', converse],
    ['vertex', () => vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: tokenOnce(), limits: { rpm: 1 } }), 'gemini-2.5-flash', 'https://europe-west4-aiplatform.googleapis.com/v1/projects/acme-eu-prod/locations/europe-west4/endpoints/openapi/chat/completions', completion],
  ])('%s() gives back the slot of an attempt whose credentials could not be had: nothing was sent', async (_name, provider, model, url, body) => {
    upstream.use(http.post(url, () => HttpResponse.json(body)));
    let calls = 0;
    const credentialsOnce = () => {
      calls += 1;
      if (calls === 1) throw new Error('the vault is sealed');
      return credentials;
    };
    const router = createRouter({ providers: [provider(credentialsOnce)], retry: { retries: 0 } });
    await expect(router.chat.completions.create({ model, messages })).rejects.toMatchObject({ code: 'all_providers_failed', message: expect.stringContaining('failed') });
    await router.chat.completions.create({ model, messages });
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('the Gemini API and Vertex locations', () => {
  it('embeds through the Gemini API with its key', async () => {
    upstream.use(
      http.post('https://generativelanguage.googleapis.com/v1beta/openai/embeddings', () =>
        HttpResponse.json({ object: 'list', model: 'gemini-embedding-001', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 2, total_tokens: 2 } }),
      ),
    );
    const router = createRouter({ providers: [gemini({ apiKey: 'gemini-test-key' })], policy: 'global', retry: { retries: 0 } });
    const response = await router.embeddings.create({ model: 'gemini-embedding-001', input: 'Hallo' });
    expect(response.data[0]?.embedding).toEqual([0.1, 0.2]);
    expect(upstream.requests[0]?.headers.get('authorization')).toBe('Bearer gemini-test-key');
  });

  it("quotes the message of Google's error envelope, which comes wrapped in an array", async () => {
    const message = 'Invalid JSON payload received. Unknown name "reasoning": Cannot find field.';
    upstream.use(
      http.post('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions', () =>
        HttpResponse.json([{ error: { code: 400, message, status: 'INVALID_ARGUMENT' } }], { status: 400 }),
      ),
    );
    const router = createRouter({ providers: [gemini({ apiKey: 'gemini-test-key' })], policy: 'global', retry: { retries: 0 } });
    const error = await router.chat.completions.create({ model: 'gemini-2.5-flash', messages }).then(() => new Error('resolved'), (caught: unknown) => caught as Error);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(error.message).toBe(`gemini returned 400: ${message} (400)`);
  });

  /**
   * A Gemini API call answered by a 429 RESOURCE_EXHAUSTED naming `quotaId` and asking for
   * `retryDelay`, retried up to twice: the error it ends with.
   */
  async function exhausted(quotaId: string, retryDelay: string): Promise<{ code: string; headers: Record<string, string>; route: { attempts: { message: string; code: string }[] } }> {
    const quota = {
      code: 429,
      message: 'You exceeded your current quota, please check your plan and billing details.',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId, quotaValue: '250' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
      ],
    };
    upstream.use(http.post('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions', () => HttpResponse.json([{ error: quota }], { status: 429 })));
    const router = createRouter({ providers: [gemini({ apiKey: 'gemini-test-key' })], policy: 'global', retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 1 } });
    return router.chat.completions.create({ model: 'gemini-2.5-flash', messages }).then(
      () => {
        throw new Error('the call resolved');
      },
      (caught: unknown) => caught as Awaited<ReturnType<typeof exhausted>>,
    );
  }

  it("waits as long as a 429's RetryInfo asks (Google sends no Retry-After header), and passes the wait on", async () => {
    const error = await exhausted('GenerateRequestsPerMinutePerProjectPerModel', '34.4s');
    // 34.4 s is past the router's maxRetryAfterMs (10 s): asking again at once would only meet the same 429.
    expect(upstream.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: 'rate_limited', headers: { 'retry-after': '35', 'retry-after-ms': '34400' } });
  });

  it('does not retry a 429 for a per-day quota, which lifts hours later, and says so', async () => {
    const error = await exhausted('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '2s');
    expect(upstream.requests).toHaveLength(1);
    expect(error.route.attempts[0]!.message).toMatch(/per-day quota/);
  });

  it("counts a thinking model's thought tokens, which Gemini's layer leaves out of completion_tokens, as completion tokens and prices them", async () => {
    // Gemini's OpenAI layer reports the answer's tokens as completion_tokens; the thought tokens show only in total_tokens.
    const usage = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 105 };
    const text = { id: 'c', object: 'chat.completion', created: 1, model: 'gemini-2.5-flash', choices: [{ index: 0, message: { role: 'assistant', content: '1, 2' }, finish_reason: 'stop' }], usage };
    const chunk = (delta: object, finish: string | null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gemini-2.5-flash', choices: [{ index: 0, delta, finish_reason: finish }], usage });
    upstream.use(
      http.post('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions', async ({ request }) =>
        ((await request.json()) as { stream?: boolean }).stream === true
          ? new HttpResponse(sseBody([sseEvents(chunk({ role: 'assistant', content: '1, 2' }, null), chunk({}, 'stop'), '[DONE]')]), { headers: { 'content-type': 'text/event-stream' } })
          : HttpResponse.json(text),
      ),
    );
    const router = createRouter({ providers: [gemini({ apiKey: 'gemini-test-key' })], policy: 'global', currency: 'USD', retry: { retries: 0 } });
    const expected = { prompt_tokens: 9, completion_tokens: 96, total_tokens: 105, completion_tokens_details: { reasoning_tokens: 93 } };
    // 9 × 0.30 + 96 × 2.50 per million tokens.
    const cost = (9 * 0.3 + 96 * 2.5) / 1_000_000;

    const completion = await router.chat.completions.create({ model: 'gemini-2.5-flash', messages });
    expect(completion.usage).toMatchObject(expected);
    expect((completion.usage as { cost: number }).cost).toBeCloseTo(cost, 12);

    const chunks: ChatCompletionChunk[] = [];
    for await (const item of await router.chat.completions.create({ model: 'gemini-2.5-flash', messages, stream: true })) chunks.push(item);
    expect(chunks.at(-1)!.usage).toMatchObject(expected);
    expect((chunks.at(-1)!.usage as { cost: number }).cost).toBeCloseTo(cost, 12);
  });

  it('records a loop that stops at the finish reason as a success with the upstream usage, through gemini() and vertex() alike (docs/audit.md)', async () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
    const chunk = (delta: object, finish: string | null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gemini-2.5-flash', choices: [{ index: 0, delta, finish_reason: finish }] });
    const body = () =>
      new HttpResponse(sseBody([sseEvents(chunk({ role: 'assistant', content: 'Ja.' }, null), chunk({}, 'stop'), { ...chunk({}, null), choices: [], usage }, '[DONE]')]), {
        headers: { 'content-type': 'text/event-stream' },
      });
    const claudeEvents = [
      { type: 'message_start', message: { id: 'msg_vrtx', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], usage: { input_tokens: 1000, output_tokens: 1 } } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Ja.' } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 500 } },
      { type: 'message_stop' },
    ];
    const vertexRoot = 'https://europe-west4-aiplatform.googleapis.com/v1/projects/acme-eu-prod/locations/europe-west4';
    upstream.use(
      http.post('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions', body),
      http.post(`${vertexRoot}/endpoints/openapi/chat/completions`, body),
      http.post(`${vertexRoot}/publishers/anthropic/models/claude-sonnet-4-6:streamRawPredict`, () =>
        new HttpResponse(sseBody([claudeEvents.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('')]), { headers: { 'content-type': 'text/event-stream' } }),
      ),
    );
    const audit = memoryAudit();
    const router = createRouter({
      providers: [gemini({ apiKey: 'gemini-test-key' }), vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.static' })],
      policy: 'global',
      retry: { retries: 0 },
      audit: { sinks: [audit] },
    });
    for (const model of ['gemini/gemini-2.5-flash', 'vertex-europe-west4/gemini-2.5-flash', 'vertex-europe-west4/claude-sonnet-4-6']) {
      let content = '';
      for await (const item of await router.chat.completions.create({ model, messages, stream: true })) {
        content += item.choices[0]?.delta.content ?? '';
        if (item.choices[0]?.finish_reason) break;
      }
      expect(content).toBe('Ja.');
    }
    await router.flush();
    expect(audit.records.map((record) => [record.outcome, record.usage])).toEqual([
      ['success', expect.objectContaining(usage)],
      ['success', expect.objectContaining(usage)],
      ['success', expect.objectContaining(usage)],
    ]);
  });

  it('sends the eu multi-region to its jurisdictional host, and admits global only under global', async () => {
    upstream.use(
      http.post('https://aiplatform.eu.rep.googleapis.com/v1/projects/acme-eu-prod/locations/eu/endpoints/openapi/chat/completions', () =>
        HttpResponse.json({ id: 'c', object: 'chat.completion', created: 1, model: 'google/gemini-2.5-flash', choices: [{ index: 0, message: { role: 'assistant', content: 'Ja.' }, finish_reason: 'stop' }] }),
      ),
    );
    const providers = [vertex({ project: 'acme-eu-prod', location: 'eu', accessToken: 'ya29.eu' }), vertex({ project: 'acme-eu-prod', location: 'global', accessToken: 'ya29.global' })];
    const router = createRouter({ providers, policy: 'eu-hosted', retry: { retries: 0 } });
    const response = await router.chat.completions.create({ model: 'gemini-2.5-flash', messages });
    expect(response.provider).toBe('vertex-eu');
    const candidates = byProvider(router.explain({ model: 'gemini-2.5-flash', messages }).candidates);
    expect(candidates.get('vertex-global')?.eligible).toBe(false);
  });
});

describe('a test- key', () => {
  it('simulates each hyperscaler deployment without credentials', async () => {
    const router = createRouter({
      providers: [bedrock({ region: 'eu-central-1' }), vertex({ project: 'acme-eu-prod', location: 'eu' }), gemini()],
      apiKey: 'test-suite',
      policy: 'global',
    });
    const cases: [string, string, string][] = [
      ['bedrock-eu-central-1/claude-sonnet-4-6', 'bedrock-eu-central-1', 'claude-sonnet-4-6'],
      ['vertex-eu/gemini-2.5-flash', 'vertex-eu', 'gemini-2.5-flash'],
      ['vertex-eu/claude-opus-4-8', 'vertex-eu', 'claude-opus-4-8'],
      ['gemini/gemini-2.5-pro', 'gemini', 'gemini-2.5-pro'],
    ];
    for (const [model, provider, canonical] of cases) {
      const response = await router.chat.completions.create({ model, messages });
      expect(response.route.simulated_for, model).toEqual({ provider, model: canonical });
    }
    const embedded = await router.embeddings.create({ model: 'bedrock-eu-central-1/titan-embed-text-v2', input: 'Hallo' });
    expect(embedded.data).toHaveLength(1);
    expect(upstream.requests).toHaveLength(0);
  });

  it('reports what each deployment is missing without credentials', () => {
    expect(bedrock({ region: 'eu-central-1' }).missingConfiguration?.()).toBe('no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or pass credentials');
    expect(bedrock({ region: 'eu-central-1', credentials }).missingConfiguration?.()).toBeUndefined();
    expect(vertex({ location: 'eu' }).missingConfiguration?.()).toMatch(/no Google Cloud project/);
    expect(vertex({ project: 'acme-eu-prod', location: 'eu' }).missingConfiguration?.()).toMatch(/no Google credentials/);
    expect(gemini().missingConfiguration?.()).toMatch(/GEMINI_API_KEY/);
  });

  it('says so where the shared credentials file cannot be read (Node before 20.16, outside Node)', () => {
    const runtime = process as { getBuiltinModule?: unknown };
    const original = runtime.getBuiltinModule;
    runtime.getBuiltinModule = undefined;
    try {
      expect(bedrock({ region: 'eu-central-1' }).missingConfiguration?.()).toBe(
        'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or pass credentials (the shared credentials file of AWS_PROFILE is read on Node 20.16 and later only)',
      );
    } finally {
      runtime.getBuiltinModule = original;
    }
  });
});
