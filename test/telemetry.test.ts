import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context as otelContext, ROOT_CONTEXT, trace as otelTrace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, MetricReader, PeriodicExportingMetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { azureOpenAI, bedrock, contentHash, createRouter, gemini, groq, memoryAudit, openai, openaiCompatible, vertex, type ChatCompletion, type Provider, type Router, type RouterError } from '../src/index.js';
import { serve } from '../src/node/index.js';
import { hashedKeyId } from '../src/router/router-context.js';
import { libraryVersion } from '../src/version.js';

/* OpenTelemetry spans and metrics of routed calls, read back from in-memory exporters. */

const received: { path: string; headers: IncomingHttpHeaders }[] = [];
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (part: Buffer) => (body += part.toString()));
  request.on('end', () => {
    received.push({ path: request.url ?? '', headers: request.headers });
    // Never answers: the caller gives up first.
    if (request.url?.startsWith('/hang/')) return;
    if (request.url?.startsWith('/fail/')) {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
      return;
    }
    const parsed = JSON.parse(body) as { model: string; stream?: boolean };
    if (request.url?.endsWith('/embeddings')) {
      const answer = { object: 'list', model: `${parsed.model}-v2`, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 4, total_tokens: 4 } };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      return;
    }
    if (request.url?.endsWith('/v1/completions')) {
      const answer = { id: 'cmpl-1', object: 'text_completion', created: 1, model: `${parsed.model}-v3`, choices: [{ index: 0, text: 'Hi', finish_reason: 'length' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      return;
    }
    if (parsed.stream) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null = null) =>
        `data: ${JSON.stringify({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model: parsed.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      response.write(chunk({ role: 'assistant', content: 'Hel' }));
      response.write(chunk({ content: 'lo' }, 'stop'));
      response.write(`data: ${JSON.stringify({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model: parsed.model, choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } })}\n\n`);
      response.end('data: [DONE]\n\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: `${parsed.model}-2026`,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      }),
    );
  });
});
let origin = '';

const spans = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('test');
const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
const meter = new MeterProvider({ readers: [reader] }).getMeter('test');

/** The test meter with some of its instrument factories replaced (a broken exporter or meter). */
function meterWith(replaced: Partial<Pick<typeof meter, 'createCounter' | 'createHistogram' | 'createObservableGauge'>>): typeof meter {
  return {
    ...meter,
    createCounter: meter.createCounter.bind(meter),
    createHistogram: meter.createHistogram.bind(meter),
    createObservableGauge: meter.createObservableGauge.bind(meter),
    ...replaced,
  } as typeof meter;
}

const eu = { operator: { name: 'EU SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
const us = { operator: { name: 'US Inc', country: 'US', parents: [] }, hosting: ['US'] };

function deployment(id: string, path: string, jurisdiction = eu, price = 1) {
  return openaiCompatible({
    id,
    baseURL: `${origin}/${path}/v1`,
    apiKey: 'sk-upstream',
    jurisdiction,
    models: [{ id: 'm', price: { input: price, output: price * 2, currency: 'EUR' } }],
  });
}

let router: Router;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  router = createRouter({
    // Cheapest first: the failing EU deployment, then the working one; the US one only under global.
    providers: [deployment('eu-failing', 'fail', eu, 1), deployment('eu-working', 'ok', eu, 2), deployment('us-only', 'ok', us, 0.5)],
    policy: 'eu-hosted',
    strategy: 'cheapest',
    retry: { retries: 0 },
    telemetry: { tracer, meter },
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  spans.reset();
  received.length = 0;
});

const ask = { messages: [{ role: 'user' as const, content: 'hello' }], max_tokens: 50, temperature: 0.2 };
const requestSpans = () => spans.getFinishedSpans().filter((span) => span.attributes['sovroute.audit_id'] !== undefined);
const attemptSpans = () => spans.getFinishedSpans().filter((span) => span.attributes['sovroute.attempt'] !== undefined);

describe('telemetry: spans', () => {
  it('a successful call: one request span with the GenAI attributes and one attempt span under it', async () => {
    const response = await router.chat.completions.create({ ...ask, model: 'eu-working/m' });
    const [request] = requestSpans();
    const attempts = attemptSpans();
    expect(requestSpans()).toHaveLength(1);
    expect(attempts).toHaveLength(1);
    expect(request!.name).toBe('chat eu-working/m');
    // The routing runs in the process; its one call to a remote service is the attempt's.
    expect(request!.kind).toBe(0); // INTERNAL
    expect(request!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'eu-working',
      'gen_ai.request.model': 'eu-working/m',
      'gen_ai.response.model': 'm-2026',
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.temperature': 0.2,
      'server.address': '127.0.0.1',
      'sovroute.policy': 'eu-hosted',
      'sovroute.tier': response.route.tier,
      'sovroute.objective': response.route.objective,
      'sovroute.provider': 'eu-working',
      'sovroute.fallback_used': false,
      'sovroute.cost': response.usage.cost,
      'sovroute.currency': 'EUR',
      'sovroute.audit_id': response.route.audit_id,
      'sovroute.simulated': false,
    });
    expect(request!.status.code).toBe(0);
    expect(attempts[0]!.name).toBe('chat m');
    expect(attempts[0]!.kind).toBe(2); // CLIENT
    expect(attempts[0]!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    expect(attempts[0]!.attributes).toMatchObject({ 'gen_ai.provider.name': 'eu-working', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 3 });
  });

  it('token usage is on the attempt span that served the call, once: summed over every span of the request it is the call\'s usage', async () => {
    const sumOf = (key: string) => spans.getFinishedSpans().reduce((sum, span) => sum + Number(span.attributes[key] ?? 0), 0);
    // Answered by the first deployment tried, and after a fallback (the failed attempt used no tokens).
    for (const model of ['eu-working/m', 'eu-hosted/m']) {
      spans.reset();
      const response = await router.chat.completions.create({ ...ask, model });
      expect(sumOf('gen_ai.usage.input_tokens'), model).toBe(response.usage.prompt_tokens);
      expect(sumOf('gen_ai.usage.output_tokens'), model).toBe(response.usage.completion_tokens);
      const served = attemptSpans().find((span) => span.status.code === 0)!;
      expect(served.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 3 });
      expect(requestSpans()[0]!.attributes).not.toHaveProperty('gen_ai.usage.input_tokens');
    }
    // A stream: its usage arrives on its last chunk.
    spans.reset();
    const stream = await router.chat.completions.create({ ...ask, model: 'eu-working/m', stream: true, stream_options: { include_usage: true } });
    for await (const _chunk of stream);
    expect(sumOf('gen_ai.usage.input_tokens')).toBe(9);
    expect(sumOf('gen_ai.usage.output_tokens')).toBe(2);
  });

  it("the attempt spans (the conventions' model calls) carry the request's parameters, and a stream's its flag and time to first chunk", async () => {
    await router.chat.completions.create({ ...ask, model: 'eu-hosted/m', seed: 7 });
    const attempts = attemptSpans();
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) {
      expect(attempt.attributes).toMatchObject({ 'gen_ai.request.max_tokens': 50, 'gen_ai.request.temperature': 0.2, 'gen_ai.request.seed': 7 });
      expect(attempt.attributes).not.toHaveProperty('gen_ai.request.stream');
      expect(attempt.attributes).not.toHaveProperty('gen_ai.response.time_to_first_chunk');
    }
    spans.reset();
    const stream = await router.chat.completions.create({ ...ask, model: 'eu-working/m', stream: true });
    for await (const _chunk of stream);
    const [attempt] = attemptSpans();
    expect(attempt!.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.request.max_tokens': 50 });
    const firstChunk = attempt!.attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(firstChunk).toBeGreaterThan(0);
    const [seconds, nanos] = attempt!.duration;
    expect(firstChunk).toBeLessThanOrEqual(seconds + nanos / 1e9);
  });

  it('a request refused before its model is known is named by its operation alone, not after a model called "unknown"', async () => {
    const refusal = await router.fetch('http://router.test/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer sk-any' }, body: '{not json' });
    expect(refusal.status).toBe(400);
    const [request] = requestSpans();
    expect(request!.name).toBe('chat');
    expect(request!.attributes).not.toHaveProperty('gen_ai.request.model');
  });

  it('the serving attempt span says how many input tokens were read from and written to the prompt cache', async () => {
    const answer = (details: object) => ({
      id: 'chatcmpl-c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 20, completion_tokens: 2, total_tokens: 22, prompt_tokens_details: details },
    });
    let details: object = { cached_tokens: 8, cache_write_tokens: 5 };
    const caching = openaiCompatible({
      id: 'eu-caching',
      baseURL: 'https://caching.test/v1',
      jurisdiction: eu,
      models: [{ id: 'm' }],
      fetch: async () => new Response(JSON.stringify(answer(details)), { headers: { 'content-type': 'application/json' } }),
    });
    const traced = createRouter({ providers: [caching], telemetry: { tracer, meter } });
    await traced.chat.completions.create({ ...ask, model: 'm' });
    expect(attemptSpans()[0]!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.cache_read.input_tokens': 8, 'gen_ai.usage.cache_creation.input_tokens': 5 });
    // None reported: none said.
    spans.reset();
    details = {};
    await traced.chat.completions.create({ ...ask, model: 'm' });
    expect(attemptSpans()[0]!.attributes).not.toHaveProperty('gen_ai.usage.cache_read.input_tokens');
    expect(attemptSpans()[0]!.attributes).not.toHaveProperty('gen_ai.usage.cache_creation.input_tokens');
  });

  it('traces the first requests of a new router, made in the turn that created it', async () => {
    const fresh = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter } });
    const calls = [
      fresh.chat.completions.create({ ...ask, model: 'eu-working/m' }),
      // Refused before its body is read: its record opens at once.
      fresh.fetch('http://router.test/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer sk-any' }, body: '{not json' }),
    ] as const;
    const [answer, refusal] = await Promise.all(calls);
    expect(refusal.status).toBe(400);
    const audited = new Map(requestSpans().map((span) => [span.attributes['sovroute.audit_id'], span]));
    expect(audited.get(answer.route.audit_id)?.attributes['sovroute.outcome']).toBe('success');
    expect(audited.size).toBe(2);
  });

  it('a meter that throws while the instruments are made: reported to the logger, and calls are answered untraced', async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => errors.push(message) };
    const broken = meterWith({ createCounter: () => { throw new Error('meter exploded'); } });
    const fresh = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter: broken as never }, logger });
    const answer = await fresh.chat.completions.create({ ...ask, model: 'eu-working/m' });
    expect(answer.choices[0]!.message.content).toBe('Hello.');
    expect(errors).toEqual(['meter exploded']);
    expect(requestSpans()).toHaveLength(0);
  });

  it('a histogram that throws when it records (a broken exporter or meter) does not keep the request\'s span from ending', async () => {
    const histograms = meter.createHistogram.bind(meter);
    const broken = meterWith({
      createHistogram: (...args: Parameters<typeof meter.createHistogram>) => ({ ...histograms(...args), record: () => { throw new Error('histogram exploded'); } }),
    });
    const measured = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter: broken as never } });
    const answer = await measured.chat.completions.create({ ...ask, model: 'm' });
    expect(answer.choices[0]!.message.content).toBe('Hello.');
    expect(requestSpans().map((span) => span.attributes['sovroute.audit_id'])).toEqual([answer.route.audit_id]);
    expect(attemptSpans()).toHaveLength(1);
  });

  it('a span processor that throws as a span ends loses neither the other span nor the metrics', async () => {
    const exported = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const ownReader = new PeriodicExportingMetricReader({ exporter: exported, exportIntervalMillis: 3_600_000 });
    const fragileMeter = new MeterProvider({ readers: [ownReader] }).getMeter('fragile');
    // A processor with a bug on spans of one kind (it reads an attribute they do not have), placed first.
    const fragileRouter = (kind: number) => {
      const throwing = {
        onStart() {},
        onEnd(span: { kind: number }) {
          if (span.kind === kind) throw new Error('processor exploded');
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      };
      const fragile = new BasicTracerProvider({ spanProcessors: [throwing, new SimpleSpanProcessor(spans)] }).getTracer('fragile');
      return createRouter({
        providers: [deployment('eu-failing', 'fail', eu, 1), deployment('eu-working', 'ok', eu, 2)],
        strategy: 'cheapest',
        retry: { retries: 0 },
        health: { failureThreshold: 1_000 },
        telemetry: { tracer: fragile, meter: fragileMeter },
      });
    };
    const named = (name: string) => exported.getMetrics().at(-1)!.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === name);
    // Throwing on the attempt spans (CLIENT).
    const answer = await fragileRouter(2).chat.completions.create({ ...ask, model: 'm' });
    expect(answer.route.fallback_used).toBe(true);
    expect(requestSpans().map((span) => span.attributes['sovroute.audit_id'])).toEqual([answer.route.audit_id]);
    await ownReader.forceFlush();
    const durations = named('gen_ai.client.operation.duration')!.dataPoints as DataPoint<Histogram>[];
    expect(durations.map((point) => point.attributes['error.type'] ?? 'ok').sort()).toEqual(['ok', 'upstream_error']);
    expect(named('gen_ai.client.token.usage')!.dataPoints).toHaveLength(2);
    expect(counterOf(named('sovroute.cost'))).toBeCloseTo(answer.usage.cost, 10);
    expect(counterOf(named('sovroute.fallbacks'))).toBe(1);
    // Throwing on the request span (INTERNAL): the cost and the fallback are still counted.
    const again = await fragileRouter(0).chat.completions.create({ ...ask, model: 'm' });
    await ownReader.forceFlush();
    expect(counterOf(named('sovroute.cost'))).toBeCloseTo(answer.usage.cost + again.usage.cost, 10);
    expect(counterOf(named('sovroute.fallbacks'))).toBe(2);
    await ownReader.shutdown();
  });

  it('a logger whose debug throws (a closed destination) does not keep the request\'s spans from ending', async () => {
    const closed = { debug() { throw new Error('destination closed'); }, info() {}, warn() {}, error() {} };
    const logged = createRouter({ providers: [deployment('eu-working', 'ok')], logger: closed, telemetry: { tracer, meter } });
    const answer = await logged.chat.completions.create({ ...ask, model: 'm' });
    expect(answer.choices[0]!.message.content).toBe('Hello.');
    expect(requestSpans().map((span) => span.attributes['sovroute.audit_id'])).toEqual([answer.route.audit_id]);
    expect(attemptSpans()).toHaveLength(1);
  });

  it('a call that fell back: two attempt spans, the first with its error status', async () => {
    const response = await router.chat.completions.create({ ...ask, model: 'eu-hosted/m' });
    expect(response.route.fallback_used).toBe(true);
    const attempts = attemptSpans().sort((a, b) => Number(a.attributes['sovroute.attempt']) - Number(b.attributes['sovroute.attempt']));
    expect(attempts.map((span) => span.attributes['sovroute.provider'])).toEqual(['eu-failing', 'eu-working']);
    expect(attempts[0]!.status.code).toBe(2); // ERROR
    expect(attempts[0]!.attributes['error.type']).toBe('upstream_error');
    expect(attempts[0]!.attributes['sovroute.upstream_status']).toBe(500);
    expect(attempts[1]!.status.code).toBe(0);
    expect(requestSpans()[0]!.attributes['sovroute.fallback_used']).toBe(true);
    // One CLIENT span per request an upstream received: what a service map counts as calls.
    expect(spans.getFinishedSpans().filter((span) => span.kind === 2)).toHaveLength(received.length);
    expect(received).toHaveLength(2);
  });

  it('an attempt no upstream answered (connection refused) has no sovroute.upstream_status: the 502 is the router\'s, not the upstream\'s', async () => {
    const unreachable = openaiCompatible({ id: 'eu-unreachable', baseURL: 'http://127.0.0.1:9/v1', jurisdiction: eu, models: [{ id: 'm', price: { input: 1, output: 2, currency: 'EUR' } }] });
    const refused = createRouter({ providers: [unreachable], retry: { retries: 0 }, telemetry: { tracer, meter } });
    const error = (await refused.chat.completions.create({ ...ask, model: 'm' }).catch((caught: unknown) => caught)) as RouterError;
    expect(error.code).toBe('all_providers_failed');
    const [attempt] = attemptSpans();
    expect(attempt!.attributes['error.type']).toBe('upstream_error');
    expect(attempt!.status.code).toBe(2);
    expect(attempt!.attributes['sovroute.upstream_status']).toBeUndefined();
  });

  it('a denied call over a large catalogue: the span status says why in one line, not the kilobytes listing every excluded candidate', async () => {
    const many = Array.from({ length: 200 }, (_, index) => deployment(`us-${index}`, 'ok', us));
    const denying = createRouter({ providers: many, policy: 'eu-hosted', telemetry: { tracer, meter } });
    const error = (await denying.chat.completions.create({ ...ask, model: 'm' }).catch((caught: unknown) => caught)) as RouterError;
    expect(error.message.length).toBeGreaterThan(10_000);
    const [request] = requestSpans();
    expect(request!.status.code).toBe(2);
    expect(request!.status.message).toBe(error.message.split('\n', 1)[0]);
    expect(request!.status.message!.length).toBeLessThanOrEqual(1024);
  });

  it('a denied call: a request span with error.type policy_violation and no attempt span', async () => {
    const error = (await router.chat.completions.create({ ...ask, model: 'us-only/m' }).catch((caught: unknown) => caught)) as RouterError;
    expect(error.code).toBe('policy_violation');
    expect(attemptSpans()).toHaveLength(0);
    const [request] = requestSpans();
    expect(request!.attributes['error.type']).toBe('policy_violation');
    expect(request!.attributes['sovroute.outcome']).toBe('denied');
    expect(request!.status.code).toBe(2);
    expect(received).toHaveLength(0);
  });

  it('a stream: its spans end when the stream ends, with its usage and cost', async () => {
    const stream = await router.chat.completions.create({ ...ask, model: 'eu-working/m', stream: true, stream_options: { include_usage: true } });
    expect(requestSpans()).toHaveLength(0);
    let cost: number | undefined;
    for await (const chunk of stream) if (chunk.usage && 'cost' in chunk.usage) cost = chunk.usage.cost;
    const [request] = requestSpans();
    expect(request!.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'chatcmpl-s',
      'gen_ai.response.finish_reasons': ['stop'],
      'sovroute.cost': cost,
    });
    expect(request!.events.map((event) => event.name)).toContain('sovroute.first_chunk');
    expect(attemptSpans()).toHaveLength(1);
    expect(attemptSpans()[0]!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 9, 'gen_ai.usage.output_tokens': 2 });
  });

  it('content: the answer of a call, streamed or not, is on its request span as hashes or as text (audit content off)', async () => {
    for (const content of ['hash', 'full'] as const) {
      const traced = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter, content } });
      for (const stream of [false, true]) {
        spans.reset();
        const answer = await traced.chat.completions.create({ ...ask, model: 'm', stream });
        if (stream) for await (const _chunk of answer as AsyncIterable<unknown>);
        const [request] = requestSpans();
        const output = content === 'hash' ? request!.attributes['sovroute.output.sha256'] : request!.attributes['gen_ai.output.messages'];
        expect(output, `${content}, stream ${stream}`).toBeDefined();
        if (content === 'full') expect(output).toContain(stream ? 'Hello' : 'Hello.');
      }
    }
  });

  it("content 'hash' or 'full': a request holding a value JSON cannot write (an in-process BigInt) still ends its span", async () => {
    for (const content of ['hash', 'full'] as const) {
      spans.reset();
      const traced = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter, content } });
      const unwritable = [{ role: 'user', content: [{ type: 'text', text: 'hi', extra: 10n }] }];
      const error = (await traced.chat.completions.create({ model: 'm', messages: unwritable } as never).catch((caught: unknown) => caught)) as RouterError;
      expect(error.code, content).toBe('invalid_request');
      const [request] = requestSpans();
      expect(request, content).toBeDefined();
      expect(request!.attributes['error.type']).toBe('invalid_request');
      expect(request!.status.code).toBe(2);
    }
    expect(received).toHaveLength(0);
  });

  it("content 'hash': a long conversation adds at most 256 digests to its span, the newest messages'", async () => {
    const traced = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter, content: 'hash' } });
    const long = Array.from({ length: 3000 }, (_, index) => ({ role: index % 2 === 0 ? ('user' as const) : ('assistant' as const), content: `turn ${index}` }));
    await traced.chat.completions.create({ model: 'm', messages: long });
    const digests = requestSpans()[0]!.attributes['sovroute.input.sha256'] as string[];
    expect(digests).toHaveLength(256);
    expect(digests.at(-1)).toBe(contentHash(long.at(-1)));
    expect(digests[0]).toBe(contentHash(long.at(-256)));
  });

  it("content 'full': the messages and the answer in the conventions' shape (role and typed parts, the answer's finish reason)", async () => {
    const seeing = openaiCompatible({ id: 'eu-seeing', baseURL: `${origin}/ok/v1`, jurisdiction: eu, models: [{ id: 'm', capabilities: ['chat', 'tools', 'vision'] }] });
    const traced = createRouter({ providers: [seeing], telemetry: { tracer, meter, content: 'full' } });
    await traced.chat.completions.create({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'https://example.test/sky.png' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
      ],
    });
    const [request] = requestSpans();
    expect(JSON.parse(request!.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather?' }, { type: 'uri', modality: 'image', uri: 'https://example.test/sky.png' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'Sunny' }] },
    ]);
    expect(JSON.parse(request!.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello.' }], finish_reason: 'stop' },
    ]);
  });

  it("content 'full': each answer keeps its own finish reason when the upstream lists its choices out of order", async () => {
    const answer = {
      id: 'chatcmpl-2',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        { index: 1, message: { role: 'assistant', content: 'Second, cut' }, finish_reason: 'length' },
        { index: 0, message: { role: 'assistant', content: 'First.' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
    };
    const unordered = openaiCompatible({
      id: 'eu-unordered',
      baseURL: 'https://unordered.test/v1',
      jurisdiction: eu,
      models: [{ id: 'm' }],
      fetch: async () => new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } }),
    });
    const traced = createRouter({ providers: [unordered], telemetry: { tracer, meter, content: 'full' } });
    await traced.chat.completions.create({ ...ask, model: 'm', n: 2 });
    const [request] = requestSpans();
    const output = JSON.parse(request!.attributes['gen_ai.output.messages'] as string) as { parts: { content: string }[]; finish_reason: string }[];
    expect(output.map((message) => [message.parts[0]!.content, message.finish_reason])).toEqual([
      ['First.', 'stop'],
      ['Second, cut', 'length'],
    ]);
    expect(request!.attributes['gen_ai.response.finish_reasons']).toEqual(['stop', 'length']);
  });

  it("content 'full': a conversation over 16 KiB is cut to JSON that still parses, its newest message kept", async () => {
    const traced = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter, content: 'full' } });
    const earlier = Array.from({ length: 400 }, (_, index) => ({ role: index % 2 === 0 ? ('user' as const) : ('assistant' as const), content: `turn ${index} `.repeat(20) }));
    await traced.chat.completions.create({ model: 'm', messages: [...earlier, { role: 'user', content: `Last question: ${'why '.repeat(10_000)}` }] });
    const [request] = requestSpans();
    const text = request!.attributes['gen_ai.input.messages'] as string;
    expect(text.length).toBeLessThanOrEqual(16 * 1024);
    const messages = JSON.parse(text) as { role: string; parts: { type: string; content: string }[] }[];
    const last = messages.at(-1)!;
    expect(last.role).toBe('user');
    expect(last.parts[0]!.content).toMatch(/^Last question: why why .*…$/);

    // A short newest message: the oldest are left out, the newest kept whole.
    spans.reset();
    await traced.chat.completions.create({ model: 'm', messages: [...earlier, { role: 'user', content: 'Last question?' }] });
    const kept = JSON.parse(requestSpans()[0]!.attributes['gen_ai.input.messages'] as string) as { parts: { content: string }[] }[];
    expect(kept.length).toBeGreaterThan(1);
    expect(kept.length).toBeLessThan(earlier.length);
    expect(kept.at(-1)!.parts[0]!.content).toBe('Last question?');
    expect(kept.at(-2)!.parts[0]!.content).toBe(earlier.at(-1)!.content);
  });

  it("content 'full': a newest message over 16 KiB whose text sits in nested parts (a tool result's text parts) is cut, not dropped", async () => {
    const traced = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter, content: 'full' } });
    const call = { id: 'call_1', type: 'function' as const, function: { name: 'lookup', arguments: '{}' } };
    await traced.chat.completions.create({
      model: 'm',
      messages: [
        { role: 'user', content: 'Look it up.' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: `Rows: ${'row '.repeat(10_000)}` }] },
      ],
    });
    const text = requestSpans()[0]!.attributes['gen_ai.input.messages'] as string;
    expect(text.length).toBeLessThanOrEqual(16 * 1024);
    const messages = JSON.parse(text) as { role: string; parts: { type: string; response: { text: string }[] }[] }[];
    expect(messages).toHaveLength(1);
    expect(messages[0]!.role).toBe('tool');
    expect(messages[0]!.parts[0]!.response[0]!.text).toMatch(/^Rows: row row .*…$/);
  });

  it('legacy completions and embeddings: the spans and the duration metric name the model, id and finish reasons the answer gave', async () => {
    const offers = openaiCompatible({
      id: 'eu-offers',
      baseURL: `${origin}/ok/v1`,
      jurisdiction: eu,
      models: [
        { id: 'text', capabilities: ['completions'] },
        { id: 'vectors', capabilities: ['embeddings'] },
      ],
    });
    const exported = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const ownReader = new PeriodicExportingMetricReader({ exporter: exported, exportIntervalMillis: 3_600_000 });
    const traced = createRouter({ providers: [offers], telemetry: { tracer, meter: new MeterProvider({ readers: [ownReader] }).getMeter('answers') } });
    await traced.completions.create({ model: 'text', prompt: 'Say hi' });
    await traced.embeddings.create({ model: 'vectors', input: 'hello' });
    const byOperation = (operation: string) => requestSpans().find((span) => span.attributes['gen_ai.operation.name'] === operation)!;
    const attemptOf = (operation: string) => attemptSpans().find((span) => span.attributes['gen_ai.operation.name'] === operation)!;
    for (const span of [byOperation('text_completion'), attemptOf('text_completion')]) {
      expect(span.attributes).toMatchObject({ 'gen_ai.response.model': 'text-v3', 'gen_ai.response.id': 'cmpl-1', 'gen_ai.response.finish_reasons': ['length'] });
    }
    for (const span of [byOperation('embeddings'), attemptOf('embeddings')]) expect(span.attributes['gen_ai.response.model']).toBe('vectors-v2');
    await ownReader.forceFlush();
    const durations = exported.getMetrics().at(-1)!.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === 'gen_ai.client.operation.duration')!;
    expect(durations.dataPoints.map((point) => point.attributes['gen_ai.response.model']).sort()).toEqual(['text-v3', 'vectors-v2']);
    await ownReader.shutdown();
  });

  it('a legacy completion\'s span has its generation parameters, as a chat request\'s has', async () => {
    const writer = openaiCompatible({ id: 'eu-writer', baseURL: `${origin}/ok/v1`, jurisdiction: eu, models: [{ id: 'text', capabilities: ['completions'] }] });
    const traced = createRouter({ providers: [writer], telemetry: { tracer, meter } });
    await traced.completions.create({ model: 'text', prompt: 'Say hi', max_tokens: 7, temperature: 0.4, top_p: 0.9, n: 2, seed: 42 });
    expect(requestSpans()[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.request.max_tokens': 7,
      'gen_ai.request.temperature': 0.4,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.choice.count': 2,
      'gen_ai.request.seed': 42,
    });
  });

  it('gen_ai.provider.name is the vendor\'s well-known name for a preset given an id of its own', async () => {
    const deployments: [Provider, string][] = [
      [openai({ id: 'openai-eu', apiKey: 'sk-upstream-key' }), 'openai'],
      [azureOpenAI({ id: 'azure-swe', resource: 'contoso-swe', apiKey: 'azure-upstream-key' }), 'azure.ai.openai'],
      [groq({ id: 'fast-lane', apiKey: 'gsk-upstream-key' }), 'groq'],
      [gemini({ id: 'google-ai', apiKey: 'gemini-upstream-key' }), 'gcp.gemini'],
      // Adapters whose requests go to more than one address, by the preset they were built from.
      [bedrock({ id: 'claude-eu', region: 'eu-central-1', apiKey: 'bedrock-upstream-key' }), 'aws.bedrock'],
      [vertex({ id: 'gemini-eu', project: 'my-project-1', location: 'europe-west4', accessToken: 'vertex-upstream-token' }), 'gcp.vertex_ai'],
    ];
    const traced = createRouter({ providers: deployments.map(([provider]) => provider), telemetry: { tracer, meter } });
    for (const [provider, name] of deployments) {
      spans.reset();
      const chat = provider.models.find((offer) => offer.capabilities?.includes('chat') ?? true)!;
      await traced.chat.completions.create({ ...ask, model: `${provider.id}/${chat.id}` }, { apiKey: 'test-names' });
      expect(requestSpans()[0]!.attributes['gen_ai.provider.name'], provider.id).toBe(name);
      expect(attemptSpans()[0]!.attributes['gen_ai.provider.name'], provider.id).toBe(name);
    }
  });

  it('gen_ai.provider.name is the well-known name of every vendor the conventions list, reached through openaiCompatible under any id', async () => {
    const vendors: [string, string][] = [
      ['https://api.x.ai/v1', 'x_ai'],
      ['https://api.deepseek.com/v1', 'deepseek'],
      ['https://api.perplexity.ai', 'perplexity'],
      ['https://api.cohere.ai/compatibility/v1', 'cohere'],
      ['https://contoso.services.ai.azure.com/models', 'azure.ai.inference'],
      ['https://eu-de.ml.cloud.ibm.com/ml/v1', 'ibm.watsonx.ai'],
    ];
    const deployments = vendors.map(([baseURL], index) => openaiCompatible({ id: `vendor-${index}`, baseURL, apiKey: 'sk-upstream', models: [{ id: 'm' }] }));
    const traced = createRouter({ providers: deployments, telemetry: { tracer, meter } });
    for (const [index, [baseURL, name]] of vendors.entries()) {
      spans.reset();
      await traced.chat.completions.create({ ...ask, model: `vendor-${index}/m` }, { apiKey: 'test-names' });
      expect(attemptSpans()[0]!.attributes['gen_ai.provider.name'], baseURL).toBe(name);
    }
  });

  it('embeddings report input tokens only: no output token count of 0 on their spans or in the token histogram', async () => {
    const vectors = openaiCompatible({ id: 'eu-vectors', baseURL: `${origin}/ok/v1`, jurisdiction: eu, models: [{ id: 'vectors', capabilities: ['embeddings'] }] });
    const exported = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const ownReader = new PeriodicExportingMetricReader({ exporter: exported, exportIntervalMillis: 3_600_000 });
    const traced = createRouter({ providers: [vectors], telemetry: { tracer, meter: new MeterProvider({ readers: [ownReader] }).getMeter('embeddings') } });
    await traced.embeddings.create({ model: 'vectors', input: 'hello' });
    const [attempt] = attemptSpans();
    expect(attempt!.attributes['gen_ai.usage.input_tokens']).toBe(4);
    expect(attempt!.attributes).not.toHaveProperty('gen_ai.usage.output_tokens');
    await ownReader.forceFlush();
    const usage = exported.getMetrics().at(-1)!.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === 'gen_ai.client.token.usage')!;
    expect(usage.dataPoints.map((point) => point.attributes['gen_ai.token.type'])).toEqual(['input']);
    await ownReader.shutdown();
  });

  it('propagates the attempt span as traceparent upstream', async () => {
    await router.chat.completions.create({ ...ask, model: 'eu-working/m' });
    const [attempt] = attemptSpans();
    const { traceId, spanId } = attempt!.spanContext();
    expect(received[0]!.headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it('the upstream call runs with its attempt span active, so HTTP instrumentation and fetch wrappers nest under it', async () => {
    const contextManager = new AsyncLocalStorageContextManager().enable();
    otelContext.setGlobalContextManager(contextManager);
    try {
      const activeAtCall: (string | undefined)[] = [];
      const observed = openaiCompatible({
        id: 'eu-observed',
        baseURL: `${origin}/ok/v1`,
        jurisdiction: eu,
        models: [{ id: 'm' }],
        // What an HTTP instrumentation does: read the active span when the request starts.
        fetch: (input, init) => {
          activeAtCall.push(otelTrace.getSpan(otelContext.active())?.spanContext().spanId);
          return fetch(input, init);
        },
      });
      const traced = createRouter({ providers: [observed], telemetry: { tracer, meter } });
      await traced.chat.completions.create({ ...ask, model: 'm' });
      const [attempt] = attemptSpans();
      expect(activeAtCall).toEqual([attempt!.spanContext().spanId]);
    } finally {
      otelContext.disable();
      contextManager.disable();
    }
  });

  it('sends no trace context with propagate: false, and never a key in a span', async () => {
    const quiet = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter, propagate: false } });
    await quiet.chat.completions.create({ ...ask, model: 'm' });
    expect(received[0]!.headers.traceparent).toBeUndefined();
    expect(JSON.stringify(spans.getFinishedSpans().map((span) => span.attributes))).not.toContain('sk-upstream');
  });
});

describe('telemetry: the trace context a request arrives with', () => {
  // A caller's span, as its own tracing would send it.
  const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpan = '00f067aa0ba902b7';
  const traceparent = `00-${callerTrace}-${callerSpan}-01`;
  const body = JSON.stringify({ ...ask, model: 'eu-working/m' });

  function post(headers: Record<string, string>, target: Router = router): Promise<Response> {
    return target.fetch('http://router.test/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-any', ...headers }, body });
  }

  it('router.fetch: the request span continues the traceparent it was sent, and carries its tracestate upstream', async () => {
    const response = await post({ traceparent, tracestate: 'vendor=opaque,other=1' });
    expect(response.status).toBe(200);
    const [request] = requestSpans();
    expect(request!.spanContext().traceId).toBe(callerTrace);
    expect(request!.parentSpanContext?.spanId).toBe(callerSpan);
    expect(request!.spanContext().traceState?.serialize()).toBe('vendor=opaque,other=1');
    const [attempt] = attemptSpans();
    expect(attempt!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    expect(received[0]!.headers.traceparent).toBe(`00-${callerTrace}-${attempt!.spanContext().spanId}-01`);
    expect(received[0]!.headers.tracestate).toBe('vendor=opaque,other=1');
  });

  it.each([
    ['a streamed chat completion', '/v1/chat/completions', { ...ask, model: 'eu-working/m', stream: true }],
    ['a Responses request', '/v1/responses', { model: 'eu-working/m', input: 'hello' }],
  ])('router.fetch: %s continues it too', async (_, path, payload) => {
    const response = await router.fetch(`http://router.test${path}`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent }, body: JSON.stringify(payload) });
    expect(response.status).toBe(200);
    await response.text();
    const [request] = requestSpans();
    expect(request!.spanContext().traceId).toBe(callerTrace);
    expect(request!.parentSpanContext?.spanId).toBe(callerSpan);
  });

  it('serve(): a request over HTTP with a traceparent is a child of the caller span', async () => {
    const served = await serve(router, { port: 0 });
    try {
      const { port } = served.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent, tracestate: 'vendor=opaque' },
        body,
      });
      expect(response.status).toBe(200);
      const [request] = requestSpans();
      expect(request!.spanContext().traceId).toBe(callerTrace);
      expect(request!.parentSpanContext?.spanId).toBe(callerSpan);
      expect(request!.spanContext().traceState?.serialize()).toBe('vendor=opaque');
    } finally {
      served.closeAllConnections();
      await new Promise<void>((resolve) => served.close(() => resolve()));
    }
  });

  it('serve(): a refused request (its record written before the body is read) continues the trace too', async () => {
    const served = await serve(router, { port: 0 });
    try {
      const { port } = served.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'text/plain', traceparent }, body });
      expect(response.status).toBe(415);
      const [request] = requestSpans();
      expect(request!.spanContext().traceId).toBe(callerTrace);
      expect(request!.parentSpanContext?.spanId).toBe(callerSpan);
    } finally {
      served.closeAllConnections();
      await new Promise<void>((resolve) => served.close(() => resolve()));
    }
  });

  it('without a traceparent, a request over HTTP starts a new trace', async () => {
    expect((await post({})).status).toBe(200);
    const [request] = requestSpans();
    expect(request!.parentSpanContext).toBeUndefined();
    expect(request!.spanContext().traceId).not.toBe(callerTrace);
  });

  it('a caller sampling its trace out is respected: the span is not recorded', async () => {
    expect((await post({ traceparent: `00-${callerTrace}-${callerSpan}-00` })).status).toBe(200);
    // The test tracer samples by its parent (the SDK default): a parent not sampled records nothing.
    expect(requestSpans()).toHaveLength(0);
    expect(received[0]!.headers.traceparent).toMatch(new RegExp(`^00-${callerTrace}-[0-9a-f]{16}-00$`));
  });

  const malformed = {
    'too short': `00-${callerTrace}-${callerSpan}-1`,
    'a short trace id': `00-${callerTrace.slice(1)}-${callerSpan}-01`,
    'an all-zero trace id': `00-${'0'.repeat(32)}-${callerSpan}-01`,
    'an all-zero span id': `00-${callerTrace}-${'0'.repeat(16)}-01`,
    'uppercase hex': `00-${callerTrace.toUpperCase()}-${callerSpan}-01`,
    'extra fields in version 00': `${traceparent}-extra`,
    'the forbidden version ff': `ff-${callerTrace}-${callerSpan}-01`,
    'a version that is not hex': `0g-${callerTrace}-${callerSpan}-01`,
    'two traceparents joined': `${traceparent}, ${traceparent}`,
    'a huge value': `${traceparent}${'-a'.repeat(32_768)}`,
    'not hex': `00-${'z'.repeat(32)}-${callerSpan}-01`,
  };
  it.each(Object.entries(malformed))('a traceparent with %s is ignored: a new trace, the request answered, the value in no record', async (_, value) => {
    const audit = memoryAudit();
    const audited = createRouter({ providers: [deployment('eu-working', 'ok')], audit: { sinks: [audit] }, telemetry: { tracer, meter } });
    const response = await post({ traceparent: value, tracestate: 'vendor=opaque' }, audited);
    expect(response.status).toBe(200);
    const [request] = requestSpans();
    expect(request!.parentSpanContext).toBeUndefined();
    expect(request!.spanContext().traceId).not.toBe(callerTrace);
    expect(request!.spanContext().traceState).toBeUndefined();
    expect(received[0]!.headers.traceparent).not.toContain(callerTrace);
    expect(received[0]!.headers.tracestate).toBeUndefined();
    await audited.close();
    expect(audit.records).toHaveLength(1);
    expect(JSON.stringify(audit.records)).not.toContain(value.slice(3, 35));
    expect(JSON.stringify(spans.getFinishedSpans().map((span) => span.attributes))).not.toContain(value.slice(3, 35));
  });

  it('a future version with more fields is read by its first four, as the W3C recommendation asks', async () => {
    expect((await post({ traceparent: `01-${callerTrace}-${callerSpan}-01-more` })).status).toBe(200);
    const [request] = requestSpans();
    expect(request!.spanContext().traceId).toBe(callerTrace);
    expect(request!.parentSpanContext?.spanId).toBe(callerSpan);
  });

  it('a tracestate over 512 characters is dropped, the traceparent still continued', async () => {
    const tracestate = Array.from({ length: 40 }, (_, index) => `vendor${index}=${'v'.repeat(20)}`).join(',');
    expect((await post({ traceparent, tracestate })).status).toBe(200);
    const [request] = requestSpans();
    expect(request!.spanContext().traceId).toBe(callerTrace);
    expect(request!.spanContext().traceState?.serialize() ?? '').toBe('');
    expect(received[0]!.headers.tracestate).toBeUndefined();
  });

  it('an HTTP instrumentation span of the same trace stays the parent; an in-process call keeps the active span', async () => {
    const contextManager = new AsyncLocalStorageContextManager().enable();
    otelContext.setGlobalContextManager(contextManager);
    try {
      const remote = otelTrace.setSpanContext(ROOT_CONTEXT, { traceId: callerTrace, spanId: callerSpan, traceFlags: 1, isRemote: true });
      // What an HTTP server instrumentation does: a server span continuing the caller's trace, active while the handler runs.
      const serverSpan = tracer.startSpan('POST /v1/chat/completions', {}, remote);
      await otelContext.with(otelTrace.setSpan(remote, serverSpan), () => post({ traceparent }));
      serverSpan.end();
      expect(requestSpans()[0]!.parentSpanContext?.spanId).toBe(serverSpan.spanContext().spanId);

      spans.reset();
      const own = tracer.startSpan('app work');
      await otelContext.with(otelTrace.setSpan(otelContext.active(), own), () => router.chat.completions.create({ ...ask, model: 'eu-working/m' }));
      own.end();
      const [request] = requestSpans();
      expect(request!.spanContext().traceId).toBe(own.spanContext().traceId);
      expect(request!.parentSpanContext?.spanId).toBe(own.spanContext().spanId);
    } finally {
      otelContext.disable();
      contextManager.disable();
    }
  });
});

