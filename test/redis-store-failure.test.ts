import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible, type Logger } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { localUpstream, useLocalUpstreams } from './helpers/local-upstream.js';

useLocalUpstreams();

/*
 * A store whose Redis is away: routing goes on with this process's own view, the outage is
 * logged once through the router's logger, and nothing waits longer than the command timeout.
 */

function capturingLogger() {
  const warnings: string[] = [];
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (message) => void warnings.push(message), error: () => undefined };
  return { logger, warnings };
}

/** A TCP server that accepts connections and never answers: a hung Redis. */
async function hungServer() {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `redis://127.0.0.1:${port}`, close: () => (sockets.forEach((socket) => socket.destroy()), server.close()) };
}

const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

async function routerWith(store: ReturnType<typeof redisStore>, logger: Logger) {
  const upstream = await localUpstream((_body, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'c', object: 'chat.completion', created: 1, model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    ),
  );
  const jurisdiction = { operator: { name: 'Local SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
  const provider = openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] });
  return { router: createRouter({ providers: [provider], policy: 'global', store, logger }), upstream };
}

describe('redisStore without Redis', () => {
  it('routes on the local view when Redis refuses connections, and logs it once', async () => {
    const store = redisStore({ url: 'redis://127.0.0.1:1', refreshMs: 50, commandTimeoutMs: 100 });
    const { logger, warnings } = capturingLogger();
    const { router, upstream } = await routerWith(store, logger);
    await store.ready();
    for (let index = 0; index < 5; index++) expect((await router.chat.completions.create(request)).choices.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(warnings.filter((message) => message.includes('does not answer'))).toHaveLength(1);
    expect(upstream.hits).toBe(5);
    // The local view still learns: health shows this process's own statistics.
    expect(router.health().find((entry) => entry.provider === 'local')?.successes).toBe(5);
    await store.close();
  });

  it('gives up on a hung Redis after the command timeout instead of waiting forever', async () => {
    const hung = await hungServer();
    try {
      const store = redisStore({ url: hung.url, refreshMs: 50, commandTimeoutMs: 100 });
      const { logger, warnings } = capturingLogger();
      const { router } = await routerWith(store, logger);
      await store.ready();
      expect((await router.chat.completions.create(request)).choices.length).toBe(1);
      await store.close();
      expect(warnings.filter((message) => message.includes('does not answer'))).toHaveLength(1);
    } finally {
      hung.close();
    }
  }, 20_000);
});
