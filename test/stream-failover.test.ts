import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible, RouterError, type ChatCompletionChunk } from '../src/index.js';
import { deployment, messages } from './helpers/fault-deployments.js';
import { fault, useFaultServer, type Fault } from './helpers/fault-server.js';
import { chunk, localUpstream, useLocalUpstreams } from './helpers/local-upstream.js';
import { euFacts } from './helpers/providers.js';
import { rejection } from './helpers/rejection.js';

/* Streams fail over until their first chunk reaches the caller, and fail loudly after it. */

const faults = useFaultServer();
useLocalUpstreams();

function pair(first: Fault, options: { deadlineMs?: number } = {}) {
  const primary = faults.upstream('primary').script(first);
  const secondary = faults.upstream('secondary');
  const audit = memoryAudit();
  const router = createRouter({
    providers: [deployment(primary, { price: 0.1 }), deployment(secondary, { price: 0.2 })],
    strategy: 'cheapest',
    retry: { retries: 0 },
    audit: [audit],
    ...options,
  });
  return { primary, secondary, router, audit };
}

/** Reads a stream to its end or its error. */
/**
 * A router on one deployment (`id`, priced 1 / 2 EUR per 1M tokens) whose upstream sends `events`
 * and `[DONE]` in one write, so the whole stream arrives in one read; with its audit records.
 */
async function oneReadStream(id: string, events: readonly object[]) {
  const upstream = await localUpstream((_body, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(`${events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('')}data: [DONE]\n\n`);
  });
  const audit = memoryAudit();
  const provider = openaiCompatible({
    id,
    baseURL: upstream.baseURL,
    apiKey: `sk-${id}`,
    jurisdiction: euFacts,
    models: [{ id: 'model-a', price: { input: 1, output: 2, currency: 'EUR' }, capabilities: ['chat'] }],
  });
  return { router: createRouter({ providers: [provider], retry: { retries: 0 }, audit: [audit] }), audit };
}

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

const text = (chunks: ChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

describe('a stream that fails before its first chunk', () => {
  it.each<[string, Fault]>([
    ['a 503', fault.status(503)],
    ['a connection reset', fault.reset()],
    ['a connection cut after the headers', fault.cut(0)],
    ['a malformed first SSE event', fault.malformedSse(0)],
    ['malformed JSON instead of a stream', fault.malformedJson()],
    ['a connection reset after a prompt-filter chunk with no choices', fault.promptFilter(fault.cut(1))],
  ])('fails over transparently after %s', async (_name, first) => {
    const { primary, secondary, router } = pair(first);
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    const { chunks, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text(chunks)).toBe('secondary-0 secondary-1 secondary-2 ');
    const last = chunks.at(-1)!;
    expect(last.provider).toBe('secondary');
    expect(last.route!.fallback_used).toBe(true);
    expect(last.route!.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual(['primary:error', 'secondary:ok']);
    expect([primary.requests.length, secondary.requests.length]).toEqual([1, 1]);
  });

  it('fails over when the first chunk does not come within the per-attempt timeout', async () => {
    const { secondary, router } = pair(fault.hang(0));
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true, route: { max_latency_ms: 500 } });
    const { chunks } = await drain(stream);
    expect(chunks.at(-1)!.route!.attempts[0]).toMatchObject({ provider: 'primary', code: 'timeout' });
    expect(secondary.requests).toHaveLength(1);
  });
});

/** A deployment of `model-a` named `id` behind a local upstream that answers every stream with `answer`. */
async function localDeployment(id: string, price: number, answer: (response: ServerResponse) => void) {
  const upstream = await localUpstream((_body, response) => answer(response));
  return openaiCompatible({
    id,
    baseURL: upstream.baseURL,
    apiKey: `sk-${id}`,
    jurisdiction: euFacts,
    models: [{ id: 'model-a', price: { input: price, output: price * 3, currency: 'EUR' }, capabilities: ['chat'] }],
  });
}

const event = (data: object) => `data: ${JSON.stringify(data)}\n\n`;
const roleOnly = chunk('model-a', { role: 'assistant', content: '' }, null);