function counterOf(metric: { dataPoints: unknown[] } | undefined): number {
  return ((metric?.dataPoints ?? []) as DataPoint<number>[]).reduce((sum, point) => sum + point.value, 0);
}

function histogram(name: string): DataPoint<Histogram>[] {
  const found = metrics
    .getMetrics()
    .at(-1)!
    .scopeMetrics.flatMap((scope) => scope.metrics)
    .find((metric) => metric.descriptor.name === name);
  return (found?.dataPoints ?? []) as DataPoint<Histogram>[];
}

function counterSum(name: string): number {
  const found = metrics
    .getMetrics()
    .at(-1)!
    .scopeMetrics.flatMap((scope) => scope.metrics)
    .find((metric) => metric.descriptor.name === name);
  return ((found?.dataPoints ?? []) as DataPoint<number>[]).reduce((sum, point) => sum + point.value, 0);
}

describe('telemetry: metrics', () => {
  it('token usage, duration, cost and fallback counts match what 100 mixed calls reported', async () => {
    const ownReader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
    const counted = new MeterProvider({ readers: [ownReader] }).getMeter('counted');
    const measured = createRouter({
      providers: [deployment('eu-failing', 'fail', eu, 1), deployment('eu-working', 'ok', eu, 2), deployment('us-only', 'ok', us, 0.5)],
      policy: 'eu-hosted',
      strategy: 'cheapest',
      retry: { retries: 0 },
      health: { failureThreshold: 1_000 },
      telemetry: { tracer, meter: counted },
    });
    const models = ['eu-working/m', 'eu-hosted/m', 'us-only/m', 'eu-working/m'];
    let input = 0;
    let output = 0;
    let cost = 0;
    let fallbacksSeen = 0;
    let attempts = 0;
    let denied = 0;
    for (let index = 0; index < 100; index++) {
      const model = models[index % models.length]!;
      const result = await measured.chat.completions.create({ ...ask, model }).catch((error: RouterError) => error);
      if ('choices' in result) {
        const response = result as ChatCompletion;
        input += response.usage.prompt_tokens;
        output += response.usage.completion_tokens;
        cost += response.usage.cost;
        attempts += response.route.attempts.length;
        if (response.route.fallback_used) fallbacksSeen++;
      } else {
        denied += result.code === 'policy_violation' ? 1 : 0;
      }
    }
    await ownReader.forceFlush();
    const tokenPoints = histogram('gen_ai.client.token.usage');
    const tokenSum = (type: string) => tokenPoints.filter((point) => point.attributes['gen_ai.token.type'] === type).reduce((sum, point) => sum + point.value.sum!, 0);
    expect(tokenSum('input')).toBe(input);
    expect(tokenSum('output')).toBe(output);
    expect(histogram('gen_ai.client.operation.duration').reduce((sum, point) => sum + point.value.count, 0)).toBe(attempts);
    expect(counterSum('sovroute.cost')).toBeCloseTo(cost, 10);
    expect(counterSum('sovroute.fallbacks')).toBe(fallbacksSeen);
    expect(counterSum('sovroute.denials')).toBe(denied);
    expect(fallbacksSeen).toBe(25);
    expect(denied).toBe(25);
    expect(histogram('gen_ai.client.operation.duration')[0]!.value.buckets.boundaries[0]).toBe(0.01);
    await ownReader.shutdown();
  });
});

