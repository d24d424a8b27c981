import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { createClient } from '@redis/client';
import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible, RouterError, type Logger } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { localUpstream, useLocalUpstreams } from './helpers/local-upstream.js';
import { euJurisdiction, oneTokenRequest, oneTokenUpstream } from './helpers/priced-upstream.js';

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
  it('refuses a url that is not a URL when the store is created, without quoting the password it holds', () => {
    let thrown: unknown;
    try {
      redisStore({ url: 'redis//app:s3cret@127.0.0.1:6379' });
    } catch (error) {
      thrown = error;
    }
    expect(RouterError.isInstance(thrown) && [thrown.code, thrown.param]).toEqual(['invalid_request', 'url']);
    expect(String((thrown as Error).message)).not.toContain('s3cret');
  });

  it('refuses a password written with an unencoded / ? or # (read as a host and a port, its first digits in the log), without quoting it', () => {
    // "1234/5678" unencoded: WHATWG URL and the Redis client read host "app", port 1234, and the
    // log named "Redis at app:1234", the password's first part, while connecting somewhere else.
    for (const url of ['redis://app:1234/5678@127.0.0.1:6379', 'rediss://default:99?xyz@cache.internal:6380/1', 'redis://:42#q@127.0.0.1']) {
      let thrown: unknown;
      try {
        redisStore({ url });
      } catch (error) {
        thrown = error;
      }
      expect(RouterError.isInstance(thrown) && [thrown.code, thrown.param]).toEqual(['invalid_request', 'url']);
      expect((thrown as Error).message).toMatch(/percent-encode/);
      for (const part of ['1234', '5678', '99', 'xyz', '42']) expect((thrown as Error).message).not.toContain(part);
    }
  });

  it("takes a unix socket url as the Redis client does, credentials and ?db= included, and names the socket in its log", async () => {
    const store = redisStore({ url: 'unix://app:s3cret@/tmp/sovroute-no-such-redis.sock?db=2', commandTimeoutMs: 100 });
    const { logger, warnings } = capturingLogger();
    store.attach({ logger });
    await store.ready();
    await store.close();
    expect(warnings).toEqual([expect.stringContaining('Redis at /tmp/sovroute-no-such-redis.sock does not answer (connect ENOENT')]);
    expect(warnings[0]).not.toContain('s3cret');
  });

  it('refuses times that Redis cannot take when the store is created, instead of failing every write later', () => {
    for (const [option, value] of [['ttlMs', Infinity], ['ttlMs', 0], ['ttlMs', 1.5], ['refreshMs', 0], ['commandTimeoutMs', -1], ['refreshMs', Number.NaN]] as const) {
      let thrown: unknown;
      try {
        redisStore({ url: 'redis://127.0.0.1:1', [option]: value });
      } catch (error) {
        thrown = error;
      }
      expect(RouterError.isInstance(thrown) && [thrown.code, thrown.param, /whole number of milliseconds/.test(thrown.message)]).toEqual(['invalid_request', option, true]);
    }
  });

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

  it('says how many costs go uncounted when it is closed with settlements still waiting for Redis', async () => {
    const store = redisStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 100 });
    const { logger, warnings } = capturingLogger();
    store.attach({ logger });
    await store.ready();
    const account = { keyId: 'team-a', period: 'day' as const, currency: 'EUR' };
    // Two requests end while Redis is away: their settlements wait for it.
    await store.budgets!.settle(account, 'first', 1_000);
    await store.budgets!.settle(account, 'second', 2_000);
    await store.close();
    expect(warnings.filter((message) => message.includes('not counted'))).toEqual([expect.stringContaining('2 requests')]);
  });

  it('refuses a budget once the command timeout has passed, while the first connection is still being tried', async () => {
    const store = redisStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 100 });
    const upstream = await oneTokenUpstream();
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      store,
      logger: capturingLogger().logger,
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' } } },
      providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction: euJurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
    });
    const settled: string[] = [];
    // Starting up tries the connection for five command timeouts; a budget waits one.
    await Promise.all([
      store.ready().then(() => void settled.push('store ready')),
      router.chat.completions.create(oneTokenRequest, { apiKey: 'sk-a' }).then(
        () => void settled.push('sent'),
        (error: RouterError) => void settled.push(error.code),
      ),
    ]);
    expect(settled).toEqual(['store_unavailable', 'store ready']);
    expect(upstream.hits).toBe(0);
    await store.close();
  });

  it('fails router.usage() with 503 store_unavailable, an OpenAI-shaped error, while Redis does not answer', async () => {
    const store = redisStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 100 });
    const router = createRouter({ currency: 'EUR', policy: 'global', store, logger: capturingLogger().logger, keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' } } }, providers: [] });
    await store.ready();
    const error = await router.usage('team-a').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(RouterError.isInstance(error) && [error.status, error.code, error.toJSON().error.type]).toEqual([503, 'store_unavailable', 'server_error']);
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

/** A free TCP port on 127.0.0.1 (free when asked; the test binds it right after). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of the test's own, so the test may kill it and start it again on the same port. */
async function ownRedis(port: number): Promise<ChildProcess> {
  // A replica (the failover tests) writes the snapshot it receives: into the temp dir, not the working tree.
  const files = ['--dir', tmpdir(), '--dbfilename', `sovroute-test-${port}.rdb`];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...files], { stdio: 'ignore' });
  for (let tries = 0; tries < 100; tries++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return child;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer) {
  if (process.env.CI === 'true') throw new Error('no redis-server binary on the PATH: CI requires it');
  console.warn('skipped: no redis-server binary to start and kill (install Redis)');
}

describe.skipIf(!hasRedisServer)('a Redis that dies mid-run and comes back', () => {
  it('keeps routing on the local view, refuses budgets (deny) or lets them through (allow) within the command timeout, logs once, then reconnects and shares circuits again', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let server = await ownRedis(port);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const commandTimeoutMs = 200;
    const free = { apiKey: 'sk-free' };
    const refreshMs = 100;
    const stores = [
      redisStore({ url, prefix: 'fail:', refreshMs, commandTimeoutMs, instanceId: 'a' }),
      redisStore({ url, prefix: 'fail:', refreshMs, commandTimeoutMs, instanceId: 'b', onUnavailable: 'allow' }),
    ];
    try {
      const ok = () =>
        localUpstreamAnswering((response) =>
          response.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              id: 'c', object: 'chat.completion', created: 1, model: 'm',
              choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
            }),
          ),
        );
      const [flaky, steady] = await Promise.all([ok(), ok()]);
      const jurisdiction = { operator: { name: 'Local SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
      const logs = stores.map(() => ({ warnings: [] as string[], infos: [] as string[] }));
      const [a, b] = stores.map((store, index) =>
        createRouter({
          policy: 'global',
          strategy: 'cheapest',
          exploration: { share: 0 },
          store,
          logger: { debug: () => undefined, info: (message) => void logs[index]!.infos.push(message), warn: (message) => void logs[index]!.warnings.push(message), error: () => undefined },
          // sk-a has a budget, counted in Redis; sk-free has none.
          keys: { 'sk-a': { label: 'team-a', budget: { limit: 100, period: 'day' } }, 'sk-free': { label: 'free' } },
          retry: { retries: 0 },
          health: { failureThreshold: 1, cooldownMs: 60_000 },
          providers: [
            openaiCompatible({ id: 'flaky', baseURL: flaky.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] }),
            openaiCompatible({ id: 'steady', baseURL: steady.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 2, output: 2, currency: 'EUR' } }] }),
          ],
        }),
      );
      await Promise.all(stores.map((store) => store.ready()));
      for (const router of [a!, b!]) {
        expect((await router.chat.completions.create(request, free)).provider).toBe('flaky');
        expect((await router.chat.completions.create(request, { apiKey: 'sk-a' })).provider).toBe('flaky');
      }

      // Redis dies mid-run.
      server.kill('SIGKILL');
      await new Promise((resolve) => server.once('exit', resolve));
      const durations: number[] = [];
      const timed = async <T>(call: () => Promise<T>) => {
        const started = performance.now();
        try {
          return await call();
        } finally {
          durations.push(performance.now() - started);
        }
      };
      for (let index = 0; index < 20; index++) {
        for (const router of [a!, b!]) expect((await timed(() => router.chat.completions.create(request, free))).provider).toBe('flaky');
      }
      // Budgets cannot be checked: 'deny' refuses with 503 store_unavailable, 'allow' sends uncounted.
      for (let index = 0; index < 5; index++) {
        const refused = await timed(() => a!.chat.completions.create(request, { apiKey: 'sk-a' })).then(
          () => undefined,
          (error: unknown) => error as RouterError,
        );
        expect([refused?.status, refused?.code, refused?.type]).toEqual([503, 'store_unavailable', 'server_error']);
        expect((await timed(() => b!.chat.completions.create(request, { apiKey: 'sk-a' }))).provider).toBe('flaky');
      }
      // Nothing waits on the dead Redis longer than the command timeout (a closed socket fails at once).
      expect(Math.max(...durations)).toBeLessThan(commandTimeoutMs + 1_000);
      for (const log of logs) expect(log.warnings.filter((message) => message.includes('does not answer'))).toHaveLength(1);
      // The local views still learn: the outage did not stop health.
      expect(a!.health().find((entry) => entry.provider === 'flaky')?.successes).toBeGreaterThanOrEqual(22);

      // Redis comes back on the same port (empty: it kept nothing).
      server = await ownRedis(port);
      for (let waited = 0; waited < 100 && logs.some((log) => !log.infos.some((message) => message.includes('answers again'))); waited++) await sleep(100);
      for (const log of logs) expect(log.infos.filter((message) => message.includes('answers again'))).toHaveLength(1);
      expect((await a!.chat.completions.create(request, { apiKey: 'sk-a' })).provider).toBe('flaky');

      // The fleet converges again: a circuit b opens is seen by a within the lag.
      flaky.fail = true;
      expect((await b!.chat.completions.create(request, free)).provider).toBe('steady');
      const openedAt = performance.now();
      const circuitOfA = () => a!.health().find((entry) => entry.provider === 'flaky')?.circuit;
      while (circuitOfA() !== 'open' && performance.now() - openedAt < 5_000) await sleep(10);
      const lagMs = performance.now() - openedAt;
      expect(circuitOfA()).toBe('open');
      // Published at once; at most one refresh if the message was lost (plus slack for a loaded machine).
      expect(lagMs).toBeLessThan(refreshMs + 1_000);
      expect(a!.health().find((entry) => entry.provider === 'flaky')?.changedBy).toBe('b');
      expect((await a!.chat.completions.create(request, free)).provider).toBe('steady');
      expect(flaky.hits).toBe(4 + 40 + 5 + 1 + 1);

      // Redis hangs (stopped, its socket open): a budget waits the command timeout, no longer.
      server.kill('SIGSTOP');
      try {
        const started = performance.now();
        const refused = await a!.chat.completions.create(request, { apiKey: 'sk-a' }).then(
          () => undefined,
          (error: unknown) => error as RouterError,
        );
        const waitedMs = performance.now() - started;
        expect(refused?.code).toBe('store_unavailable');
        expect(waitedMs).toBeGreaterThanOrEqual(commandTimeoutMs - 5);
        expect(waitedMs).toBeLessThan(commandTimeoutMs + 1_000);
        expect((await b!.chat.completions.create(request, { apiKey: 'sk-a' })).provider).toBe('steady');
        expect((await a!.chat.completions.create(request, free)).provider).toBe('steady');
      } finally {
        server.kill('SIGCONT');
      }
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await Promise.all(stores.map((store) => store.close()));
      server.kill('SIGKILL');
    }
  }, 60_000);
});

