import { request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { AzureOpenAI } from 'openai';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadBuilt, loadBuiltNode } from './helpers/built-package.js';
import { euFacts } from './helpers/providers.js';

/*
 * serve() as a gateway holding provider keys, through the built package: what it refuses at the
 * edge (a foreign Host or Origin, a form post, a body too large or too slow), that each refusal
 * is an OpenAI envelope with exactly one audit record, and where it agrees to start.
 */

let built: Awaited<ReturnType<typeof loadBuilt>>;
let serve: Awaited<ReturnType<typeof loadBuiltNode>>['serve'];
const servers: Server[] = [];

beforeAll(async () => {
  built = await loadBuilt();
  serve = (await loadBuiltNode()).serve;
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

const chatBody = JSON.stringify({ model: 'llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'Name one EU country.' }] });

/** A router whose only provider is never reached: every answer here comes from the edge or a test key. */
function makeRouter(options: { keys?: Record<string, { label?: string }>; maxBodyBytes?: number } = {}) {
  const audit = built.memoryAudit();
  const router = built.createRouter({
    providers: [
      built.openaiCompatible({
        id: 'eu-cloud',
        baseURL: 'http://127.0.0.1:9/v1',
        apiKey: 'sk-provider',
        jurisdiction: euFacts,
        models: [{ id: 'llama-3.3-70b-instruct', price: { input: 0.3, output: 0.9, currency: 'EUR' }, capabilities: ['chat'] }],
      }),
    ],
    audit: [audit],
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.maxBodyBytes ? { limits: { maxBodyBytes: options.maxBodyBytes } } : {}),
  });
  /** The records of every request so far, once the sinks have them. */
  const records = async () => {
    await router.flush();
    return audit.records;
  };
  return { router, records };
}

async function start(router: Parameters<typeof serve>[0], options: Parameters<typeof serve>[1] = {}) {
  vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
  const server = await serve(router, { port: 0, ...options });
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request over a fresh connection, with whatever Host and headers the test sets. */
function send(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/v1/models', headers: options.headers ?? {}, agent: false },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode!, headers: incoming.headers, text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const json = { 'content-type': 'application/json', authorization: 'Bearer test-caller' };

/**
 * A POST that asks before sending its body (`Expect: 100-continue`) and sends it only when
 * invited: its status, and whether the server invited the body.
 */
function sendAfterContinue(port: number, headers: Record<string, string>, body: string): Promise<{ status: number; invited: boolean }> {
  return new Promise((resolve, reject) => {
    let invited = false;
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', agent: false, headers: { ...headers, expect: '100-continue', 'content-length': Buffer.byteLength(body) } },
      (incoming) => {
        incoming.resume();
        incoming.on('end', () => resolve({ status: incoming.statusCode!, invited }));
      },
    );
    outgoing.on('continue', () => {
      invited = true;
      outgoing.end(body);
    });
    outgoing.on('error', reject);
    outgoing.flushHeaders();
  });
}

describe('serve(): who may call', () => {
  it('refuses a request addressed to a foreign Host (DNS rebinding) with 403 and one audit record', async () => {
    const { router, records } = makeRouter();
    const port = await start(router);

    const rebound = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, host: `attacker.example:${port}` }, body: chatBody });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.text)).toEqual({
      error: { message: expect.stringMatching(/Host "attacker\.example:\d+".*allowedHosts/), type: 'permission_error', code: 'invalid_request', param: null },
    });
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions', error_code: 'invalid_request', provider: null }]);

    const listing = await send(port, { headers: { host: 'attacker.example' } });
    expect(listing.status).toBe(403);
    expect((await records()).map((record) => record.endpoint)).toEqual(['chat.completions', 'other']);

    // The loopback names on the bound port are this server.
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      expect((await send(port, { headers: { host, authorization: 'Bearer test-caller' } })).status, host).toBe(200);
    }
  });

  it("refuses a rebinding page's form post (text/plain, foreign Host and Origin, no key) before any upstream call", async () => {
    const { router, records } = makeRouter();
    const port = await start(router);
    const formPost = await send(port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { host: `attacker.example:${port}`, origin: `http://attacker.example:${port}`, 'content-type': 'text/plain' },
      body: chatBody,
    });
    expect(formPost.status).toBe(403);
    expect(await records()).toMatchObject([{ outcome: 'invalid', key_id: null, provider: null, attempts: [] }]);
  });

  it('answers the hosts listed in allowedHosts', async () => {
    const { router } = makeRouter();
    const port = await start(router, { allowedHosts: ['gateway.internal'] });
    expect((await send(port, { headers: { host: 'gateway.internal' } })).status).toBe(200);
    expect((await send(port, { headers: { host: 'other.internal' } })).status).toBe(403);
  });

  it("with allowedHosts '*', serves and records a call whose Host is not a valid URL host like any other", async () => {
    const { router, records } = makeRouter();
    const port = await start(router, { allowedHosts: '*' });
    const answer = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, host: 'gateway internal' }, body: chatBody });
    expect(answer.status).toBe(200);
    expect(await records()).toMatchObject([{ outcome: 'success', endpoint: 'chat.completions' }]);
  });

  it('refuses a request from another browser origin with 403 and one audit record, and serves its own origin', async () => {
    const { router, records } = makeRouter();
    const port = await start(router);

    const crossSite = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, origin: 'https://attacker.example' }, body: chatBody });
    expect(crossSite.status).toBe(403);
    expect(JSON.parse(crossSite.text).error.message).toMatch(/origin "https:\/\/attacker\.example".*cors\.origins/);
    expect(crossSite.headers['access-control-allow-origin']).toBeUndefined();
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions' }]);

    const sameOrigin = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, origin: `http://127.0.0.1:${port}` }, body: chatBody });
    expect(sameOrigin.status).toBe(200);
    expect(await records()).toHaveLength(2);
  });

  it('refuses a form post (text/plain, the one a page sends without asking) with 415 and one audit record', async () => {
    const { router, records } = makeRouter();
    const port = await start(router);
    const form = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'text/plain', authorization: 'Bearer test-caller' }, body: chatBody });
    expect(form.status).toBe(415);
    expect(JSON.parse(form.text)).toEqual({
      error: { message: expect.stringMatching(/content-type: application\/json \(got "text\/plain"\)/), type: 'invalid_request_error', code: 'invalid_request', param: null },
    });
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions', key_id: expect.stringMatching(/^key_/) }]);
  });

  it("with its own keys, refuses any other bearer token with 401 before the router's work, audited", async () => {
    const { router, records } = makeRouter();
    const port = await start(router, { keys: ['test-gateway'] });
    const stranger = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, authorization: 'Bearer test-stranger' }, body: chatBody });
    expect(stranger.status).toBe(401);
    expect(JSON.parse(stranger.text).error.code).toBe('invalid_api_key');
    const member = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, authorization: 'Bearer test-gateway' }, body: chatBody });
    expect(member.status).toBe(200);
    expect((await records()).map((record) => record.outcome)).toEqual(['denied', 'success']);
  });

  it("with keys on the router, refuses any other bearer token with 401 before inviting or reading its body, audited", async () => {
    const { router, records } = makeRouter({ keys: { 'test-team': { label: 'team' } } });
    const port = await start(router);
    // A client that asks before sending a large body: a stranger is not invited to send it.
    const ask = (key: string) => sendAfterContinue(port, { ...json, authorization: `Bearer ${key}` }, chatBody);
    expect(await ask('test-stranger')).toEqual({ status: 401, invited: false });
    expect(await ask('test-team')).toEqual({ status: 200, invited: true });
    expect(await records()).toMatchObject([
      { outcome: 'denied', endpoint: 'chat.completions', error_code: 'invalid_api_key', key_id: expect.stringMatching(/^key_/) },
      { outcome: 'success', key_id: 'team' },
    ]);
  });
});