describe('telemetry: a call the caller ended', () => {
  function measuredRouter(path: string) {
    const exported = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const ownReader = new PeriodicExportingMetricReader({ exporter: exported, exportIntervalMillis: 3_600_000 });
    const measured = createRouter({ providers: [deployment('eu-working', path)], retry: { retries: 0 }, telemetry: { tracer, meter: new MeterProvider({ readers: [ownReader] }).getMeter('ended') } });
    const durations = async () => {
      await ownReader.forceFlush();
      const found = exported.getMetrics().at(-1)?.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === 'gen_ai.client.operation.duration');
      return (found?.dataPoints ?? []) as DataPoint<Histogram>[];
    };
    return { measured, durations, shutdown: () => ownReader.shutdown() };
  }

  it("a caller's abort is not an upstream failure: no error status or error.type on its spans, no failed call in the deployment's duration metric", async () => {
    const { measured, durations, shutdown } = measuredRouter('hang');
    const controller = new AbortController();
    const call = measured.chat.completions.create({ ...ask, model: 'm' }, { signal: controller.signal });
    await expect.poll(() => received.length).toBe(1);
    controller.abort();
    const error = (await call.catch((caught: unknown) => caught)) as RouterError;
    expect(error.code).toBe('aborted');
    const [request] = requestSpans();
    const [attempt] = attemptSpans();
    for (const span of [request!, attempt!]) {
      expect(span.status.code, span.name).toBe(0);
      expect(span.attributes, span.name).not.toHaveProperty('error.type');
      expect(span.attributes['sovroute.outcome'], span.name).toBe('aborted');
    }
    expect((await durations()).filter((point) => point.attributes['error.type'] !== undefined)).toEqual([]);
    await shutdown();
  });

  it('a stream the caller stops reading (break) ends its spans without an error, and counts as no failed call', async () => {
    const { measured, durations, shutdown } = measuredRouter('ok');
    const stream = await measured.chat.completions.create({ ...ask, model: 'm', stream: true });
    for await (const _chunk of stream) break;
    const [request] = requestSpans();
    const [attempt] = attemptSpans();
    expect(request!.attributes['sovroute.outcome']).toBe('aborted');
    for (const span of [request!, attempt!]) {
      expect(span.status.code, span.name).toBe(0);
      expect(span.attributes, span.name).not.toHaveProperty('error.type');
    }
    expect(attempt!.attributes['sovroute.outcome']).toBe('aborted');
    expect((await durations()).filter((point) => point.attributes['error.type'] !== undefined)).toEqual([]);
    await shutdown();
  });
});

