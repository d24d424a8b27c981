import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { removeRedisKeys } from './helpers/redis-keys.js';
import { redisSkip, redisUrl, uniqueName } from './helpers/services.js';

/*
 * Health shared by a fleet through Redis: four router processes on the built package, one Redis,
 * two local upstreams. `cheap` is preferred (strategy cheapest) while its circuit lets it.
 */

const skip = await redisSkip();
const dist = join(import.meta.dirname, '..', 'dist');
const workerPath = join(import.meta.dirname, 'fixtures', 'redis-fleet-worker.mjs');

interface Upstream {
  url: string;
  /** Arrival times of requests. @unit epoch milliseconds */
  arrivals: number[];
  /** How the upstream answers now. */
  mode: 'ok' | 'fail' | 'slow';
  server: Server;
}

async function upstream(): Promise<Upstream> {
  const state = { arrivals: [] as number[], mode: 'ok' as Upstream['mode'] };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      state.arrivals.push(Date.now());
      if (state.mode === 'fail') {
        response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'down', type: 'server_error' } }));
        return;
      }
      const answer = () =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: 'c',
            object: 'chat.completion',
            created: 1,
            model: 'm',
            choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          }),
        );
      if (state.mode === 'slow') setTimeout(answer, 400);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const result = Object.assign(state, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server });
  return result as Upstream;
}

interface Worker {
  process: ChildProcess;
  call(message: object): Promise<Record<string, unknown>>;
}

