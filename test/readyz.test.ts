import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible } from '../src/index.js';
import { serve } from '../src/node/index.js';

const provider = openaiCompatible({
  id: 'eu-local',
  baseURL: 'http://127.0.0.1:9/v1',
  jurisdiction: { operator: { name: 'Local SAS', country: 'FR', parents: [] }, hosting: ['FR'] },
  models: [{ id: 'm' }],
});

describe('GET /readyz', () => {
  it('answers 200 while serving and 503 once the server is closing', async () => {
    const router = createRouter({ providers: [provider], keys: { 'test-a': { label: 'a' } } });
    const server = await serve(router, { port: 0 });
    const { port } = server.address() as AddressInfo;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);

    // A request under way when the server starts closing (its headers half sent) is still answered.
    const received = new Promise((resolve) => server.once('connection', (serverSide) => serverSide.once('data', resolve)));
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    await received;
    const closed = new Promise((resolve) => server.close(resolve));
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.write('Connection: close\r\n\r\n');
    await once(socket, 'end');
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toContain('{"status":"unavailable"}');
    await closed;
    await router.close();
  });
});
