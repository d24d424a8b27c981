import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunk, completion, sendEvents, sendJson } from './helpers/local-upstream.js';

/*
 * The native transport over HTTPS, as every hosted provider is reached: a TLS upstream on
 * 127.0.0.1 with a certificate made for the test (openssl), trusted by a child Node process
 * through NODE_EXTRA_CA_CERTS (read at start-up only, hence the child), which routes through
 * the built package. Checks answers, a stream, and that sequential calls share one TLS
 * connection (the keep-alive agent), and that a certificate the process does not trust fails
 * like fetch would: could not connect, nothing answered.
 */

const run = promisify(execFile);
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.log('skipped: openssl is not installed, so no certificate can be made for the HTTPS upstream');

const directory = mkdtempSync(join(tmpdir(), 'sovroute-tls-'));
const certificate = join(directory, 'cert.pem');
const key = join(directory, 'key.pem');
const dist = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'index.js')).href;

let server: Server;
let baseURL: string;
let connections = 0;
const requests: { path: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  if (!hasOpenssl) return;
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certificate, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  server = createServer({ key: readFileSync(key), cert: readFileSync(certificate) }, (request, response) => {
    let body = '';
    request.on('data', (part: Buffer) => (body += part));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', authorization: request.headers.authorization });
      const parsed = JSON.parse(body) as { model: string; stream?: boolean };
      if (parsed.stream) sendEvents(response, [chunk(parsed.model, { content: 'Bon' }, null), chunk(parsed.model, { content: 'jour' }, null), chunk(parsed.model, {}, 'stop')]);
      else sendJson(response, 200, completion(parsed.model, 'Bonjour'));
    });
  });
  server.on('secureConnection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(directory, { recursive: true, force: true });
});

/** Runs `body` in a child Node process with the built package as `sovroute`, and parses what it prints. */
async function inChild(body: string, trust: boolean): Promise<unknown> {
  const script = `
    const sovroute = await import(${JSON.stringify(dist)});
    const { createRouter, openaiCompatible } = sovroute;
    const router = createRouter({
      providers: [openaiCompatible({ id: 'tls', baseURL: ${JSON.stringify(baseURL)}, apiKey: 'sk-tls-test-key-0001', transport: 'native', models: [{ id: 'model-a' }] })],
      retry: { retries: 0 },
    });
    const messages = [{ role: 'user', content: 'Say hello.' }];
    ${body}
  `;
  const environment: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: trust ? certificate : '' };
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: environment, timeout: 30_000 });
  return JSON.parse(stdout);
}

describe.skipIf(!hasOpenssl)('the native transport over HTTPS', () => {
  it('answers calls and a stream over one kept-alive TLS connection', async () => {
    const before = connections;
    const result = await inChild(
      `
      const answers = [];
      for (let index = 0; index < 3; index++) {
        const completion = await router.chat.completions.create({ model: 'model-a', messages });
        answers.push([completion.provider, completion.choices[0].message.content]);
      }
      const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
      let streamed = '';
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
      console.log(JSON.stringify({ answers, streamed }));
      `,
      true,
    );
    expect(result).toEqual({ answers: Array(3).fill(['tls', 'Bonjour']), streamed: 'Bonjour' });
    expect(requests.slice(-4).map((request) => [request.path, request.authorization])).toEqual(Array(4).fill(['/v1/chat/completions', 'Bearer sk-tls-test-key-0001']));
    // Four sequential requests, one TLS handshake: the keep-alive agent reused its connection.
    expect(connections - before).toBe(1);
  });

  it('refuses an upstream whose certificate the process does not trust: could not connect, nothing answered', async () => {
    const sent = requests.length;
    const result = await inChild(
      `
      const error = await router.chat.completions.create({ model: 'model-a', messages }).then(() => undefined, (caught) => caught);
      console.log(JSON.stringify({ code: error?.code, status: error?.status, message: error?.message }));
      `,
      false,
    );
    expect(result).toMatchObject({ code: 'all_providers_failed', status: 502 });
    expect((result as { message: string }).message).toMatch(/could not connect to tls \(fetch failed: self.signed certificate/);
    expect((result as { message: string }).message).not.toContain('sk-tls-test-key-0001');
    expect(requests.length).toBe(sent);
  });
});