describe('telemetry: test keys', () => {
  it('calls answered by the pseudo-LLM add nothing to the provider metrics or the cost: no upstream was called, nothing was spent', async () => {
    const exported = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const ownReader = new PeriodicExportingMetricReader({ exporter: exported, exportIntervalMillis: 3_600_000 });
    const counted = new MeterProvider({ readers: [ownReader] }).getMeter('simulated');
    const simulating = createRouter({ providers: [deployment('eu-working', 'ok')], retry: { retries: 0 }, telemetry: { tracer, meter: counted } });
    const testKey = { apiKey: 'test-developer' };
    await simulating.chat.completions.create({ ...ask, model: 'm' }, testKey);
    const stream = await simulating.chat.completions.create({ ...ask, model: 'm', stream: true }, testKey);
    for await (const _chunk of stream);
    const fault = (await simulating.chat.completions
      .create({ ...ask, model: 'm', simulate: { fault: 'server_error' } }, testKey)
      .catch((error: unknown) => error)) as RouterError;
    expect(fault.code).toBe('all_providers_failed');
    expect(requestSpans().map((span) => span.attributes['sovroute.simulated'])).toEqual([true, true, true]);
    await ownReader.forceFlush();
    const named = (name: string) => exported.getMetrics().at(-1)!.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === name);
    for (const name of ['gen_ai.client.operation.duration', 'gen_ai.client.token.usage', 'gen_ai.client.operation.time_to_first_chunk', 'sovroute.cost']) {
      expect(named(name)?.dataPoints ?? [], name).toEqual([]);
    }
    // A real call still counts.
    await simulating.chat.completions.create({ ...ask, model: 'm' });
    await ownReader.forceFlush();
    expect(named('gen_ai.client.operation.duration')!.dataPoints).toHaveLength(1);
    expect(named('sovroute.cost')!.dataPoints).toHaveLength(1);
    await ownReader.shutdown();
  });

  it("a test key's attempt is an in-process call: kind INTERNAL, and no span names a server that was never contacted", async () => {
    const simulating = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter } });
    await simulating.chat.completions.create({ ...ask, model: 'm' }, { apiKey: 'test-developer' });
    const [attempt] = attemptSpans();
    const [request] = requestSpans();
    expect(attempt!.kind).toBe(0); // INTERNAL
    expect(attempt!.attributes['gen_ai.provider.name']).toBe('eu-working');
    for (const span of [attempt!, request!]) {
      expect(span.attributes).not.toHaveProperty('server.address');
      expect(span.attributes).not.toHaveProperty('server.port');
    }
    expect(received).toHaveLength(0);
  });
});