// Many upstreams open a stream with a chunk whose delta is the role alone. Nothing of the answer
// has reached anyone yet: a failure after it falls back like a failure before the first chunk.
describe('a stream that opens with a chunk carrying only the role', () => {
  const primaryAnswers: Record<string, (response: ServerResponse) => void> = {
    'an error event': (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(event(roleOnly) + event({ error: { message: 'overloaded', type: 'server_error' } }));
    },
    'the end of the stream': (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`${event(roleOnly)}data: [DONE]\n\n`);
    },
    'a connection reset': (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(event(roleOnly));
      setTimeout(() => response.socket?.destroy(), 10);
    },
  };

  it.each(Object.keys(primaryAnswers))('falls back after the role chunk and %s: the caller gets only the next deployment’s stream', async (how) => {
    const secondary = faults.upstream('secondary');
    const audit = memoryAudit();
    const router = createRouter({
      providers: [await localDeployment('primary', 0.1, primaryAnswers[how]!), deployment(secondary, { price: 0.2 })],
      strategy: 'cheapest',
      retry: { retries: 0 },
      audit: [audit],
    });
    const { chunks, error } = await drain(await router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(error).toBeUndefined();
    // Nothing of the primary's stream, its role chunk included: the secondary's own, from its role chunk on.
    expect(chunks.map((received) => received.id)).toEqual(chunks.map(() => 'chatcmpl-secondary'));
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(text(chunks)).toBe('secondary-0 secondary-1 secondary-2 ');
    const last = chunks.at(-1)!;
    expect(last.provider).toBe('secondary');
    expect(last.route!.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual(['primary:error', 'secondary:ok']);
    expect(router.health().find((entry) => entry.provider === 'primary')).toMatchObject({ failures: 1 });
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'success', provider: 'secondary', stream: true });
    expect(audit.records[0]!.attempts).toEqual(last.route!.attempts);
    expect(audit.records[0]!.attempts[0]).toMatchObject({ provider: 'primary', outcome: 'error', code: 'upstream_error' });
  });

  // router.fetch's SSE body and the Responses API's events come from the same routed stream.
  it.each(['router.fetch', 'responses.create'])('falls back the same way through %s: only the next deployment’s answer is sent', async (via) => {
    const secondary = faults.upstream('secondary');
    const audit = memoryAudit();
    const router = createRouter({
      providers: [await localDeployment('primary', 0.1, primaryAnswers['an error event']!), deployment(secondary, { price: 0.2 })],
      strategy: 'cheapest',
      retry: { retries: 0 },
      audit: [audit],
    });
    let received: string;
    if (via === 'router.fetch') {
      const response = await router.fetch('http://sovroute.local/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'model-a', messages, stream: true }) });
      expect(response.status).toBe(200);
      received = await response.text();
      expect(received).not.toContain('chatcmpl-local');
    } else {
      received = '';
      for await (const event of await router.responses.create({ model: 'model-a', input: 'Hi', stream: true })) if (event.type === 'response.output_text.delta') received += event.delta;
      expect(received).toBe('secondary-0 secondary-1 secondary-2 ');
    }
    expect(received).toContain('secondary-2');
    await router.flush();
    expect(audit.records.map((record) => [record.outcome, record.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)])).toEqual([['success', ['primary:error', 'secondary:ok']]]);
  });

  it.each<[string, Fault]>([
    ['a malformed SSE event', fault.malformedSse(1)],
    ['a silence past the per-attempt timeout', fault.hang(1)],
  ])('falls back after the role chunk and %s', async (_name, first) => {
    const { secondary, router } = pair(first);
    const { chunks, error } = await drain(await router.chat.completions.create({ model: 'model-a', messages, stream: true, route: { max_latency_ms: 500 } }));
    expect(error).toBeUndefined();
    expect(text(chunks)).toBe('secondary-0 secondary-1 secondary-2 ');
    expect(chunks.at(-1)!.route!.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual(['primary:error', 'secondary:ok']);
    expect(secondary.requests).toHaveLength(1);
  });

  it('says so when the only deployment ends its stream after the role chunk', async () => {
    const router = createRouter({ providers: [await localDeployment('primary', 0.1, primaryAnswers['the end of the stream']!)], retry: { retries: 0 } });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(error.code).toBe('all_providers_failed');
    expect(error.route!.attempts[0]!.message).toBe('provider primary ended the stream before any content: its chunks so far carried only the role');
  });

  it('relays the role chunk, then the content, as the upstream sent them; the attempt’s latency runs to the content', async () => {
    const sent = [
      roleOnly,
      chunk('model-a', { content: 'Bonjour.' }, null),
      chunk('model-a', {}, 'stop'),
      { ...chunk('model-a', {}, null), choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } },
    ];
    const primary = await localDeployment('primary', 0.1, (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(event(sent[0]!));
      setTimeout(() => response.end(`${sent.slice(1).map(event).join('')}data: [DONE]\n\n`), 200);
    });
    const router = createRouter({ providers: [primary], retry: { retries: 0 } });
    const { chunks, error } = await drain(await router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(error).toBeUndefined();
    expect(chunks.slice(0, 3)).toEqual(sent.slice(0, 3));
    expect(chunks).toHaveLength(4);
    expect(chunks[3]).toMatchObject({ id: 'chatcmpl-local', choices: [], usage: { prompt_tokens: 12, completion_tokens: 3 }, provider: 'primary' });
    // Time to first token is time to the first content, not to the role chunk.
    expect(chunks[3]!.route!.attempts[0]!.latency_ms).toBeGreaterThanOrEqual(180);
  });
});