describe.skipIf(!hasRedisServer)('a budget reservation Redis makes after its command timed out', () => {
  it('is given back, so the key is not held at its limit by a request that was refused', async () => {
    const port = await freePort();
    const server = await ownRedis(port);
    const store = redisStore({ url: `redis://127.0.0.1:${port}`, prefix: 'late:', commandTimeoutMs: 200 });
    try {
      const upstream = await oneTokenUpstream();
      // Each call reserves 0.001 EUR (one token at most): the budget holds one call, not two.
      const router = createRouter({
        currency: 'EUR',
        policy: 'global',
        store,
        keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.0015, period: 'day' } } },
        providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction: euJurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
      });
      await store.ready();
      server.kill('SIGSTOP');
      let refused: RouterError | undefined;
      try {
        refused = await router.chat.completions.create(oneTokenRequest, { apiKey: 'sk-a' }).then(
          () => undefined,
          (error: unknown) => error as RouterError,
        );
      } finally {
        // Redis runs the reservation it was sent, after the router stopped waiting for it.
        server.kill('SIGCONT');
      }
      expect(refused?.code).toBe('store_unavailable');
      expect(upstream.hits).toBe(0);
      expect(await router.usage('team-a')).toMatchObject({ spent: 0, reserved: 0 });
      expect((await router.chat.completions.create(oneTokenRequest, { apiKey: 'sk-a' })).provider).toBe('local');
      expect(await router.usage('team-a')).toMatchObject({ spent: 0.001, reserved: 0 });
    } finally {
      await store.close();
      server.kill('SIGKILL');
    }
  });
});

