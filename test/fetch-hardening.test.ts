import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuilt } from './helpers/built-package.js';
import { euFacts } from './helpers/providers.js';

/*
 * router.fetch as other clients reach it, through the built package: a body over
 * limits.maxBodyBytes is refused without being read whole, a malformed path or header is the
 * caller's 4xx (never a 500), and a routed failure is not retried again by the openai SDK.
 */

let built: Awaited<ReturnType<typeof loadBuilt>>;
let upstream: Server;
let upstreamHits = 0;
let upstreamURL = '';

beforeAll(async () => {
  built = await loadBuilt();
  // A provider that always fails: every hit is one upstream attempt someone pays for.
  upstream = createServer((request, response) => {
    upstreamHits += 1;
    request.resume();
    request.on('end', () => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'upstream is down', type: 'server_error', code: null, param: null } }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

const model = 'llama-3.3-70b-instruct';

function makeRouter(extra: Record<string, unknown> = {}) {
  const audit = built.memoryAudit();
  const router = built.createRouter({
    providers: [
      built.openaiCompatible({
        id: 'eu-cloud',
        baseURL: upstreamURL,
        apiKey: 'sk-provider',
        jurisdiction: euFacts,
        models: [{ id: model, price: { input: 0.3, output: 0.9, currency: 'EUR' }, capabilities: ['chat'] }],
      }),
    ],
    audit: [audit],
    ...extra,
  });
  const records = async () => {
    await router.flush();
    return audit.records;
  };
  return { router, records };
}

const post = (body: NonNullable<RequestInit['body']>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer test-caller', ...headers },
  body,
});

describe('router.fetch: request body size', () => {
  it('refuses a body over limits.maxBodyBytes with 413 naming the limit and the option, and one audit record', async () => {
    const { router, records } = makeRouter({ limits: { maxBodyBytes: 1024 } });
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'é'.repeat(600) }] }); // 1,200+ bytes, under 1,024 characters
    const response = await router.fetch('http://router.local/v1/chat/completions', post(body));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { message: expect.stringMatching(/larger than 1024 bytes.*limits\.maxBodyBytes/), type: 'invalid_request_error', code: 'invalid_request', param: null },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions', error_code: 'invalid_request' }]);

    const fits = await router.fetch('http://router.local/v1/chat/completions', post(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] })));
    expect(fits.status).toBe(200);
  });

  it('reads a streamed body chunk by chunk and stops reading it past the limit', async () => {
    const { router, records } = makeRouter({ limits: { maxBodyBytes: 64 * 1024 } });
    // A body that never ends: buffering it whole would never finish.
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(4096).fill(32));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await router.fetch(new Request('http://router.local/v1/chat/completions', { ...post(endless), duplex: 'half' } as RequestInit));
    expect(response.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(pulled * 4096).toBeLessThan(2 * 64 * 1024);
    expect(await records()).toHaveLength(1);
  });

  it('refuses a byte body that is not UTF-8 (a Latin-1 "café") with 400 rather than sending the provider a prompt with U+FFFD in it', async () => {
    const { router, records } = makeRouter();
    const latin1 = Buffer.from(JSON.stringify({ model, messages: [{ role: 'user', content: 'Un café ?' }] }), 'latin1');
    const hitsBefore = upstreamHits;
    const response = await router.fetch('http://router.local/v1/chat/completions', post(new Uint8Array(latin1)));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', message: expect.stringMatching(/not valid UTF-8/) });
    expect(upstreamHits).toBe(hitsBefore);
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions' }]);
  });

  it('refuses a compressed body (content-encoding: gzip) with 415 naming the coding, as serve() does, not a 400 saying valid JSON is not JSON', async () => {
    const { router, records } = makeRouter();
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });
    const hitsBefore = upstreamHits;
    for (const sent of [gzipSync(body), new ReadableStream({ start: (controller) => (controller.enqueue(gzipSync(body)), controller.close()) })]) {
      const response = await router.fetch('http://router.local/v1/chat/completions', { ...post(new Uint8Array(0), { 'content-encoding': 'gzip' }), body: sent, duplex: 'half' } as RequestInit);
      expect(response.status).toBe(415);
      expect(((await response.json()) as { error: unknown }).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', message: expect.stringMatching(/content-encoding.*gzip/i) });
    }
    expect(upstreamHits).toBe(hitsBefore);
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions' }, { outcome: 'invalid', endpoint: 'chat.completions' }]);
  });

  it('refuses a declared content-length over the limit without reading the body', async () => {
    const { router, records } = makeRouter({ limits: { maxBodyBytes: 1024 } });
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(16));
      },
    });
    const request = new Request('http://router.local/v1/embeddings', { ...post(body, { 'content-length': '1000000' }), duplex: 'half' } as RequestInit);
    const response = await router.fetch(request);
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(1); // the stream's own first pull, never a read
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'embeddings' }]);
  });

  it('stops reading a body that stalls when the caller aborts: the call rejects with the abort, with one aborted record', async () => {
    const { router, records } = makeRouter();
    const controller = new AbortController();
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(new TextEncoder().encode('{"model":'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request('http://router.local/v1/chat/completions', { ...post(stalled), duplex: 'half', signal: controller.signal } as RequestInit);
    const call = router.fetch(request);
    controller.abort(new Error('the client went away'));
    await expect(call).rejects.toThrow('the client went away');
    expect(cancelled).toBe(true);
    expect(await records()).toMatchObject([{ outcome: 'aborted', endpoint: 'chat.completions', error_code: 'aborted' }]);
  });
});

