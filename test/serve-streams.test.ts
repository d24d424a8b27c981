import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible } from '../src/index.js';
import { serve } from '../src/node/index.js';
import { chunk, localUpstream, useLocalUpstreams } from './helpers/local-upstream.js';
import { euFacts } from './helpers/providers.js';

/* serve() and streams that end badly: a client that stops reading, then comes back. */

useLocalUpstreams();
const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

const model = 'llama-3.3-70b-instruct';

/** An upstream that streams large chunks for as long as it is read, up to 64 MiB. */
async function endlessUpstream() {
  return localUpstream((_body, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const frame = `data: ${JSON.stringify(chunk(model, { content: 'x'.repeat(16 * 1024) }, null))}\n\n`;
    let sent = 0;
    const more = () => {
      while (sent < 4096) {
        sent += 1;
        if (!response.write(frame)) return void response.once('drain', more);
      }
      response.end('data: [DONE]\n\n');
    };
    response.on('close', () => (sent = Infinity));
    more();
  });
}

/** Sends a raw request and stops reading its answer until `resume()` is called. */
function pausedClient(port: number, path: string, body: string) {
  const socket = connect(port, '127.0.0.1');
  socket.pause();
  socket.write(
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  let text = '';
  const ended = new Promise<string>((resolve) => socket.once('close', () => resolve(text)));
  socket.on('error', () => {});
  return {
    /** Reads the rest; resolves with the whole answer once the connection closes. */
    resume() {
      socket.setEncoding('latin1').on('data', (part: string) => (text += part));
      socket.resume();
      return ended;
    },
  };
}

describe('serve(): a client that stops reading a stream', () => {
  it('keeps serving after a Responses stream it stopped reading is ended by streamIdleTimeoutMs', async () => {
    const upstream = await endlessUpstream();
    const audit = memoryAudit();
    const router = createRouter({
      providers: [openaiCompatible({ id: 'eu-cloud', baseURL: upstream.baseURL, apiKey: 'sk-provider', jurisdiction: euFacts, models: [{ id: model, price: { input: 1, output: 1, currency: 'EUR' } }] })],
      streamIdleTimeoutMs: 100,
      audit: [audit],
    });
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const server = await serve(router, { port: 0 });
    servers.push(server);
    const { port } = server.address() as AddressInfo;

    const client = pausedClient(port, '/v1/responses', JSON.stringify({ model, input: 'Write at length.', stream: true }));
    // The router gives up on the stream the client stopped reading: its record says so.
    await vi.waitFor(
      async () => {
        await router.flush();
        expect(audit.records.map((record) => record.outcome)).toEqual(['aborted']);
      },
      { timeout: 15_000 },
    );
    const answer = await client.resume();
    // The answer is cut, not ended: no terminal event, no last chunk of the chunked body.
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).not.toContain('response.completed');
    expect(answer.endsWith('\r\n0\r\n\r\n')).toBe(false);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('serve(): the headers of a stream', () => {
  it('tells proxies not to buffer or cache a chat or Responses stream, and sends no content-length', async () => {
    const upstream = await localUpstream((_body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify(chunk(model, { role: 'assistant', content: 'Bonjour' }, 'stop'))}\n\n`);
      response.end('data: [DONE]\n\n');
    });
    const router = createRouter({
      providers: [openaiCompatible({ id: 'eu-cloud', baseURL: upstream.baseURL, apiKey: 'sk-provider', jurisdiction: euFacts, models: [{ id: model, price: { input: 1, output: 1, currency: 'EUR' } }] })],
    });
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const server = await serve(router, { port: 0 });
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    const bodies = {
      'chat/completions': { model, stream: true, messages: [{ role: 'user', content: 'Salut' }] },
      responses: { model, stream: true, input: 'Salut' },
    };
    for (const [path, body] of Object.entries(bodies)) {
      const response = await fetch(`http://127.0.0.1:${port}/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      // nginx and proxies like it hold a response back until it ends unless told not to.
      expect({
        status: response.status,
        type: response.headers.get('content-type'),
        cache: response.headers.get('cache-control'),
        buffering: response.headers.get('x-accel-buffering'),
        length: response.headers.get('content-length'),
      }).toEqual({ status: 200, type: 'text/event-stream', cache: 'no-cache', buffering: 'no', length: null });
      expect(await response.text()).toContain('Bonjour');
    }
  });
});