describe('telemetry: a closed router', () => {
  /** A reader collected on demand, reporting only what was observed since the last collection. */
  class DeltaReader extends MetricReader {
    constructor() {
      super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
    }
    protected override async onShutdown(): Promise<void> {}
    protected override async onForceFlush(): Promise<void> {}
  }

  it('is no longer observed by the meter: its circuits and audit queue stop being reported, and the meter no longer holds it', async () => {
    const reader = new DeltaReader();
    const shared = new MeterProvider({ readers: [reader] }).getMeter('shared');
    const observed = async () => {
      const { resourceMetrics } = await reader.collect();
      const gauges = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).filter((metric) => metric.descriptor.name.startsWith('sovroute.'));
      return gauges.flatMap((metric) => metric.dataPoints.map((point) => `${metric.descriptor.name} ${String(point.attributes['sovroute.provider'] ?? '')}`));
    };
    const first = createRouter({ providers: [deployment('eu-first', 'ok')], telemetry: { tracer, meter: shared } });
    await first.chat.completions.create({ ...ask, model: 'm' });
    expect(await observed()).toContain('sovroute.circuit.state eu-first');
    await first.close();
    expect(await observed()).toEqual([]);
    // A router made in its place is observed alone.
    const second = createRouter({ providers: [deployment('eu-second', 'ok')], telemetry: { tracer, meter: shared } });
    await second.chat.completions.create({ ...ask, model: 'm' });
    const now = await observed();
    expect(now).toContain('sovroute.circuit.state eu-second');
    expect(now).not.toContain('sovroute.circuit.state eu-first');
    await second.close();
  });

  it('closes even when the meter throws as its gauge callbacks are removed', async () => {
    const gauges = meter.createObservableGauge.bind(meter);
    const broken = meterWith({
      createObservableGauge: ((...args: Parameters<typeof meter.createObservableGauge>) => {
        const gauge = gauges(...args);
        return { addCallback: gauge.addCallback.bind(gauge), removeCallback: () => { throw new Error('meter shut down'); } };
      }) as never,
    });
    const closing = createRouter({ providers: [deployment('eu-working', 'ok')], telemetry: { tracer, meter: broken as never } });
    await closing.chat.completions.create({ ...ask, model: 'm' });
    await expect(closing.close()).resolves.toBeUndefined();
  });
});