describe('serve(): clients that send their key in another header', () => {
  it("takes the key the AzureOpenAI client sends in its api-key header, as it takes a bearer token", async () => {
    const { router, records } = makeRouter({ keys: { 'test-team': { label: 'team' } } });
    const port = await start(router);
    const client = new AzureOpenAI({ apiKey: 'test-team', endpoint: `http://127.0.0.1:${port}`, apiVersion: '2024-10-21', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'Name one EU country.' }] });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const stranger = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', 'api-key': 'test-stranger' }, body: chatBody });
    expect(stranger.status).toBe(401);
    expect(await records()).toMatchObject([
      { outcome: 'success', key_id: 'team' },
      { outcome: 'denied', error_code: 'invalid_api_key' },
    ]);
  });
});

describe('serve(): where it starts', () => {
  it('without keys, refuses to start on a non-loopback host unless allowAnonymous is given, and then warns', async () => {
    const { router } = makeRouter();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    await expect(serve(router, { port: 0, host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/refusing to listen on 0\.0\.0\.0 without API keys.*allowAnonymous: true/),
    });
    expect(warn).not.toHaveBeenCalled();

    const open = await serve(router, { port: 0, host: '0.0.0.0', allowAnonymous: true });
    servers.push(open);
    expect(open.listening).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/allowAnonymous: true and no API keys: anyone who reaches 0\.0\.0\.0/);
  });

  it('without keys on loopback, starts and says once that allowAnonymous would open it', async () => {
    const { router } = makeRouter();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    servers.push(await serve(router, { port: 0 }));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/answers only on loopback.*allowAnonymous: true/);
  });

  it("without keys, refuses cors origins '*' (any web page could spend the providers' keys through loopback) unless allowAnonymous is given", async () => {
    const { router } = makeRouter();
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    await expect(serve(router, { port: 0, cors: { origins: '*' } })).rejects.toMatchObject({
      code: 'invalid_request',
      param: 'cors',
      message: expect.stringMatching(/cors origins '\*' without API keys.*any web page.*allowAnonymous: true/),
    });
    servers.push(await serve(router, { port: 0, cors: { origins: '*' }, allowAnonymous: true }));
    servers.push(await serve(router, { port: 0, cors: { origins: ['https://app.example'] } }));
    const keyed = makeRouter({ keys: { 'test-team': { label: 'team' } } });
    servers.push(await serve(keyed.router, { port: 0, cors: { origins: '*' } }));
  });

  it('with keys on the router, starts on any host without a warning', async () => {
    const { router } = makeRouter({ keys: { 'test-team': { label: 'team' } } });
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    servers.push(await serve(router, { port: 0, host: '0.0.0.0' }));
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('serve(): CORS', () => {
  it('answers a preflight from an allowed origin with the Access-Control headers, and refuses another with 403', async () => {
    const { router, records } = makeRouter();
    const port = await start(router, { cors: { origins: ['https://app.example'] } });
    const preflight = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' };

    const allowed = await send(port, { method: 'OPTIONS', path: '/v1/chat/completions', headers: { ...preflight, origin: 'https://app.example' } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-methods': expect.stringContaining('POST'),
      'access-control-allow-headers': 'authorization, content-type',
    });

    const other = await send(port, { method: 'OPTIONS', path: '/v1/chat/completions', headers: { ...preflight, origin: 'https://attacker.example' } });
    expect(other.status).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(other.text).error.type).toBe('permission_error');

    // The real request from the allowed origin gets the header its page needs to read the answer.
    const call = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, origin: 'https://app.example' }, body: chatBody });
    expect(call.status).toBe(200);
    expect(call.headers['access-control-allow-origin']).toBe('https://app.example');
    // And may read the answer's request id, and the waits an error asks for.
    expect(String(call.headers['access-control-expose-headers']).split(/,\s*/)).toEqual(expect.arrayContaining(['x-request-id', 'retry-after', 'retry-after-ms', 'x-should-retry']));
    expect((await records()).map((record) => record.outcome)).toEqual(['invalid', 'success']);
  });
});