/** A local upstream that answers with `answer`, or with a 500 once `fail` is set. */
async function localUpstreamAnswering(answer: (response: import('node:http').ServerResponse) => void) {
  const upstream = await localUpstream((_body, response) => {
    if (handle.fail) response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'down', type: 'server_error' } }));
    else answer(response);
  });
  const handle = {
    fail: false,
    baseURL: upstream.baseURL,
    get hits() {
      return upstream.hits;
    },
  };
  return handle;
}

/** A TCP relay to Redis that the test can cut (every connection dropped, new ones refused) and restore: a network partition. */
async function cuttableRelay(redisPort: number) {
  const sockets = new Set<Socket>();
  let cut = false;
  const relay = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect({ host: '127.0.0.1', port: redisPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(relay.address() as { port: number }).port}`,
    cut: () => {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => void (cut = false),
    close: () => (sockets.forEach((socket) => socket.destroy()), relay.close()),
  };
}

/**
 * A router whose key has a budget in `store`, and an upstream that holds each answer (one
 * completion token at 1000 EUR per million: 0.001 EUR a call) until `answer()`.
 */
async function heldBudgetedCall(store: ReturnType<typeof redisStore>, logger: Logger) {
  let answer: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const upstream = await localUpstream((_body, response) => {
    void answered.then(() =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'c', object: 'chat.completion', created: 1, model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        }),
      ),
    );
  });
  const router = createRouter({
    currency: 'EUR',
    policy: 'global',
    store,
    logger,
    keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' } } },
    providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction: euJurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
  });
  return { router, upstream, answer };
}

/** The key's usage once one call's cost (0.001 EUR) is counted, or the last read after 5 s. */
async function usageOnceCounted(router: ReturnType<typeof createRouter>) {
  let usage: Awaited<ReturnType<typeof router.usage>> | undefined;
  for (let tries = 0; tries < 100; tries++) {
    usage = await router.usage('team-a').catch(() => undefined);
    if (usage?.spent === 0.001) break;
    await sleep(50);
  }
  return usage;
}

describe.skipIf(!hasRedisServer)('a request that ends while the connection to Redis is down', () => {
  it('has its cost counted once Redis is reachable again, not dropped with its reservation', async () => {
    const port = await freePort();
    const server = await ownRedis(port);
    const relay = await cuttableRelay(port);
    const { logger, warnings } = capturingLogger();
    const store = redisStore({ url: relay.url, prefix: 'partition:', commandTimeoutMs: 200, refreshMs: 100 });
    try {
      const { router, upstream, answer } = await heldBudgetedCall(store, logger);
      await store.ready();
      const call = router.chat.completions.create(oneTokenRequest, { apiKey: 'sk-a' });
      while (upstream.hits === 0) await sleep(10);
      expect(await router.usage('team-a')).toMatchObject({ spent: 0, reserved: 0.001 });
      // The network between this instance and Redis fails while the call is in flight.
      relay.cut();
      while (!warnings.some((warning) => warning.includes('does not answer'))) await sleep(10);
      answer();
      expect((await call).provider).toBe('local');
      relay.restore();
      // Once Redis answers again, the call's cost is counted and its reservation gone.
      expect(await usageOnceCounted(router)).toMatchObject({ spent: 0.001, reserved: 0 });
    } finally {
      await store.close();
      relay.close();
      server.kill('SIGKILL');
    }
  }, 30_000);
});

describe.skipIf(!hasRedisServer)('requests refused while the connection to Redis is down', () => {
  it('leave no settlement waiting for Redis: the cost of a request in flight is still counted after 10,000 of them', async () => {
    const port = await freePort();
    const server = await ownRedis(port);
    const relay = await cuttableRelay(port);
    const { logger, warnings } = capturingLogger();
    const store = redisStore({ url: relay.url, prefix: 'refusals:', commandTimeoutMs: 200, refreshMs: 100 });
    try {
      const { router, upstream, answer } = await heldBudgetedCall(store, logger);
      await store.ready();
      const call = router.chat.completions.create(oneTokenRequest, { apiKey: 'sk-a' });
      while (upstream.hits === 0) await sleep(10);
      relay.cut();
      while (!warnings.some((warning) => warning.includes('does not answer'))) await sleep(10);
      // A busy outage: every other request of the key is refused, nothing reserved for it.
      for (let index = 0; index < 10_000; index++) {
        const refused = await router.chat.completions.create(oneTokenRequest, { apiKey: 'sk-a' }).then(
          () => undefined,
          (error: unknown) => error as RouterError,
        );
        expect(refused?.code).toBe('store_unavailable');
      }
      answer();
      expect((await call).provider).toBe('local');
      relay.restore();
      expect(await usageOnceCounted(router)).toMatchObject({ spent: 0.001, reserved: 0 });
      expect(warnings.filter((warning) => warning.includes('settling'))).toEqual([]);
    } finally {
      await store.close();
      relay.close();
      server.kill('SIGKILL');
    }
  }, 60_000);
});

describe.skipIf(!hasRedisServer)('a Redis that answers reads but refuses writes (out of memory, a read-only replica)', () => {
  it('is logged once, not as an outage and a recovery at every refresh', async () => {
    const port = await freePort();
    const server = await ownRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const admin = createClient({ url });
    const store = redisStore({ url, refreshMs: 50, commandTimeoutMs: 200 });
    const warnings: string[] = [];
    const infos: string[] = [];
    store.attach({ logger: { debug: () => undefined, info: (message) => void infos.push(message), warn: (message) => void warnings.push(message), error: () => undefined } });
    try {
      await admin.connect();
      await store.ready();
      // Redis at maxmemory with noeviction: TIME, GET and SMEMBERS answer, every write is refused with OOM.
      await admin.configSet('maxmemory', '1');
      const until = Date.now() + 1_000;
      for (let successes = 1; Date.now() < until; successes++) {
        store.set('local/m', { latency: { ttft: null, answer: null }, completion: null, outcomes: [], successes, failures: 0, consecutiveFailures: 0, circuit: 'closed', openedAt: null, retryAt: null, trialUntil: null, timesOpened: 0, cooldownLevel: 0, closedAt: null, lastError: null });
        await sleep(20);
      }
      // Quiet for a while: nothing of its own to write at its refreshes.
      await sleep(500);
      expect(warnings).toEqual([expect.stringContaining('OOM')]);
      expect(infos).toEqual([]);
      // Writes accepted again: the recovery is logged once.
      await admin.configSet('maxmemory', '0');
      await sleep(300);
      expect(infos).toHaveLength(1);
      expect(warnings).toHaveLength(1);
    } finally {
      await store.close();
      await admin.close();
      server.kill('SIGKILL');
    }
  }, 20_000);
});

/** A TCP proxy to a Redis port that can be pointed elsewhere: new connections go to the new target (a DNS name moved by a failover). */
async function movableProxy(port: number) {
  let target = port;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const upstream = connect({ host: '127.0.0.1', port: target });
    for (const side of [socket, upstream]) {
      sockets.add(side);
      side.on('close', () => sockets.delete(side));
      side.on('error', () => undefined);
    }
    socket.pipe(upstream).pipe(socket);
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as { port: number }).port}`,
    moveTo: (next: number) => void (target = next),
    close: () => new Promise<void>((resolve) => (sockets.forEach((socket) => socket.destroy()), server.close(() => resolve()))),
  };
}