describe('telemetry: metric attributes stay few', () => {
  it('sovroute.cost names configured keys and the router key, but callers sending ever new keys (no keys configured) cannot add a series each', async () => {
    const exported = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const ownReader = new PeriodicExportingMetricReader({ exporter: exported, exportIntervalMillis: 3_600_000 });
    const counted = new MeterProvider({ readers: [ownReader] }).getMeter('keys');
    const open = createRouter({ providers: [deployment('eu-working', 'ok', eu, 2)], apiKey: 'sk-router', telemetry: { tracer, meter: counted } });
    let cost = 0;
    for (let index = 0; index < 300; index++) {
      const response = await open.chat.completions.create({ ...ask, model: 'm' }, { apiKey: `sk-caller-${index}` });
      cost += response.usage.cost;
    }
    cost += (await open.chat.completions.create({ ...ask, model: 'm' })).usage.cost;
    await ownReader.forceFlush();
    const found = exported
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'sovroute.cost')!;
    const points = found.dataPoints as DataPoint<number>[];
    expect(points.reduce((sum, point) => sum + point.value, 0)).toBeCloseTo(cost, 10);
    expect(points.length).toBeLessThanOrEqual(102);
    const ids = new Set(points.map((point) => point.attributes['sovroute.key_id']));
    // The router's own key keeps its id, even after hundreds of others.
    expect(ids.has(hashedKeyId('sk-router'))).toBe(true);
    expect(ids.has('other')).toBe(true);
    await ownReader.shutdown();
  });
});

