import { describe, expect, it } from 'vitest';
import { loadBuilt } from './helpers/built-package.js';
import { answerWell, chunk, localUpstream, sendEvents, sendJson, useLocalUpstreams, type Answer, type LocalUpstream } from './helpers/local-upstream.js';

/*
 * A failure is blamed where it belongs: what the request did is a 400 that touches no upstream's
 * health; what the upstream did (a malformed 200, an oversized answer) falls back like a 5xx.
 * Through the built package, against real upstreams on 127.0.0.1.
 */

useLocalUpstreams();

const { createRouter, memoryAudit, openaiClient, openaiCompatible, RouterError } = await loadBuilt();

const messages = [{ role: 'user' as const, content: 'Say hello.' }];

function deployment(id: string, upstream: LocalUpstream, options: { maxResponseBytes?: number; price: number }) {
  return openaiCompatible({
    id,
    baseURL: upstream.baseURL,
    apiKey: `key-${id}`,
    models: [{ id: 'model-a', price: { input: options.price, output: options.price, currency: 'EUR' } }],
    ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
  });
}

/** `broken` ranks first (cheaper), `healthy` second. */
async function pair(broken: Answer, maxResponseBytes?: number) {
  const first = await localUpstream(broken);
  const second = await localUpstream(answerWell('Hello from healthy.'));
  const router = createRouter({
    providers: [deployment('broken', first, { price: 0.1, ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }) }), deployment('healthy', second, { price: 0.2 })],
    strategy: 'cheapest',
    retry: { retries: 0 },
  });
  return { router, first, second };
}