describe.skipIf(!hasRedisServer)('a failover that demotes the Redis the store is connected to', () => {
  it('reconnects when Redis says it is a read-only replica, so budgets reach the new primary instead of failing until a restart', async () => {
    const [oldPort, newPort] = [await freePort(), await freePort()];
    const [oldPrimary, newPrimary] = [await ownRedis(oldPort), await ownRedis(newPort)];
    const proxy = await movableProxy(oldPort);
    const admin = createClient({ url: `redis://127.0.0.1:${oldPort}` });
    const store = redisStore({ url: proxy.url, refreshMs: 50, commandTimeoutMs: 300 });
    const account = { keyId: 'team-a', period: 'day' as const, currency: 'EUR' };
    try {
      await admin.connect();
      await store.ready();
      expect((await store.budgets!.reserve({ ...account, id: 'before', estimate: 1, limit: 100, holdMs: 60_000 })).granted).toBe(true);
      // The failover: the name now leads to the new primary, and the old one follows it as a replica (connections stay open).
      proxy.moveTo(newPort);
      await admin.sendCommand(['REPLICAOF', '127.0.0.1', String(newPort)]);
      const reserve = (id: string) => store.budgets!.reserve({ ...account, id, estimate: 1, limit: 100, holdMs: 60_000 }).then((result) => result.granted, (error: Error) => error.message);
      const until = Date.now() + 5_000;
      let outcome: boolean | string = await reserve('during');
      for (let index = 0; outcome !== true && Date.now() < until; index++) {
        await sleep(100);
        outcome = await reserve(`after-${index}`);
      }
      expect(outcome).toBe(true);
    } finally {
      await store.close();
      await admin.close();
      await proxy.close();
      oldPrimary.kill('SIGKILL');
      newPrimary.kill('SIGKILL');
    }
  }, 20_000);
});