describe('serve(): bodies and time', () => {
  it('refuses a body over maxBodyBytes with 413, naming the limit, and one audit record', async () => {
    const { router, records } = makeRouter();
    const port = await start(router, { maxBodyBytes: 1024 });
    const big = JSON.stringify({ model: 'llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
    const answer = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: json, body: big });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toEqual({
      error: { message: expect.stringMatching(/larger than 1024 bytes.*serve's maxBodyBytes/), type: 'invalid_request_error', code: 'invalid_request', param: null },
    });
    expect(answer.headers['x-should-retry']).toBe('false');
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions', error_code: 'invalid_request' }]);
  });

  it('refuses a compressed body (content-encoding: gzip) with 415 naming the coding, not a 400 saying valid JSON is not JSON', async () => {
    const { router, records } = makeRouter();
    const port = await start(router);
    const answer = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(chatBody) });
    expect(answer.status).toBe(415);
    expect(answer.headers['accept-encoding']).toBe('identity');
    expect(JSON.parse(answer.text).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', message: expect.stringMatching(/content-encoding.*gzip/i) });
    const plain = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, 'content-encoding': 'identity' }, body: chatBody });
    expect(plain.status).toBe(200);
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions' }, { outcome: 'success' }]);
  });

  it('reads a JSON body that starts with a UTF-8 byte order mark (a file saved by a Windows editor) as JSON, as router.fetch does for a streamed body', async () => {
    const { router } = makeRouter();
    const port = await start(router);
    const answer = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: json, body: `\uFEFF${chatBody}` });
    expect(answer.status).toBe(200);
    const direct = await router.fetch('http://localhost/v1/chat/completions', { method: 'POST', headers: json, body: `\uFEFF${chatBody}` });
    expect(direct.status).toBe(200);
  });

  it('refuses a body that is not UTF-8 (a Latin-1 "café") with 400 rather than sending the provider a prompt with U+FFFD in it', async () => {
    const { router, records } = makeRouter();
    const port = await start(router);
    const latin1 = Buffer.from(JSON.stringify({ model: 'llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'Un café ?' }] }), 'latin1');
    const answer = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, 'content-type': 'application/json; charset=iso-8859-1' }, body: latin1 });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', message: expect.stringMatching(/not valid UTF-8/) });
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions' }]);
  });

  it('refuses a chunked body (no declared length) once its bytes pass maxBodyBytes, with one audit record', async () => {
    const { router, records } = makeRouter();
    const port = await start(router, { maxBodyBytes: 1024 });
    const answer = await new Promise<Answer>((resolve, reject) => {
      const outgoing = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', headers: { ...json, 'transfer-encoding': 'chunked' }, agent: false },
        (incoming) => {
          let text = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (chunk: string) => (text += chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode!, headers: incoming.headers, text }));
        },
      );
      outgoing.on('error', reject);
      // Sends 512 bytes at a time and never ends: only a server that stops at the limit answers.
      const drip = setInterval(() => (outgoing.writable ? outgoing.write(' '.repeat(512)) : clearInterval(drip)), 10);
      outgoing.on('close', () => clearInterval(drip));
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error.message).toMatch(/larger than 1024 bytes/);
    expect(await records()).toHaveLength(1);
  });

  it('refuses a body declared too large before inviting it with 100 Continue, and invites one that fits', async () => {
    const { router, records } = makeRouter();
    const port = await start(router, { maxBodyBytes: 1024 });
    const ask = (length: number) =>
      sendAfterContinue(port, json, JSON.stringify({ model: 'llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'x'.repeat(length) }] }));
    expect(await ask(4096)).toEqual({ status: 413, invited: false });
    expect(await ask(10)).toEqual({ status: 200, invited: true });
    expect((await records()).map((record) => record.outcome)).toEqual(['invalid', 'success']);
  });

  it('refuses an expectation other than 100-continue with a 417 envelope and one audit record', async () => {
    const { router, records } = makeRouter();
    const port = await start(router);
    const answer = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, expect: 'pay-first' }, body: chatBody });
    expect(answer.status).toBe(417);
    expect(answer.headers['x-should-retry']).toBe('false');
    expect(JSON.parse(answer.text)).toEqual({
      error: { message: expect.stringMatching(/Expect: "pay-first".*100-continue/), type: 'invalid_request_error', code: 'invalid_request', param: null },
    });
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions', error_code: 'invalid_request' }]);
  });

  it("refuses to start with a maxBodyBytes above the router's limits.maxBodyBytes, whose 413 would refuse those bodies after buffering them", async () => {
    const { router } = makeRouter({ maxBodyBytes: 2048 });
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const error = await serve(router, { port: 0, maxBodyBytes: 4096 }).then(
      (server) => (servers.push(server), undefined),
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ param: 'maxBodyBytes', message: expect.stringMatching(/maxBodyBytes 4096 .*limits\.maxBodyBytes \(2048\)/) });
  });

  it("takes its default body limit from the router's limits.maxBodyBytes", async () => {
    const { router, records } = makeRouter({ maxBodyBytes: 2048 });
    const port = await start(router);
    const big = JSON.stringify({ model: 'llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
    const answer = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: json, body: big });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error.message).toMatch(/larger than 2048 bytes/);
    expect(await records()).toHaveLength(1);
  });

  /** Opens a raw connection, writes `head`, then one more byte every 20 ms until the server closes it. */
  function trickle(port: number, head: string, drip: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      let timer: NodeJS.Timeout | undefined;
      socket.setEncoding('utf8');
      socket.on('connect', () => {
        socket.write(head);
        timer = setInterval(() => {
          if (socket.writable) socket.write(drip);
        }, 20);
      });
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('error', () => {}); // a reset after the answer is the server cutting us off
      socket.on('close', () => {
        clearInterval(timer);
        resolve(received);
      });
      setTimeout(() => reject(new Error(`the server kept the trickling connection open; received ${JSON.stringify(received)}`)), 10_000).unref();
    });
  }

  it('answers headers too large, and a request it cannot parse, with an OpenAI envelope rather than a bare status line', async () => {
    const { router, records } = makeRouter();
    const port = await start(router);
    const oversized = await send(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...json, 'x-padding': 'a'.repeat(20_000) }, body: chatBody });
    expect(oversized.status).toBe(431);
    expect(oversized.headers['x-should-retry']).toBe('false');
    expect(JSON.parse(oversized.text)).toEqual({
      error: { message: expect.stringMatching(/headers are larger than/), type: 'invalid_request_error', code: 'invalid_request', param: null },
    });
    const garbled = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      let received = '';
      socket.on('data', (data: Buffer) => {
        const first = received === '';
        received += data.toString('utf8');
        // Once a first request is answered on this keep-alive connection.
        if (first) socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}`);
      });
      socket.on('close', () => resolve(received));
      socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    });
    const second = garbled.slice(garbled.indexOf('HTTP/1.1', 1));
    expect(garbled).toMatch(/^HTTP\/1\.1 200 /);
    expect(second).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_request' } });
    // Headers that never completed are no request: nothing to record.
    expect(await records()).toEqual([]);
  });

  it('cuts a client trickling its headers after requestTimeoutMs with a 408', async () => {
    const { router } = makeRouter();
    const port = await start(router, { requestTimeoutMs: 200 });
    const received = await trickle(port, `GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`, 'x');
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts a client trickling its body after requestTimeoutMs with a 408 envelope and one audit record', async () => {
    const { router, records } = makeRouter();
    const port = await start(router, { requestTimeoutMs: 200 });
    const head =
      `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` +
      `authorization: Bearer test-caller\r\ncontent-length: 100000\r\n\r\n{`;
    const received = await trickle(port, head, ' ');
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    const envelope = JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4)) as { error: { message: string; code: string } };
    expect(envelope.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/within 200 ms \(serve's requestTimeoutMs\)/) });
    expect(await records()).toMatchObject([{ outcome: 'invalid', endpoint: 'chat.completions' }]);
  });
});

describe('serve(): paths', () => {
  it('answers GET /healthz with 200 and no audit record, whatever the Host', async () => {
    const { router, records } = makeRouter({ keys: { 'test-team': {} } });
    const port = await start(router);
    const health = await send(port, { path: '/healthz', headers: { host: 'pod-10-0-0-7.internal' } });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
    expect(await records()).toEqual([]);
  });

  it('answers HEAD as GET without a body (RFC 9110): /healthz, /readyz and /v1/models, with no audit record', async () => {
    const { router, records } = makeRouter({ keys: { 'test-team': {} } });
    const port = await start(router);
    const health = await send(port, { method: 'HEAD', path: '/healthz', headers: { host: 'pod-10-0-0-7.internal' } });
    expect([health.status, health.headers['content-type'], health.text]).toEqual([200, 'application/json', '']);
    await vi.waitFor(async () => expect((await send(port, { method: 'HEAD', path: '/readyz' })).status).toBe(200));
    const models = await send(port, { method: 'HEAD', path: '/v1/models', headers: { authorization: 'Bearer test-team' } });
    expect([models.status, models.headers['content-type'], models.text]).toEqual([200, 'application/json', '']);
    const deleted = await send(port, { method: 'DELETE', path: '/v1/models', headers: { authorization: 'Bearer test-team' } });
    expect([deleted.status, deleted.headers.allow]).toEqual([405, 'GET, HEAD']);
    const options = await send(port, { method: 'OPTIONS', path: '/v1/models' });
    expect([options.status, options.headers.allow]).toEqual([204, 'GET, HEAD, POST, OPTIONS']);
    expect(await records()).toEqual([]);
  });

  it('answers a malformed percent-encoding in a model id with a 400 envelope, not a 500', async () => {
    const { router } = makeRouter();
    const port = await start(router);
    const answer = await send(port, { path: '/v1/models/%E0%A4%A', headers: { authorization: 'Bearer test-caller' } });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error).toMatchObject({ code: 'invalid_request', param: 'model', message: expect.stringMatching(/percent-encoding/) });
  });

  it('serves a request target in absolute form (as a client sends it through a proxy) like its path', async () => {
    const { router, records } = makeRouter();
    const port = await start(router);
    const headers = { ...json, host: `127.0.0.1:${port}` };
    const answer = await send(port, { method: 'POST', path: `http://127.0.0.1:${port}/v1/chat/completions`, headers, body: chatBody });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ object: 'chat.completion' });
    const health = await send(port, { path: `http://127.0.0.1:${port}/healthz` });
    expect(health.status).toBe(200);
    expect(await records()).toMatchObject([{ outcome: 'success', endpoint: 'chat.completions' }]);
  });
});