describe('router.fetch: malformed requests are the caller’s 4xx, not a 500', () => {
  it('answers a model id with broken percent-encoding with 400', async () => {
    const { router } = makeRouter();
    const response = await router.fetch('http://router.local/v1/models/%E0%A4%A', { headers: { authorization: 'Bearer test-caller' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', param: 'model', message: expect.stringMatching(/percent-encoding/) } });
  });

  it('answers a Request whose body was already read with a 400 saying so, not a 500 blamed on an upstream', async () => {
    const { router, records } = makeRouter();
    const request = new Request('http://router.local/v1/chat/completions', post(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] })));
    await request.text(); // a fetch wrapper that logged the body, then passed the same Request on
    const hitsBefore = upstreamHits;
    const response = await router.fetch(request);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', message: expect.stringMatching(/already been read.*clone\(\)/) });
    expect(upstreamHits).toBe(hitsBefore);
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions', error_code: 'invalid_request' }]);
  });

  it('answers a body stream that fails or yields text instead of bytes with a 400 about the body, not a 500 blamed on an upstream', async () => {
    const { router, records } = makeRouter();
    const hitsBefore = upstreamHits;
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"model":'));
        controller.error(new Error('the client reset the upload'));
      },
    });
    const failed = await router.fetch('http://router.local/v1/chat/completions', { ...post(failing), duplex: 'half' } as RequestInit);
    expect(failed.status).toBe(400);
    expect(((await failed.json()) as { error: unknown }).error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/could not be read.*the client reset the upload/) });
    const text = new ReadableStream<string>({
      start(controller) {
        controller.enqueue(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }));
        controller.close();
      },
    });
    const texts = await router.fetch('http://router.local/v1/chat/completions', { ...post(text as unknown as ReadableStream<Uint8Array>), duplex: 'half' } as RequestInit);
    expect(texts.status).toBe(400);
    expect(((await texts.json()) as { error: unknown }).error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/bytes \(Uint8Array\)/) });
    expect(upstreamHits).toBe(hitsBefore);
    expect(await records()).toMatchObject([
      { outcome: 'invalid', error_code: 'invalid_request' },
      { outcome: 'invalid', error_code: 'invalid_request' },
    ]);
  });

  it('names an unknown model id from the path in a 404 whose message stays short, however long the id', async () => {
    const { router } = makeRouter();
    const response = await router.fetch(`http://router.local/v1/models/${'a'.repeat(100_000)}`, { headers: { authorization: 'Bearer test-caller' } });
    expect(response.status).toBe(404);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('model_not_found');
    expect(error.message).toMatch(/^The model `a{256}/);
    expect(error.message.length).toBeLessThan(512);
  });

  it.each([
    ['a header value with a line break', 'http://router.local/v1/chat/completions', post('{}', { 'x-note': 'a\r\nb' })],
    ['a GET with a body', 'http://router.local/v1/chat/completions', { method: 'GET', body: new Uint8Array([123, 125]) }],
    ['an unknown method token', 'http://router.local/v1/chat/completions', { method: 'NOT A METHOD', body: new Uint8Array([123, 125]) }],
  ] as [string, string, RequestInit][])('answers %s with 400 and one audit record', async (_name, url, init) => {
    const { router, records } = makeRouter();
    const response = await router.fetch(url, init);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', message: expect.stringMatching(/^The request is malformed/) } });
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions' }]);
  });

  it("names a header it refuses without quoting its value (the caller's key), in the answer and the audit record", async () => {
    const { router, records } = makeRouter();
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });
    for (const headers of [{ authorization: 'Bearer sk-caller-secret\u0000' }, [['authorization', 'Bearer sk-caller-secret\u0394']]] as NonNullable<RequestInit['headers']>[]) {
      const response = await router.fetch('http://router.local/v1/chat/completions', { method: 'POST', headers, body });
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(text).toMatch(/malformed: the header \\"authorization\\"/);
      expect(text).not.toContain('sk-caller-secret');
    }
    const stored = await records();
    expect(stored).toMatchObject([{ outcome: 'invalid' }, { outcome: 'invalid' }]);
    expect(JSON.stringify(stored)).not.toContain('sk-caller-secret');
  });

  it('serves a URL that carries a user name and password, and quotes them nowhere', async () => {
    const { router, records } = makeRouter();
    const url = new URL('http://user:url-password@router.local/v1/chat/completions');
    const body = new TextEncoder().encode(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }));
    const response = await router.fetch(url, post(body));
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toContain('url-password');
    const stored = await records();
    expect(stored).toMatchObject([{ outcome: 'success', endpoint: 'chat.completions' }]);
    expect(JSON.stringify(stored)).not.toContain('url-password');
  });

  it('serves a relative URL like an absolute one', async () => {
    const { router } = makeRouter();
    const response = await router.fetch('/v1/models', { headers: { authorization: 'Bearer test-caller' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ object: 'list', data: [{ id: `eu-cloud/${model}` }] });
  });
});

describe('router.fetch: clients do not retry a routed failure', () => {
  it('the openai SDK (maxRetries 2, its default) adds no attempt to those the router made', async () => {
    const { router } = makeRouter({ retry: { retries: 1, minTimeoutMs: 0, maxTimeoutMs: 0 }, health: { failureThreshold: 1000 } });
    const client = new OpenAI({ apiKey: 'sk-caller', baseURL: 'http://router.local/v1', fetch: router.fetch, maxRetries: 2 });
    upstreamHits = 0;
    const error = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('all_providers_failed');
    expect(upstreamHits).toBe(2); // the router's first attempt and its one retry

    // The same answer without the header: the SDK runs the whole routing twice more (6 hits).
    // This is what the header prevents, and what clients that ignore it must be told to turn off.
    const withoutHeader: typeof router.fetch = async (input, init) => {
      const response = await router.fetch(input, init);
      const headers = new Headers(response.headers);
      headers.delete('x-should-retry');
      headers.set('retry-after-ms', '1');
      return new Response(response.body, { status: response.status, headers });
    };
    const retrying = new OpenAI({ apiKey: 'sk-caller', baseURL: 'http://router.local/v1', fetch: withoutHeader, maxRetries: 2 });
    upstreamHits = 0;
    await retrying.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).catch(() => {});
    expect(upstreamHits).toBe(6);
  });
});