describe.skipIf(!hasRedisServer)('a url that names a read-only replica', () => {
  it('is logged once while the store keeps trying a new connection, not as an outage and a recovery every second', async () => {
    const [replicaPort, primaryPort] = [await freePort(), await freePort()];
    const [replica, primary] = [await ownRedis(replicaPort), await ownRedis(primaryPort)];
    const admin = createClient({ url: `redis://127.0.0.1:${replicaPort}` });
    const store = redisStore({ url: `redis://127.0.0.1:${replicaPort}`, refreshMs: 50, commandTimeoutMs: 300 });
    const warnings: string[] = [];
    const infos: string[] = [];
    store.attach({ logger: { debug: () => undefined, info: (message) => void infos.push(message), warn: (message) => void warnings.push(message), error: () => undefined } });
    try {
      await admin.connect();
      await admin.sendCommand(['REPLICAOF', '127.0.0.1', String(primaryPort)]);
      await store.ready();
      const until = Date.now() + 2_500;
      for (let successes = 1; Date.now() < until; successes++) {
        store.set('local/m', { latency: { ttft: null, answer: null }, completion: null, outcomes: [], successes, failures: 0, consecutiveFailures: 0, circuit: 'closed', openedAt: null, retryAt: null, trialUntil: null, timesOpened: 0, cooldownLevel: 0, closedAt: null, lastError: null });
        await sleep(20);
      }
      expect(warnings).toEqual([expect.stringContaining('READONLY')]);
      expect(infos).toEqual([]);
    } finally {
      await store.close();
      await admin.close();
      replica.kill('SIGKILL');
      primary.kill('SIGKILL');
    }
  }, 20_000);
});