describe('a stream that opens with a prompt-filter chunk with no choices (Azure OpenAI)', () => {
  it('ends with a usage chunk whose id, model and created are those of the content chunks', async () => {
    const { router } = pair(fault.promptFilter(fault.ok()));
    const { chunks, error } = await drain(await router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(error).toBeUndefined();
    expect(text(chunks)).toBe('primary-0 primary-1 primary-2 ');
    const last = chunks.at(-1)!;
    expect(last.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 10 });
    expect(chunks.map((chunk) => [chunk.id, chunk.model, chunk.created])).toEqual(chunks.map(() => ['chatcmpl-primary', 'model-a', 1_700_000_000]));
  });
});

describe('a stream that fails after its first chunk', () => {
  it('delivers the three chunks, then raises the error; the route and attempts say so, and nothing falls back', async () => {
    const { primary, secondary, router, audit } = pair(fault.cut(3));
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    const { chunks, error } = await drain(stream);
    expect(chunks).toHaveLength(3);
    expect(text(chunks)).toBe('primary-0 primary-1 ');
    expect(error).toMatchObject({ code: 'upstream_error', providerId: 'primary' });
    expect(error!.route!.attempts).toEqual([
      expect.objectContaining({ provider: 'primary', outcome: 'error', code: 'upstream_error', message: expect.stringMatching(/after 3 chunk\(s\) reached the caller/) }),
    ]);
    expect(error!.route!.fallback_used).toBe(false);
    expect([primary.requests.length, secondary.requests.length]).toEqual([1, 0]);
    // The failure counts against the deployment's health.
    expect(router.health().find((entry) => entry.provider === 'primary')).toMatchObject({ failures: 1, consecutiveFailures: 1 });
    // One audit record, an error, with the usage of what reached the caller (estimated: the upstream reported none).
    await router.flush();
    expect(audit.records).toHaveLength(1);
    const [record] = audit.records;
    expect(record).toMatchObject({ outcome: 'error', error_code: 'upstream_error', provider: 'primary', stream: true, usage: { estimated: true } });
    expect(record!.usage!.completion_tokens).toBeGreaterThan(0);
    expect(record!.cost).toBeGreaterThan(0);
    expect(record!.attempts).toEqual(error!.route!.attempts);
  });

  it('raises a malformed SSE event after the chunks before it', async () => {
    const { router } = pair(fault.malformedSse(3));
    const { chunks, error } = await drain(await router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(chunks).toHaveLength(3);
    expect(error!.message).toMatch(/malformed SSE event from primary/);
  });

  it('ends a stalled stream at the call’s deadline with a timeout, and closes the upstream', async () => {
    const { primary, router } = pair(fault.hang(2), { deadlineMs: 1000 });
    const { chunks, error } = await drain(await router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(chunks).toHaveLength(2);
    expect(error).toMatchObject({ code: 'timeout', message: expect.stringMatching(/deadline of 1000 ms \(deadlineMs\)/) });
    expect(await primary.requests[0]!.closed).toBe('client');
  });

  it('records a stream cut by the call’s deadline once, as a timeout, with the attempt that the deadline ended', async () => {
    const { router, audit } = pair(fault.hang(2), { deadlineMs: 1000 });
    const { chunks, error } = await drain(await router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(chunks).toHaveLength(2);
    expect(error!.route!.attempts).toEqual([expect.objectContaining({ provider: 'primary', outcome: 'error', code: 'timeout' })]);
    // A deadline says nothing of the deployment's health.
    expect(router.health().find((entry) => entry.provider === 'primary')).toMatchObject({ failures: 0, consecutiveFailures: 0 });
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'error', error_code: 'timeout', provider: 'primary', stream: true });
    expect(audit.records[0]!.attempts).toEqual(error!.route!.attempts);
  });
});

describe('a stream that ends early after the upstream reported its usage', () => {
  // Some upstreams (Mistral, vLLM) put the usage on the chunk with the finish reason. Whatever
  // ends the stream after it, the record counts what the upstream reported, not an estimate.
  it.each(['the caller breaks', 'the caller aborts', 'the upstream sends an error'])('%s: the record has the reported usage and its cost', async (how) => {
    const upstream = await localUpstream((body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify(chunk('model-a', { role: 'assistant', content: 'All done.' }, null))}\n\n`);
      const usage = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
      response.write(`data: ${JSON.stringify({ ...chunk('model-a', {}, 'stop'), usage })}\n\n`);
      // No [DONE]: the connection stays open, or fails.
      if (how === 'the upstream sends an error') response.end(`data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`);
    });
    const audit = memoryAudit();
    const provider = openaiCompatible({
      id: 'reporting',
      baseURL: upstream.baseURL,
      apiKey: 'sk-reporting',
      jurisdiction: euFacts,
      models: [{ id: 'model-a', price: { input: 1, output: 2, currency: 'EUR' }, capabilities: ['chat'] }],
    });
    const router = createRouter({ providers: [provider], retry: { retries: 0 }, audit: [audit] });
    const controller = new AbortController();
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true }, { signal: controller.signal });
    let error: RouterError | undefined;
    try {
      for await (const received of stream) {
        if (!received.choices[0]?.finish_reason) continue;
        if (how === 'the caller breaks') break;
        if (how === 'the caller aborts') controller.abort();
      }
    } catch (caught) {
      if (!RouterError.isInstance(caught)) throw caught;
      error = caught;
    }
    expect(error?.code).toBe(how === 'the upstream sends an error' ? 'upstream_error' : how === 'the caller aborts' ? 'aborted' : undefined);
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]!.usage).toEqual({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 });
    expect(audit.records[0]!.cost).toBeCloseTo((1000 * 1 + 500 * 2) / 1e6, 12);
  });

  // The upstream generated (and bills) the whole answer: its usage is already in, after the
  // chunks the caller did not read.
  it('the caller breaks mid-answer with the rest of the stream already in: aborted, with the usage the upstream reported', async () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
    const events = [
      chunk('model-a', { role: 'assistant', content: 'One. ' }, null),
      chunk('model-a', { content: 'Two. ' }, null),
      chunk('model-a', { content: 'Three.' }, null),
      chunk('model-a', {}, 'stop'),
      { ...chunk('model-a', {}, null), choices: [], usage },
    ];
    const { router, audit } = await oneReadStream('reporting', events);
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    for await (const received of stream) if (received.choices[0]?.delta.content === 'One. ') break;
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'aborted', usage });
    expect(audit.records[0]!.cost).toBeCloseTo((1000 * 1 + 500 * 2) / 1e6, 12);
  });
});

describe('a caller that leaves once the answer is complete', () => {
  // A common loop stops at the finish reason. When the rest of the stream (the usage chunk and
  // [DONE]) is already in, the caller got the whole answer: through router.fetch, whose body reads
  // ahead, this was always a success; in-process it is too.
  it('break after the finish chunk, with the usage and [DONE] already in: a success with the upstream usage', async () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
    const events = [
      chunk('model-a', { role: 'assistant', content: 'All done.' }, null),
      chunk('model-a', {}, 'stop'),
      { ...chunk('model-a', {}, null), choices: [], usage },
    ];
    const { router, audit } = await oneReadStream('complete', events);
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    let content = '';
    for await (const received of stream) {
      content += received.choices[0]?.delta.content ?? '';
      if (received.choices[0]?.finish_reason) break;
    }
    expect(content).toBe('All done.');
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'success', usage });
    expect(audit.records[0]!.cost).toBeCloseTo((1000 * 1 + 500 * 2) / 1e6, 12);
  });
});

describe('aborting a stream', () => {
  it('closes the upstream connection when the caller’s signal aborts mid-stream', async () => {
    const { primary, router } = pair(fault.hang(2));
    const controller = new AbortController();
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true }, { signal: controller.signal });
    const { chunks, error } = await drain(stream, (count) => count === 2 && controller.abort());
    expect(chunks).toHaveLength(2);
    expect(error?.code).toBe('aborted');
    expect(await primary.requests[0]!.closed).toBe('client');
    expect(primary.requests[0]!.clientClosedAt).toBeDefined();
    // An abort says nothing about the deployment.
    expect(router.health().find((entry) => entry.provider === 'primary')).toMatchObject({ failures: 0 });
  });

  it('stream.controller.abort() while a read waits on a silent upstream ends that read with an abort and closes the upstream', async () => {
    const primary = faults.upstream('primary').script(fault.hang(2));
    const audit = memoryAudit();
    const router = createRouter({ providers: [deployment(primary)], retry: { retries: 0 }, audit: [audit] });
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    for (let read = 0; read < 2; read++) expect((await iterator.next()).done).toBe(false);
    const waiting = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'aborted' });
    expect(stream.controller.signal.aborted).toBe(true);
    expect(await primary.requests[0]!.closed).toBe('client');
    // Aborting again, or reading on, changes nothing: the one record says aborted.
    stream.controller.abort();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'aborted' });
    expect(router.health().find((entry) => entry.provider === 'primary')).toMatchObject({ failures: 0 });
  });

  it('closes the upstream connection when the caller stops reading', async () => {
    const { primary, router } = pair(fault.drip(5, 50));
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break;
    expect(await primary.requests[0]!.closed).toBe('client');
  });

  // A ReadableStream pulls ahead, so a read is already waiting on the silent upstream when the
  // caller cancels: the cancel must not wait for the upstream (nor the call's deadline).
  it.each(['toReadableStream()', 'router.fetch'])('cancelling %s while the upstream is silent closes it at once, with one aborted record', async (via) => {
    const primary = faults.upstream('primary').script(fault.hang(2));
    const audit = memoryAudit();
    const router = createRouter({ providers: [deployment(primary)], retry: { retries: 0 }, audit: [audit] });
    const body =
      via === 'router.fetch'
        ? (await router.fetch('http://sovroute.local/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'model-a', messages, stream: true }) })).body!
        : (await router.chat.completions.create({ model: 'model-a', messages, stream: true })).toReadableStream();
    const reader = body.getReader();
    // Both chunks the upstream sends; the stream then waits on it for a third.
    for (let read = 0; read < 2; read++) expect((await reader.read()).done).toBe(false);
    // Give the stream a moment to pull ahead: its read is then waiting on the silent upstream.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await reader.cancel();
    expect(await primary.requests[0]!.closed).toBe('client');
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'aborted', error_message: expect.stringMatching(/caller closed the stream after 2 chunk/) });
  });
});