let nextId = 0;
async function startWorker(prefix: string, cheap: Upstream, dear: Upstream, name: string, clockSkewMs = 0): Promise<Worker> {
  const child = fork(workerPath, [dist, redisUrl, prefix, cheap.url, dear.url, name, String(clockSkewMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (value: Record<string, unknown>) => void>();
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}`)));
    child.on('message', (message: Record<string, unknown>) => {
      if (message.ready) resolve();
      else pending.get(message.id as number)?.(message);
    });
  });
  return {
    process: child,
    call: (message) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        child.send({ ...message, id });
      }),
  };
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The one deployment a test routes to, `local/m` on `baseURL`, priced in EUR per 1M tokens when `price` is given. */
function localDeployment(baseURL: string, price?: { input: number; output: number }) {
  const jurisdiction = { operator: { name: 'Local SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
  return openaiCompatible({ id: 'local', baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', ...(price ? { price: { ...price, currency: 'EUR' as const } } : {}) }] });
}

describe.skipIf(skip)('a fleet sharing health through Redis', () => {
  const prefix = `${uniqueName('sovroute_test')}:`;
  let cheap: Upstream;
  let dear: Upstream;
  let workers: Worker[] = [];

  beforeAll(async () => {
    cheap = await upstream();
    dear = await upstream();
    workers = await Promise.all([0, 1, 2, 3].map((index) => startWorker(prefix, cheap, dear, String(index))));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.call({ close: true })));
    cheap?.server.close();
    dear?.server.close();
    await removeRedisKeys(prefix);
  }, 30_000);

  /** Each worker sends requests one after another for `ms`; resolves to the providers that answered. */
  async function traffic(ms: number): Promise<string[]> {
    const end = Date.now() + ms;
    const answered: string[] = [];
    await Promise.all(
      workers.map(async (worker) => {
        while (Date.now() < end) {
          const reply = await worker.call({ model: 'm' });
          answered.push(String(reply.provider ?? reply.error));
          await sleep(20);
        }
      }),
    );
    return answered;
  }

  it('opens a failing deployment for every instance, lets one trial per cooldown through the whole fleet, and closes it for all on recovery', async () => {
    expect(new Set(await traffic(300))).toEqual(new Set(['low']));

    cheap.mode = 'fail';
    const failedFrom = Date.now();
    const answered = await traffic(3_500);
    // Every request was answered (by the other deployment once the first failures were seen).
    expect(answered.every((provider) => provider === 'low' || provider === 'high')).toBe(true);
    expect(answered.filter((provider) => provider === 'high').length).toBeGreaterThan(20);
    const hits = cheap.arrivals.filter((at) => at >= failedFrom);
    // Within the lag (one refresh, 200 ms; pub/sub is faster) each worker may fail once itself;
    // after it, one trial per cooldown (1 s) across the fleet, not one per worker.
    const lagEnd = hits[0]! + 700;
    const afterLag = hits.filter((at) => at >= lagEnd);
    expect(hits.filter((at) => at < lagEnd).length).toBeLessThanOrEqual(4 + 4);
    expect(afterLag.length).toBeLessThanOrEqual(Math.ceil((Date.now() - lagEnd) / 1000) + 1);
    for (const worker of workers) {
      const health = (await worker.call({ health: true })).health as Array<Record<string, unknown>>;
      const entry = health.find((item) => item.provider === 'low');
      expect(entry?.circuit === 'open' || entry?.circuit === 'half-open').toBe(true);
      expect(String(entry?.changedBy)).toMatch(/^worker-\d$/);
    }

    // State lives in Redis: an instance started now sees the open circuit at once.
    const late = await startWorker(prefix, cheap, dear, '9');
    const lateHealth = (await late.call({ health: true })).health as Array<Record<string, unknown>>;
    expect(['open', 'half-open']).toContain(lateHealth.find((item) => item.provider === 'low')?.circuit);
    await late.call({ close: true });

    // Recovery: the trial takes 400 ms; no other instance may send a request meanwhile.
    cheap.mode = 'slow';
    const recoveredFrom = Date.now();
    await traffic(2_500);
    const recoveryHits = cheap.arrivals.filter((at) => at >= recoveredFrom);
    expect(recoveryHits.length).toBeGreaterThan(1);
    const trial = recoveryHits[0]!;
    expect(recoveryHits.filter((at) => at < trial + 400).length).toBe(1);
    cheap.mode = 'ok';
    expect(new Set(await traffic(300))).toEqual(new Set(['low']));
    for (const worker of workers) {
      const health = (await worker.call({ health: true })).health as Array<Record<string, unknown>>;
      expect(health.find((item) => item.provider === 'low')?.circuit).toBe('closed');
    }
  }, 60_000);
});

describe.skipIf(skip)('a process joining a warm fleet', () => {
  const prefix = `${uniqueName('sovroute_test')}:`;
  const emptyPrefix = `${uniqueName('sovroute_test')}:`;

  afterAll(async () => {
    await removeRedisKeys(prefix);
    await removeRedisKeys(emptyPrefix);
  });

  it('routes auto:fast by the latency the fleet measured, on its first request', async () => {
    const slow = await upstream();
    const quick = await upstream();
    slow.mode = 'slow';
    try {
      // `low` (the slow one) is cheaper: with nothing measured, it wins the tie on the prior.
      const fleet = await Promise.all(['0', '1'].map((name) => startWorker(prefix, slow, quick, name)));
      for (const worker of fleet) {
        for (const only of ['low', 'high', 'low', 'high']) expect((await worker.call({ model: 'm', route: { only: [only] } })).provider).toBe(only);
      }
      await Promise.all(fleet.map((worker) => worker.call({ close: true })));

      const newcomer = await startWorker(prefix, slow, quick, '2');
      expect((await newcomer.call({ model: 'auto:fast' })).provider).toBe('high');
      await newcomer.call({ close: true });

      // The same first request with no fleet behind it goes to the cheaper deployment.
      const loner = await startWorker(emptyPrefix, slow, quick, '3');
      expect((await loner.call({ model: 'auto:fast' })).provider).toBe('low');
      await loner.call({ close: true });
    } finally {
      slow.server.close();
      quick.server.close();
    }
  }, 60_000);
});

describe.skipIf(skip)('instances whose clocks differ', () => {
  it("keep a deployment out for the cooldown, not the clocks' difference, and hear a recovery from the machine behind", async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const cheap = await upstream();
    const dear = await upstream();
    // Two minutes ahead: a VM resumed from a snapshot, a host without NTP.
    const ahead = await startWorker(prefix, cheap, dear, 'ahead', 120_000);
    const onTime = await startWorker(prefix, cheap, dear, 'on-time');
    const lowOf = async (worker: Worker) => ((await worker.call({ health: true })).health as Array<Record<string, unknown>>).find((item) => item.provider === 'low');
    try {
      cheap.mode = 'fail';
      // The instance ahead opens `low` (one failure opens it; cooldown 1 s).
      expect((await ahead.call({ model: 'm' })).provider).toBe('high');
      const openedAt = Date.now();
      let seen: Record<string, unknown> | undefined;
      while (Date.now() - openedAt < 5_000 && (seen = await lowOf(onTime))?.circuit !== 'open') await sleep(50);
      expect(seen?.circuit).toBe('open');
      // On this machine's clock the trial is due a cooldown after the opening, not two minutes later.
      expect(Date.parse(String(seen?.retryAt)) - openedAt).toBeLessThan(5_000);

      cheap.mode = 'ok';
      await sleep(1_200);
      const answered: string[] = [];
      const from = Date.now();
      while (Date.now() - from < 5_000 && !answered.includes('low')) {
        answered.push(String((await onTime.call({ model: 'm' })).provider));
        await sleep(50);
      }
      expect(answered).toContain('low');
      // The machine behind closed it after its trial: the machine ahead, whose opening looks
      // two minutes later on its own clock, takes the close all the same.
      let closed: Record<string, unknown> | undefined;
      const closing = Date.now();
      while (Date.now() - closing < 5_000 && (closed = await lowOf(ahead))?.circuit !== 'closed') await sleep(50);
      expect(closed?.circuit).toBe('closed');
      expect(closed?.changedBy).toBe('worker-on-time');
    } finally {
      await Promise.all([ahead, onTime].map((worker) => worker.call({ close: true })));
      cheap.server.close();
      dear.server.close();
      await removeRedisKeys(prefix);
    }
  }, 60_000);
});

describe.skipIf(skip)('the statistics of an instance that is gone', () => {
  it('leave the fleet\'s view ttlMs after its last write, while the other instances go on writing theirs', async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const ok = await upstream();
    const ttlMs = 500;
    const routerOn = (store: ReturnType<typeof redisStore>) =>
      createRouter({
        store,
        policy: 'global',
        providers: [
          localDeployment(ok.url),
        ],
      });
    const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
    const gone = redisStore({ url: redisUrl, prefix, refreshMs: 50, ttlMs, instanceId: 'gone' });
    let staying: ReturnType<typeof redisStore> | undefined;
    try {
      const first = routerOn(gone);
      for (let index = 0; index < 3; index++) await first.chat.completions.create(request);
      await gone.close();
      staying = redisStore({ url: redisUrl, prefix, refreshMs: 50, ttlMs, instanceId: 'staying' });
      const second = routerOn(staying);
      await staying.ready();
      await second.chat.completions.create(request);
      let sent = 1;
      const successes = () => second.health().find((entry) => entry.provider === 'local')?.successes;
      expect(successes()).toBe(3 + sent);
      // The staying instance keeps writing (and so keeps the hash alive) past the gone one's ttlMs.
      const until = Date.now() + ttlMs * 3;
      while (Date.now() < until) {
        await second.chat.completions.create(request);
        sent++;
        await sleep(50);
      }
      await sleep(200);
      expect(successes()).toBe(sent);
    } finally {
      await staying?.close();
      ok.server.close();
      await removeRedisKeys(prefix);
    }
  });
});

describe.skipIf(skip)('a shared value this instance cannot read', () => {
  it('is skipped by the background refresh, which goes on reading the rest, instead of ending the process', async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const base = `${prefix}{sr}:`;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const client = createClient({ url: redisUrl });
    await client.connect();
    const store = redisStore({ url: redisUrl, prefix, refreshMs: 50 });
    try {
      await store.ready();
      // Written by hand (or by another version): not JSON, or not an object.
      await client.sAdd(`${base}deployments`, ['bad/m', 'good/m']);
      await client.set(`${base}cb:bad/m`, 'not json');
      await client.hSet(`${base}stats:bad/m`, { other: 'null' });
      await client.publish(`${base}events`, 'not json');
      // Beside them, a circuit another instance opened.
      const retryAt = Date.now() + 60_000;
      const circuit = { circuit: 'open', openedAt: Date.now(), retryAt, timesOpened: 1, cooldownLevel: 0, closedAt: null, lastError: null, changedBy: 'other', changedAt: Date.now() };
      await client.set(`${base}cb:good/m`, JSON.stringify(circuit));
      const until = Date.now() + 5_000;
      while (store.get('good/m')?.circuit !== 'open' && Date.now() < until) await sleep(20);
      await sleep(200);
      expect(store.get('good/m')?.circuit).toBe('open');
      expect(store.view('bad/m')).toBeUndefined();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await store.close();
      await client.close();
      await removeRedisKeys(prefix);
    }
  });
});

describe.skipIf(skip)('answer lengths measured by several instances', () => {
  it('merge with their spread, so route.max_cost bounds the fleet\'s pessimistic length as it bounds one process\'s', async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const base = `${prefix}{sr}:`;
    const ok = await upstream();
    const client = createClient({ url: redisUrl });
    await client.connect();
    // Two instances each measured answers of 10 and 190 tokens: mean 100, spread 90, p90 ≈ 215.
    const now = Date.now();
    const measured = JSON.stringify({ latency: { ttft: null, answer: null }, completion: { at: now, weight: 2, sum: 200, squares: 10 * 10 + 190 * 190 }, outcomes: [0, 0], successes: 2, failures: 0, writtenAt: now });
    await client.sAdd(`${base}deployments`, 'local/m');
    await client.hSet(`${base}stats:local/m`, { a: measured, b: measured });
    const store = redisStore({ url: redisUrl, prefix });
    try {
      await store.ready();
      const router = createRouter({
        store,
        policy: 'global',
        currency: 'EUR',
        providers: [
          localDeployment(ok.url, { input: 0, output: 1_000_000 }),
        ],
      });
      // One EUR per answer token: an answer at the p90 costs about 215 EUR, more than max_cost.
      const refused = await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], route: { max_cost: 150 } } as never).then(
        () => undefined,
        (error: { code: string; message: string }) => error,
      );
      expect(refused?.code).toBe('no_eligible_provider');
      expect(refused?.message).toMatch(/exceeds route\.max_cost 150/);
      expect(ok.arrivals).toHaveLength(0);
    } finally {
      await store.close();
      await client.close();
      ok.server.close();
      await removeRedisKeys(prefix);
    }
  });
});

/** A TCP proxy to Redis that can cut its connections and refuse new ones, as a network partition does. */
async function partitionableProxy() {
  const { createServer: createTcpServer, connect } = await import('node:net');
  const target = new URL(redisUrl);
  const sockets = new Set<import('node:net').Socket>();
  let cut = false;
  const server = createTcpServer((socket) => {
    if (cut) return void socket.destroy();
    const upstreamSocket = connect({ host: target.hostname, port: Number(target.port) || 6379 });
    for (const side of [socket, upstreamSocket]) {
      sockets.add(side);
      side.on('close', () => sockets.delete(side));
      side.on('error', () => undefined);
    }
    socket.pipe(upstreamSocket).pipe(socket);
    socket.on('close', () => upstreamSocket.destroy());
    upstreamSocket.on('close', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const cutAll = () => {
    cut = true;
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: cutAll,
    heal() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(skip)('an instance that was cut off from Redis', () => {
  it('does not write a circuit it changed while away over a later change the fleet made meanwhile', async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const proxy = await partitionableProxy();
    const away = redisStore({ url: proxy.url, prefix, refreshMs: 50, commandTimeoutMs: 200, instanceId: 'away' });
    const fleet = redisStore({ url: redisUrl, prefix, refreshMs: 50, instanceId: 'fleet' });
    const key = 'flaky/m';
    const opened = (at: number) => ({ ...emptyRecord(), circuit: 'open' as const, openedAt: at, retryAt: at + 600_000, timesOpened: 1 });
    try {
      await Promise.all([away.ready(), fleet.ready()]);
      proxy.cut();
      // Cut off, this instance opens the circuit; then the fleet, still connected, closes it after a successful trial.
      const start = Date.now();
      away.set(key, opened(start));
      await sleep(20);
      fleet.set(key, opened(start - 1));
      await sleep(20);
      fleet.set(key, { ...opened(start - 1), circuit: 'closed', retryAt: null, closedAt: Date.now() });
      expect(fleet.get(key)?.circuit).toBe('closed');
      proxy.heal();
      // Once back, the instance catches up with the fleet's later change, and the fleet keeps it.
      const until = Date.now() + 10_000;
      while (away.get(key)?.circuit !== 'closed' && Date.now() < until) await sleep(20);
      await sleep(300);
      expect(away.get(key)?.circuit).toBe('closed');
      const newcomer = redisStore({ url: redisUrl, prefix, refreshMs: 50, instanceId: 'newcomer' });
      await newcomer.ready();
      expect(newcomer.get(key)?.circuit).toBe('closed');
      await newcomer.close();
    } finally {
      await Promise.all([away.close(), fleet.close()]);
      await proxy.close();
      await removeRedisKeys(prefix);
    }
  }, 30_000);
});

function emptyRecord() {
  return {
    latency: { ttft: null, answer: null }, completion: null, outcomes: [], successes: 0, failures: 0, consecutiveFailures: 0,
    circuit: 'closed' as 'closed' | 'open', openedAt: null as number | null, retryAt: null as number | null, trialUntil: null, timesOpened: 0, cooldownLevel: 0, closedAt: null as number | null, lastError: null,
  };
}

describe.skipIf(skip)('a Redis that refuses the credentials in the url', () => {
  it('logs why it refuses them (without the password), not that it does not answer in time', async () => {
    const url = new URL(redisUrl);
    url.username = uniqueName('nobody');
    url.password = 's3cret-pw';
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (message: string) => void warnings.push(message), error: () => undefined };
    const store = redisStore({ url: url.toString(), prefix: `${uniqueName('creds')}:`, commandTimeoutMs: 200 });
    store.attach({ logger });
    try {
      await store.ready();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/WRONGPASS/);
      expect(warnings[0]).not.toContain('s3cret-pw');
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(skip)('instances given the same instanceId (hostname under host networking)', () => {
  it("still share their statistics and hear each other's circuit changes", async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const first = redisStore({ url: redisUrl, prefix, refreshMs: 50, instanceId: 'gateway-host' });
    const second = redisStore({ url: redisUrl, prefix, refreshMs: 60_000, instanceId: 'gateway-host' });
    const key = 'shared/m';
    try {
      await Promise.all([first.ready(), second.ready()]);
      // The second instance measured five successes; the first has measured nothing.
      second.set(key, { ...emptyRecord(), successes: 5 });
      await second.close();
      const until = Date.now() + 5_000;
      while ((first.view(key)?.successes ?? 0) < 5 && Date.now() < until) await sleep(20);
      expect(first.view(key)?.successes).toBe(5);

      // A circuit the first opens reaches a third instance by its published message (its own refresh is a minute away).
      const third = redisStore({ url: redisUrl, prefix, refreshMs: 60_000, instanceId: 'gateway-host' });
      await third.ready();
      const at = Date.now();
      first.set(key, { ...emptyRecord(), circuit: 'open', openedAt: at, retryAt: at + 600_000, timesOpened: 1 });
      while (third.get(key)?.circuit !== 'open' && Date.now() < until + 5_000) await sleep(20);
      expect(third.get(key)?.circuit).toBe('open');
      await third.close();
    } finally {
      await first.close();
      await removeRedisKeys(prefix);
    }
  }, 30_000);
});

describe.skipIf(skip)("the fleet's latency merged under the router's own health.latency options", () => {
  it("lets another instance's old samples fade by the router's halfLifeMs, as its own do, not by the default", async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const quick = await upstream();
    const other = redisStore({ url: redisUrl, prefix, refreshMs: 50, instanceId: 'other' });
    let store: ReturnType<typeof redisStore> | undefined;
    try {
      await other.ready();
      // Another instance measured one-minute answers, its last 30 s ago.
      const { addLatencySample, defaultLatencyEstimateOptions } = await import('../src/health/latency-estimate.js');
      let answer: ReturnType<typeof addLatencySample> | undefined;
      const then = Date.now() - 30_000;
      for (let index = 0; index < 20; index++) answer = addLatencySample(answer, 60_000, then + index, defaultLatencyEstimateOptions);
      other.set('local/m', { ...emptyRecord(), latency: { ttft: null, answer: answer! }, successes: 20 });
      await other.close();
      store = redisStore({ url: redisUrl, prefix, refreshMs: 50, instanceId: 'tuned' });
      // This router forgets latency fast: after 30 s at a 1 s half-life, a sample weighs 2^-30.
      const router = createRouter({
        store,
        policy: 'global',
        health: { latency: { halfLifeMs: 1_000 } },
        providers: [localDeployment(quick.url, { input: 1, output: 1 })],
      });
      await store.ready();
      for (let index = 0; index < 5; index++) await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      const health = router.health().find((entry) => entry.provider === 'local');
      expect(health?.successes).toBe(25);
      // Its own answers take milliseconds: the fleet's old minute no longer counts (under the
      // default 30 s half-life it would still weigh half, and the median be near a second).
      expect(health?.answerP50Ms).toBeLessThan(100);
      await router.close();
    } finally {
      await store?.close();
      quick.server.close();
      await removeRedisKeys(prefix);
    }
  }, 30_000);
});

describe.skipIf(skip)('a deployment the fleet no longer routes to', () => {
  it('leaves the list of deployments once its circuit and statistics have expired, while the fleet goes on writing others', async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const client = createClient({ url: redisUrl });
    await client.connect();
    const gone = redisStore({ url: redisUrl, prefix, refreshMs: 50, ttlMs: 400, instanceId: 'gone' });
    const fleet = redisStore({ url: redisUrl, prefix, refreshMs: 50, ttlMs: 400, instanceId: 'fleet' });
    try {
      await Promise.all([gone.ready(), fleet.ready()]);
      // A model retired from the configuration: measured once, then never again.
      gone.set('retired/m', { ...emptyRecord(), successes: 1 });
      await gone.close();
      const members = () => client.sMembers(`${prefix}{sr}:deployments`);
      expect(await members()).toContain('retired/m');
      // The fleet keeps serving another deployment, writing (and so keeping) the list.
      const until = Date.now() + 2_000;
      while (Date.now() < until) {
        fleet.set('current/m', { ...emptyRecord(), successes: Date.now() });
        await sleep(50);
      }
      expect(await members()).toEqual(['current/m']);
    } finally {
      await fleet.close();
      await client.close();
      await removeRedisKeys(prefix);
    }
  }, 30_000);
});

describe.skipIf(skip)("the fleet's error rate in router.health()", () => {
  it("counts this instance's outcomes beside the other instances', not only the last instance's window", async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const failing = await upstream();
    failing.mode = 'fail';
    const other = redisStore({ url: redisUrl, prefix, refreshMs: 50, instanceId: 'other' });
    let store: ReturnType<typeof redisStore> | undefined;
    try {
      await other.ready();
      // Another instance's last 50 requests to the deployment all succeeded.
      other.set('local/m', { ...emptyRecord(), outcomes: Array.from({ length: 50 }, () => 0), successes: 50 });
      await other.close();
      store = redisStore({ url: redisUrl, prefix, refreshMs: 50, instanceId: 'here' });
      const router = createRouter({
        store,
        policy: 'global',
        retry: { retries: 0 },
        health: { failureThreshold: 100 },
        providers: [localDeployment(failing.url, { input: 1, output: 1 })],
      });
      await store.ready();
      // Here, the last 50 all failed.
      for (let index = 0; index < 50; index++) await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
      const health = router.health().find((entry) => entry.provider === 'local');
      expect([health?.successes, health?.failures]).toEqual([50, 50]);
      expect(health?.errorRate).toBe(0.5);
      await router.close();
    } finally {
      await store?.close();
      failing.server.close();
      await removeRedisKeys(prefix);
    }
  }, 30_000);
});

describe.skipIf(skip)('the first circuit change of an instance that dies before its first refresh', () => {
  it('leaves no key without an expiry behind: the list of deployments expires like every other key', async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const client = createClient({ url: redisUrl });
    await client.connect();
    const store = redisStore({ url: redisUrl, prefix, refreshMs: 60_000, ttlMs: 60_000, instanceId: 'short-lived' });
    try {
      await store.ready();
      const at = Date.now();
      store.set('flaky/m', { ...emptyRecord(), circuit: 'open', openedAt: at, retryAt: at + 600_000, timesOpened: 1 });
      const until = Date.now() + 5_000;
      while ((await client.exists(`${prefix}{sr}:cb:flaky/m`)) === 0 && Date.now() < until) await sleep(20);
      await sleep(50);
      // Its refresh, a minute away, never comes (the process is killed): what it wrote must still expire.
      const keys: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) keys.push(...batch);
      expect(keys.length).toBeGreaterThan(0);
      const ttls = await Promise.all(keys.map((key) => client.pTTL(key)));
      expect(keys.filter((_key, index) => ttls[index]! < 0)).toEqual([]);
    } finally {
      await store.close();
      await client.close();
      await removeRedisKeys(prefix);
    }
  }, 30_000);
});

describe.skipIf(skip)('the half-open trial among instances given the same instanceId', () => {
  it("is never given to a second instance while the first holds it: one instance's release of its own lapsed lease does not free another's", async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const [first, second, third] = [0, 1, 2].map(() => redisStore({ url: redisUrl, prefix, refreshMs: 60_000, instanceId: 'gateway-host' }));
    const key = 'flaky/m';
    const claimed = async (store: ReturnType<typeof redisStore>, leaseMs: number) => {
      // The first ask goes to Redis; the answer decides the next.
      if (store.claimTrial(key, leaseMs)) return true;
      await sleep(100);
      return store.claimTrial(key, leaseMs);
    };
    try {
      await Promise.all([first!.ready(), second!.ready(), third!.ready()]);
      const at = Date.now();
      const halfOpen = { ...emptyRecord(), circuit: 'open' as const, openedAt: at - 60_000, retryAt: at - 1, timesOpened: 1 };
      first!.set(key, halfOpen);
      const until = Date.now() + 5_000;
      while ((second!.get(key)?.circuit !== 'open' || third!.get(key)?.circuit !== 'open') && Date.now() < until) await sleep(20);
      // The second instance holds a short lease and sends its trial; the lease lapses while the trial goes on.
      expect(await claimed(second!, 300)).toBe(true);
      await sleep(400);
      // The first takes the trial over, for long.
      expect(await claimed(first!, 60_000)).toBe(true);
      // The second's trial ends without a verdict (its caller gave up): it lets go of its lease, not the first's.
      second!.set(key, { ...second!.get(key)!, trialUntil: null });
      await sleep(100);
      expect(await claimed(third!, 60_000)).toBe(false);
    } finally {
      await Promise.all([first!.close(), second!.close(), third!.close()]);
      await removeRedisKeys(prefix);
    }
  }, 30_000);
});