const attemptsOf = (route: { attempts: { provider: string; outcome: string; code?: string }[] }) =>
  route.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}${attempt.code ? `:${attempt.code}` : ''}`);

describe('a malformed answer from the upstream falls back like a 5xx', () => {
  it.each<[string, Answer]>([
    ['"choices":[null]', (body, response) => sendJson(response, 200, { id: 'x', object: 'chat.completion', created: 1, model: body.model, choices: [null] })],
    ['"choices" missing', (body, response) => sendJson(response, 200, { id: 'x', object: 'chat.completion', created: 1, model: body.model })],
    ['a choice without a message', (body, response) => sendJson(response, 200, { id: 'x', object: 'chat.completion', model: body.model, choices: [{ index: 0, finish_reason: 'stop' }] })],
    ['invalid JSON', (_body, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [')],
  ])('non-streamed: %s', async (_name, broken) => {
    const { router, first, second } = await pair(broken);
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('healthy');
    expect(response.choices[0]!.message.content).toBe('Hello from healthy.');
    expect(attemptsOf(response.route)).toEqual(['broken:error:upstream_error', 'healthy:ok']);
    expect([first.hits, second.hits]).toEqual([1, 1]);
    // The upstream's fault, so it counts against its health.
    expect(router.health().find((entry) => entry.provider === 'broken')?.lastError?.code).toBe('upstream_error');
  });

  it.each<[string, Answer]>([
    ['a chunk that is not an object', (_body, response) => sendEvents(response, ['42'])],
    ['a chunk with "choices":[null]', (body, response) => sendEvents(response, [{ ...chunk(String(body.model), {}, null), choices: [null] }])],
    ['a chunk whose choices is not an array', (body, response) => sendEvents(response, [{ ...chunk(String(body.model), {}, null), choices: 'none' }])],
    // What the openai SDK's stream helpers (finalChatCompletion, runTools) would choke on.
    ['a delta whose content is a number', (body, response) => sendEvents(response, [chunk(String(body.model), { role: 'assistant', content: 5 }, null)])],
    ['a delta whose tool_calls is not a list', (body, response) => sendEvents(response, [chunk(String(body.model), { role: 'assistant', tool_calls: 'x' }, null)])],
    ['a tool call delta whose arguments are not text', (body, response) => sendEvents(response, [chunk(String(body.model), { tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: 5 } }] }, null)])],
  ])('streamed, before the first chunk: %s', async (_name, broken) => {
    const { router, first, second } = await pair(broken);
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    let text = '';
    let provider: string | undefined;
    for await (const part of stream) {
      text += part.choices[0]?.delta.content ?? '';
      provider ??= part.provider;
    }
    expect(text).toBe('Hello from healthy.');
    expect(provider).toBe('healthy');
    expect([first.hits, second.hits]).toEqual([1, 1]);
  });

  it('streamed, after the first chunk reached the caller: a loud error, no fallback', async () => {
    const { router, second } = await pair((body, response) =>
      sendEvents(response, [chunk(String(body.model), { role: 'assistant', content: 'Hel' }, null), { ...chunk(String(body.model), {}, null), choices: [null] }]),
    );
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    const received: string[] = [];
    const error = await (async () => {
      for await (const part of stream) received.push(part.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    expect(received).toEqual(['Hel']);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'upstream_error', providerId: 'broken', message: expect.stringMatching(/malformed SSE event from broken: a choice that is not an object/) });
    expect(second.hits).toBe(0);
  });

  it('an answer larger than maxResponseBytes is abandoned as it arrives, and the router falls back', async () => {
    const { router, second } = await pair((body, response) => {
      // 256 KiB of content, in pieces, without a declared length: read until the limit, then dropped.
      response.writeHead(200, { 'content-type': 'application/json' });
      const answer = JSON.stringify({ id: 'x', object: 'chat.completion', model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: 'y'.repeat(256 * 1024) } }] });
      for (let offset = 0; offset < answer.length; offset += 16 * 1024) response.write(answer.slice(offset, offset + 16 * 1024));
      response.end();
    }, 64 * 1024);
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('healthy');
    expect(response.route.attempts[0]).toMatchObject({ provider: 'broken', code: 'upstream_error', message: expect.stringMatching(/larger than 65536 bytes \(maxResponseBytes\)/) });
    expect(second.hits).toBe(1);
  });

  it('a declared length above maxResponseBytes is refused the same way', async () => {
    const { router } = await pair((body, response) => {
      const answer = JSON.stringify({ id: 'x', object: 'chat.completion', model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: 'y'.repeat(8 * 1024) } }] });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
    }, 1024);
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('healthy');
    expect(response.route.attempts[0]).toMatchObject({ provider: 'broken', message: expect.stringMatching(/maxResponseBytes/) });
  });
});

describe('a request that cannot be prepared is the request’s fault', () => {
  const cyclic: Record<string, unknown> = { note: 'loops' };
  cyclic.self = cyclic;

  it.each<[string, Record<string, unknown>]>([
    ['a cyclic value in a message', { model: 'model-a', messages: [{ role: 'user', content: 'Say hello.', context: cyclic }] }],
    ['a cyclic tool schema', { model: 'model-a', messages, tools: [{ type: 'function', function: { name: 'lookup', parameters: cyclic } }] }],
    ['a BigInt passed in-process', { model: 'model-a', messages, seed_hint: 10n }],
  ])('%s: 400, no upstream hit, no retry, no fallback, health untouched', async (_name, params) => {
    const first = await localUpstream(answerWell('first'));
    const second = await localUpstream(answerWell('second'));
    const audit = memoryAudit();
    const router = createRouter({
      providers: [deployment('first', first, { price: 0.1 }), deployment('second', second, { price: 0.2 })],
      strategy: 'cheapest',
      audit: [audit],
      retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 },
    });
    for (let round = 0; round < 3; round += 1) {
      const error = await router.chat.completions.create(params as never).catch((caught: unknown) => caught);
      expect(RouterError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
    }
    expect([first.hits, second.hits]).toEqual([0, 0]);
    // Three hostile requests open no circuit and leave no failure on any deployment.
    expect(router.health().filter((entry) => entry.lastError !== undefined || entry.circuit !== 'closed')).toEqual([]);
    expect(router.explain({ model: 'model-a', messages }).chosen).toEqual({ provider: 'first', model: 'model-a' });
    await router.flush();
    expect(audit.records.map((record) => record.outcome)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(audit.records.every((record) => record.attempts.length <= 1)).toBe(true);
  });
});

describe('when every deployment fails', () => {
  it('all_providers_failed says so in one paragraph, with every attempt in a structured field', async () => {
    const busy = await localUpstream((_body, response) => sendJson(response, 503, { error: { message: 'Service overloaded', type: 'server_error' } }));
    const cut = await localUpstream((_body, response) => response.destroy());
    const router = createRouter({
      providers: [deployment('busy', busy, { price: 0.1 }), deployment('cut', cut, { price: 0.2 })],
      strategy: 'cheapest',
      retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 },
    });
    const error = await router.chat.completions.create({ model: 'model-a', messages }).catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error)).toBe(true);
    const failed = error as InstanceType<typeof RouterError> & { attempts: { provider: string }[] };
    expect(failed.code).toBe('all_providers_failed');
    expect(failed.message).not.toContain('\n');
    expect(failed.message).toMatch(/^All 2 eligible deployments failed for model-a: busy\/model-a: returned 503 \(2 tries\), cut\/model-a: .*\(2 tries\)\. The last error: .*See route\.attempts\.$/);
    expect(failed.attempts.map((attempt) => attempt.provider)).toEqual(['busy', 'busy', 'cut', 'cut']);
    expect(failed.route?.attempts).toHaveLength(4);

    const wire = await router.fetch(
      new Request('http://sovroute.local/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'model-a', messages }) }),
    );
    expect(wire.status).toBe(502);
    const body = (await wire.json()) as { error: Record<string, unknown>; attempts: { provider: string; status?: number }[] };
    expect(Object.keys(body.error)).toEqual(['message', 'type', 'code', 'param']);
    expect(body.attempts.map((attempt) => attempt.provider)).toEqual(['busy', 'busy', 'cut', 'cut']);
    expect(body.attempts[0]).toMatchObject({ status: 503, code: 'upstream_error' });
  });
});

describe('openaiClient()', () => {
  /** A client shaped like the openai SDK's: it serialises the body when the call runs, as the SDK does. */
  function fakeClient(answer: (body: object) => unknown) {
    let calls = 0;
    const create = (body: object) =>
      Promise.resolve().then(() => {
        calls += 1;
        JSON.stringify(body);
        return answer(body);
      });
    return { client: { apiKey: 'sk-client-key-1234567890abcd', chat: { completions: { create } } }, calls: () => calls };
  }

  it('a body the SDK cannot serialise is a 400 that leaves health alone', async () => {
    const { client } = fakeClient((body) => ({ id: 'x', object: 'chat.completion', created: 1, model: (body as { model: string }).model, choices: [] }));
    const router = createRouter({ providers: [openaiClient(client, { id: 'sdk', models: [{ id: 'model-a' }] })], retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 } });
    const error = await router.chat.completions.create({ model: 'model-a', messages, seed_hint: 10n } as never).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, message: expect.stringMatching(/could not be serialised as JSON for sdk/) });
    expect(router.health().filter((entry) => entry.lastError !== undefined)).toEqual([]);
  });

  it('"choices":[null] from the client is an upstream error, and its apiKey is redacted from a 401 it reports', async () => {
    const { client, calls } = fakeClient(() => ({ id: 'x', object: 'chat.completion', created: 1, model: 'model-a', choices: [null] }));
    const router = createRouter({ providers: [openaiClient(client, { id: 'sdk', models: [{ id: 'model-a' }] })], retry: { retries: 0 } });
    const error = await router.chat.completions.create({ model: 'model-a', messages }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'all_providers_failed' });
    expect((error as { attempts: { code?: string }[] }).attempts).toMatchObject([{ code: 'upstream_error' }]);
    expect(calls()).toBe(1);

    class AuthenticationError extends Error {
      status = 401;
      error = { message: `Incorrect API key provided: ${client.apiKey}`, type: 'invalid_request_error' };
    }
    const rejecting = { apiKey: client.apiKey, chat: { completions: { create: () => Promise.reject(new AuthenticationError('401 Incorrect API key')) } } };
    const audit = memoryAudit();
    const second = createRouter({ providers: [openaiClient(rejecting, { id: 'sdk', models: [{ id: 'model-a' }] })], audit: [audit], retry: { retries: 0 } });
    const rejected = await second.chat.completions.create({ model: 'model-a', messages }).catch((caught: unknown) => caught);
    await second.flush();
    const said = [(rejected as Error).message, JSON.stringify(rejected), JSON.stringify(audit.records), JSON.stringify(second.health())].join('\n');
    expect(said).not.toContain(client.apiKey);
    expect((rejected as Error).message).toContain('Incorrect API key provided: [redacted]');
  });
});