describe('telemetry: loading', () => {
  const root = join(import.meta.dirname, '..');
  const probe = (telemetry: string) => `
import { createRequire } from 'node:module';
const { createRouter, openaiCompatible } = await import(${JSON.stringify(join(root, 'dist', 'index.js'))});
const router = createRouter({ apiKey: 'test-x', providers: [openaiCompatible({ id: 'p', baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'm' }] })], telemetry: ${telemetry} });
await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
console.log(Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('@opentelemetry')));`;

  it('does not load @opentelemetry/api when telemetry is off, and loads it when on', () => {
    const run = (telemetry: string) => execFileSync(process.execPath, ['--input-type=module', '-e', probe(telemetry)], { cwd: root, encoding: 'utf8' }).trim();
    expect(run('false')).toBe('false');
    expect(run('true')).toBe('true');
  });

  it('without the @opentelemetry/api package, createRouter with telemetry on throws an error naming it; off, the router works', () => {
    // The package as an app installs it, with every dependency but the OpenTelemetry API.
    const app = mkdtempSync(join(tmpdir(), 'sovroute-no-otel-'));
    try {
      const modules = join(app, 'node_modules');
      mkdirSync(join(modules, 'sovroute'), { recursive: true });
      // A copy: Node resolves a symlinked file's imports from where it really is.
      cpSync(join(root, 'dist'), join(modules, 'sovroute', 'dist'), { recursive: true });
      writeFileSync(join(modules, 'sovroute', 'package.json'), readFileSync(join(root, 'package.json')));
      for (const name of readdirSync(join(root, 'node_modules'))) if (name !== '@opentelemetry' && !name.startsWith('.')) symlinkSync(join(root, 'node_modules', name), join(modules, name));
      const script = (telemetry: string) => `
import { createRouter, openaiCompatible } from 'sovroute';
try {
  const router = createRouter({ apiKey: 'test-x', providers: [openaiCompatible({ id: 'p', baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'm' }] })], telemetry: ${telemetry} });
  const answer = await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  console.log(answer.object);
} catch (error) {
  console.log(error.message);
}`;
      const run = (telemetry: string) => execFileSync(process.execPath, ['--input-type=module', '-e', script(telemetry)], { cwd: app, encoding: 'utf8' }).trim();
      expect(run('false')).toBe('chat.completion');
      expect(run('true')).toMatch(/^telemetry needs the @opentelemetry\/api package \(npm install @opentelemetry\/api\)/);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('names the library version the package declares', () => {
    expect(libraryVersion).toBe((JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version);
  });
});

