import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { createRouter, memoryHealthStore, openaiCompatible, type HealthStore } from '../src/index.js';
import { createDeploymentLimiter, isSlot, type DeploymentLimiter, type DeploymentRefusal, type DeploymentSlot } from '../src/budgets/deployment-limits.js';
import { redisStore } from '../src/redis/index.js';
import { localUpstream, useLocalUpstreams } from './helpers/local-upstream.js';
import { euJurisdiction, oneTokenRequest, oneTokenUpstream } from './helpers/priced-upstream.js';
import { removeRedisKeys } from './helpers/redis-keys.js';
import { redisSkip, redisUrl, uniqueName } from './helpers/services.js';

/* A deployment's own rate limit: routing ranks it out at its limit and sends the excess on. */

useLocalUpstreams();

const answer = oneTokenUpstream;
const request = oneTokenRequest;
const jurisdiction = euJurisdiction;
const us = { operator: { name: 'Local Inc', country: 'US', parents: [] }, hosting: ['US'] };

/** The most timestamps that fall in any window `[t, t + windowMs)`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; first < sorted.length; first++) {
    while (last < sorted.length && sorted[last]! < sorted[first]! + windowMs) last++;
    most = Math.max(most, last - first);
  }
  return most;
}

/** An upstream answering like `oneTokenUpstream` that keeps when each request arrived. @unit epoch milliseconds */
async function timedUpstream() {
  const arrivals: number[] = [];
  const upstream = await localUpstream((_body, response: ServerResponse) => {
    arrivals.push(Date.now());
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'c', object: 'chat.completion', created: 1, model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      }),
    );
  });
  return Object.assign(upstream, { arrivals });
}

/**
 * Instances hammering one limit for `ms` from `loops` concurrent loops each; resolves to when
 * each reservation was granted. @unit epoch milliseconds
 */
async function hammer(limiters: DeploymentLimiter[], limits: { rpm?: number; tpm?: number }, tokens: number, ms: number, loops: number) {
  const granted: number[] = [];
  const end = Date.now() + ms;
  await Promise.all(
    limiters.flatMap((limiter) =>
      Array.from({ length: loops }, async () => {
        while (Date.now() < end) {
          if (isSlot(await limiter.reserve('limited', limits, tokens))) granted.push(Date.now());
          else await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }),
    ),
  );
  return granted;
}

describe('a deployment with limits', () => {
  it('is ranked out at its rpm with the reason in explain(), and the excess goes to the next eligible deployment only', async () => {
    const [limited, spare, excluded] = await Promise.all([answer(), answer(), answer()]);
    const provider = (id: string, baseURL: string, price: number, facts = jurisdiction, limits?: { rpm: number }) =>
      openaiCompatible({ id, baseURL, apiKey: 'k', jurisdiction: facts, models: [{ id: 'm', price: { input: price, output: price, currency: 'EUR' } }], ...(limits ? { limits } : {}) });
    const router = createRouter({
      policy: 'eu-sovereign',
      strategy: 'cheapest',
      exploration: { share: 0 },
      providers: [
        provider('limited', limited.baseURL, 1, jurisdiction, { rpm: 3 }),
        // Cheaper still, but the policy excludes it: the excess must never go there.
        provider('outside', excluded.baseURL, 0.5, us),
        provider('spare', spare.baseURL, 2),
      ],
    });
    const answered: string[] = [];
    for (let index = 0; index < 6; index++) answered.push((await router.chat.completions.create(request)).provider);
    expect(answered).toEqual(['limited', 'limited', 'limited', 'spare', 'spare', 'spare']);
    expect([limited.hits, spare.hits, excluded.hits]).toEqual([3, 3, 0]);
    const candidate = router.explain(request).candidates.find((entry) => entry.provider === 'limited');
    expect(candidate?.eligible).toBe(false);
    expect(candidate?.reasons.join(' ')).toMatch(/^at its rate limit: 3 rpm; free again in \d+ s/);
  });

  it('fails with 503 no_eligible_provider and Retry-After, nothing sent, when planning already sees every candidate at its limits', async () => {
    const limited = await answer();
    const router = createRouter({
      policy: 'eu-sovereign',
      providers: [openaiCompatible({ id: 'limited', baseURL: limited.baseURL, apiKey: 'k', jurisdiction, limits: { rpm: 1 }, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
    });
    expect((await router.chat.completions.create(request)).provider).toBe('limited');
    const error = await router.chat.completions.create(request).then(
      () => undefined,
      (caught: unknown) => caught as { status: number; code: string; type: string; headers: Record<string, string>; message: string },
    );
    expect([error?.status, error?.code, error?.type]).toEqual([503, 'no_eligible_provider', 'server_error']);
    expect(Number(error?.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expect(error?.message).toContain('at its rate limit: 1 rpm');
    expect(limited.hits).toBe(1);
  });
  it('refuses a request larger than every deployment\'s tpm as not servable, not as a 503 to retry: waiting never makes it fit', async () => {
    const limited = await answer();
    const router = createRouter({
      policy: 'eu-sovereign',
      providers: [openaiCompatible({ id: 'limited', baseURL: limited.baseURL, apiKey: 'k', jurisdiction, limits: { tpm: 10 }, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
    });
    const error = await router.chat.completions.create({ ...request, max_tokens: 500 }).then(
      () => undefined,
      (caught: unknown) => caught as { status: number; code: string; isRetryable: boolean; headers: Record<string, string>; message: string },
    );
    expect(error?.code).toBe('no_eligible_provider');
    expect(error?.message).toMatch(/at its rate limit: 10 tpm, less than this request's ~\d+ tokens/);
    expect([error?.status, error?.isRetryable, error?.headers['retry-after']]).toEqual([404, false, undefined]);
    expect(limited.hits).toBe(0);
  });
});

describe('deployment limits in the settings', () => {
  it.each([{ rpm: 0.5 }, { tpm: 0.5 }])('refuses %j at openaiCompatible(): less than one request or token a minute would never send anything', (limits) => {
    expect(() => openaiCompatible({ id: 'local', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k', jurisdiction, models: [{ id: 'm' }], limits })).toThrow(/limits\.(rpm|tpm) must be at least 1/);
  });
});

describe('an attempt that never reached a limited deployment', () => {
  const limitedRouter = (baseURL: string, extra: { apiKey?: string | (() => string); store?: HealthStore } = {}) =>
    createRouter({
      policy: 'eu-sovereign',
      ...(extra.store ? { store: extra.store } : {}),
      providers: [openaiCompatible({ id: 'limited', baseURL, apiKey: extra.apiKey ?? 'k', jurisdiction, limits: { rpm: 1 }, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
    });

  it('gives its slot back when the request could not be serialised, so the next request is sent', async () => {
    const limited = await answer();
    const router = limitedRouter(limited.baseURL);
    await expect(router.chat.completions.create({ ...request, seed_hint: 10n } as never)).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/could not be serialised/) });
    expect((await router.chat.completions.create(request)).provider).toBe('limited');
    expect(limited.hits).toBe(1);
  });

  it('gives its slot back when its API key could not be read, so the next request is sent', async () => {
    const limited = await answer();
    let calls = 0;
    const router = limitedRouter(limited.baseURL, {
      apiKey: () => {
        calls += 1;
        if (calls === 1) throw new Error('the vault is sealed');
        return 'k';
      },
    });
    await expect(router.chat.completions.create(request)).rejects.toMatchObject({ code: 'all_providers_failed' });
    expect((await router.chat.completions.create(request)).provider).toBe('limited');
    expect(limited.hits).toBe(1);
  });

  it('gives its slot back when the caller aborts while the shared store reserves it', async () => {
    const limited = await answer();
    const controller = new AbortController();
    const released: string[] = [];
    const store: HealthStore = {
      ...memoryHealthStore(),
      // The fleet's count grants the slot, but the caller has given up by the time it answers.
      reserveDeployment: async (providerId) => {
        controller.abort();
        return { granted: true, fullForMs: { rpm: 60_000, tpm: 0 }, release: () => released.push(providerId) };
      },
    };
    const router = limitedRouter(limited.baseURL, { store });
    await expect(router.chat.completions.create(request, { signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
    expect(released).toEqual(['limited']);
    expect(limited.hits).toBe(0);
    // The local view forgot both the attempt and the fleet's "full" that counted it.
    expect(router.explain(request).candidates.find((entry) => entry.provider === 'limited')?.eligible).toBe(true);
  });

  it('returns the failure of a deployment whose retry its own limit refused, not a "not called" skip', async () => {
    const failing = await localUpstream((_body, response: ServerResponse) => response.writeHead(503).end('{"error":{"message":"overloaded"}}'));
    const router = createRouter({
      policy: 'eu-sovereign',
      retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 },
      providers: [openaiCompatible({ id: 'limited', baseURL: failing.baseURL, apiKey: 'k', jurisdiction, limits: { rpm: 1 }, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
    });
    const error = await router.chat.completions.create(request).catch((caught: unknown) => caught as Error & { cause?: unknown });
    expect(error).toMatchObject({ code: 'all_providers_failed', message: expect.stringMatching(/overloaded/) });
    expect(error.message).not.toMatch(/not called/);
    expect(failing.hits).toBe(1);
  });

  it('keeps the slot of a request that was sent, even one that failed', async () => {
    const failing = await localUpstream((_body, response: ServerResponse) => response.writeHead(500).end('{}'));
    const router = limitedRouter(failing.baseURL);
    await expect(router.chat.completions.create(request)).rejects.toMatchObject({ code: 'all_providers_failed' });
    await expect(router.chat.completions.create(request)).rejects.toMatchObject({ code: 'no_eligible_provider', status: 503 });
    expect(failing.hits).toBe(1);
  });
});

/** Two instances of one fleet (two Redis stores on one prefix), each routing to one limited deployment. */
async function twoInstances(baseURL: string, limits: { rpm: number; tpm?: number }) {
  const prefix = `${uniqueName('sovroute_test')}:`;
  const stores = [redisStore({ url: redisUrl, prefix }), redisStore({ url: redisUrl, prefix })];
  await Promise.all(stores.map((store) => store.ready()));
  const [first, second] = stores.map((store) =>
    createRouter({
      policy: 'eu-sovereign',
      store,
      providers: [openaiCompatible({ id: 'limited', baseURL, apiKey: 'k', jurisdiction, limits, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
    }),
  );
  const close = async () => {
    await Promise.all(stores.map((store) => store.close()));
    await removeRedisKeys(prefix);
  };
  return { stores, first: first!, second: second!, close };
}

describe.skipIf(await redisSkip())('an attempt that never reached a deployment limited through Redis', () => {
  it('takes its attempt out of the fleet\'s count, so another instance\'s request is sent', async () => {
    const limited = await answer();
    const { stores, first, second, close } = await twoInstances(limited.baseURL, { rpm: 1, tpm: 1000 });
    try {
      await expect(first!.chat.completions.create({ ...request, seed_hint: 10n } as never)).rejects.toMatchObject({ code: 'invalid_request' });
      // The release is sent behind the failure: a command on the same connection after it sees it done.
      await stores[0]!.reserveDeployment!('other', { rpm: 1 }, 1, 60_000);
      expect((await second!.chat.completions.create(request)).provider).toBe('limited');
      expect((await first!.chat.completions.create(request).catch((error: { code: string }) => error.code))).toBe('no_eligible_provider');
      expect(limited.hits).toBe(1);
    } finally {
      await close();
    }
  });
});

describe.skipIf(await redisSkip())('a deployment limit shared through Redis', () => {
  it('counts the attempts of every instance exactly: once the fleet reached rpm, the attempt of another instance is refused and goes on', async () => {
    const [limited, spare] = await Promise.all([answer(), answer()]);
    const prefix = `${uniqueName('sovroute_test')}:`;
    const stores = [redisStore({ url: redisUrl, prefix }), redisStore({ url: redisUrl, prefix })];
    try {
      await Promise.all(stores.map((store) => store.ready()));
      const [first, second] = stores.map((store) =>
        createRouter({
          policy: 'eu-sovereign',
          strategy: 'cheapest',
          exploration: { share: 0 },
          store,
          providers: [
            openaiCompatible({ id: 'limited', baseURL: limited.baseURL, apiKey: 'k', jurisdiction, limits: { rpm: 3 }, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] }),
            openaiCompatible({ id: 'spare', baseURL: spare.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 2, output: 2, currency: 'EUR' } }] }),
          ],
        }),
      );
      for (let index = 0; index < 3; index++) expect((await first!.chat.completions.create(request)).provider).toBe('limited');
      // The second instance has sent nothing itself, so it ranks the deployment first; its
      // reservation in Redis is refused and the request goes on to the next eligible deployment.
      expect(second!.explain(request).candidates.find((entry) => entry.provider === 'limited')?.eligible).toBe(true);
      const moved = await second!.chat.completions.create(request);
      expect(moved.provider).toBe('spare');
      expect(moved.route.attempts.map((attempt) => attempt.provider)).toEqual(['spare']);
      // The refusal taught its local view: the deployment is ranked out, with the fleet's reason.
      const candidate = second!.explain(request).candidates.find((entry) => entry.provider === 'limited');
      expect(candidate?.eligible).toBe(false);
      expect(candidate?.reasons.join(' ')).toMatch(/^at its rate limit: 3 rpm; free again in (59|60) s/);
      expect((await second!.chat.completions.create(request)).provider).toBe('spare');
      expect(limited.hits).toBe(3);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await removeRedisKeys(prefix);
    }
  });
});

describe.skipIf(await redisSkip())('a tpm limit shared through Redis', () => {
  it('still takes a smaller request that fits after a larger one filled most of the window', async () => {
    const limited = await answer();
    const prefix = `${uniqueName('sovroute_test')}:`;
    const store = redisStore({ url: redisUrl, prefix });
    try {
      await store.ready();
      const router = createRouter({
        policy: 'eu-sovereign',
        store,
        providers: [openaiCompatible({ id: 'limited', baseURL: limited.baseURL, apiKey: 'k', jurisdiction, limits: { tpm: 1000 }, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
      });
      // ~600 tokens, then ~10: together well within 1000 tpm, though a second ~600 would not fit.
      expect((await router.chat.completions.create({ ...request, max_tokens: 600 })).provider).toBe('limited');
      expect(router.explain(request).candidates.find((entry) => entry.provider === 'limited')?.eligible).toBe(true);
      expect((await router.chat.completions.create(request)).provider).toBe('limited');
      expect(limited.hits).toBe(2);
    } finally {
      await store.close();
      await removeRedisKeys(prefix);
    }
  });
});

describe.skipIf(await redisSkip())('every candidate at its limit when its turn comes', () => {
  it('fails with 503 no_eligible_provider and Retry-After, nothing sent', async () => {
    const limited = await answer();
    const { first, second, close } = await twoInstances(limited.baseURL, { rpm: 1 });
    try {
      expect((await first!.chat.completions.create(request)).provider).toBe('limited');
      const error = await second!.chat.completions.create(request).then(
        () => undefined,
        (caught: unknown) => caught as { status: number; code: string; headers: Record<string, string>; message: string },
      );
      expect([error?.status, error?.code]).toEqual([503, 'no_eligible_provider']);
      expect(Number(error?.headers['retry-after'])).toBeGreaterThanOrEqual(59);
      expect(error?.message).toContain('at its rate limit: 1 rpm');
      expect(limited.hits).toBe(1);
    } finally {
      await close();
    }
  });
});

describe('a deployment limit counted over a sliding window', () => {
  it('in one process, never admits more than the limit in any window, and admits the limit again once the window has moved on', async () => {
    // A window of 400 ms rather than a minute: the same algorithm, seen over several windows, on
    // a clock the test moves (three attempts every 7 ms for 1.5 s), so the times are exact.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const limiter = createDeploymentLimiter(undefined, 400);
      const start = Date.now();
      const granted: number[] = [];
      for (let at = start; at < start + 1_500; at += 7) {
        vi.setSystemTime(at);
        for (let attempt = 0; attempt < 3; attempt++) if (isSlot(limiter.reserve('limited', { rpm: 5 }, 1) as DeploymentSlot | DeploymentRefusal)) granted.push(at);
      }
      // (GCRA with a burst of a whole window would let ~10 through a window straddling a burst.)
      expect(busiestWindow(granted, 400)).toBe(5);
      // Slots free up as the window moves on: 5 per 400 ms, nearly 4 windows' worth.
      expect(granted.length).toBeGreaterThanOrEqual(15);
      expect(granted.length).toBeLessThanOrEqual(20);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a request whose tokens alone pass tpm, and counts tokens per window', async () => {
    const limiter = createDeploymentLimiter(undefined, 60_000);
    expect(limiter.reserve('limited', { tpm: 100 }, 60)).toHaveProperty('release');
    expect((limiter.reserve('limited', { tpm: 100 }, 60) as { reason: string }).reason).toMatch(/^at its rate limit: 100 tpm; free again in (59|60) s$/);
    expect(limiter.reserve('limited', { tpm: 100 }, 40)).toHaveProperty('release');
    expect((limiter.reserve('other', { tpm: 100 }, 101) as { reason: string }).reason).toBe("at its rate limit: 100 tpm, less than this request's ~101 tokens");
  });
});

describe.skipIf(await redisSkip())('a deployment limit counted in Redis over a sliding window', () => {
  it('lets four instances together admit at most the limit in any window', async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const stores = [0, 1, 2, 3].map(() => redisStore({ url: redisUrl, prefix }));
    try {
      await Promise.all(stores.map((store) => store.ready()));
      const limiters = stores.map((store) => createDeploymentLimiter(store.reserveDeployment, 400));
      const granted = await hammer(limiters, { rpm: 5 }, 1, 1_500, 2);
      // Granted times are read here after Redis answered, a few ms after Redis decided: a window
      // shorter by that margin holds at most the limit (a whole window would, on Redis's clock).
      expect(busiestWindow(granted, 400 - 60)).toBeLessThanOrEqual(5);
      expect(granted.length).toBeGreaterThan(5);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await removeRedisKeys(prefix);
    }
  });
});

describe.skipIf(await redisSkip())('a deployment limit counted in Redis by instances named alike', () => {
  it('counts every attempt once, so an instance restarted under the same instanceId leaves no phantom attempt behind', async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const windowMs = 500;
    const granted = async (store: ReturnType<typeof redisStore>) => (await store.reserveDeployment!('limited', { rpm: 3 }, 1, windowMs))?.granted;
    const before = redisStore({ url: redisUrl, prefix, instanceId: 'api-0' });
    const after = redisStore({ url: redisUrl, prefix, instanceId: 'api-0' });
    try {
      await Promise.all([before.ready(), after.ready()]);
      expect([await granted(before), await granted(before)]).toEqual([true, true]);
      await before.close();
      // The same instance, restarted within the window.
      expect([await granted(after), await granted(after)]).toEqual([true, false]);
      await new Promise((resolve) => setTimeout(resolve, windowMs + 100));
      // The window has moved on: the whole limit is free again.
      expect([await granted(after), await granted(after), await granted(after), await granted(after)]).toEqual([true, true, true, false]);
    } finally {
      await after.close();
      await removeRedisKeys(prefix);
    }
  });
});

describe.skipIf(await redisSkip())('a deployment limit under a fleet of four processes', () => {
  it('sends at most rpm 60 to the limited deployment in any 60 s window, the rest to the next eligible deployment, none to the excluded one', async () => {
    const [limited, outside, spare] = await Promise.all([timedUpstream(), timedUpstream(), timedUpstream()]);
    const prefix = `${uniqueName('sovroute_test')}:`;
    const dist = join(import.meta.dirname, '..', 'dist');
    const worker = join(import.meta.dirname, 'fixtures', 'redis-limits-worker.mjs');
    try {
      const children = [0, 1, 2, 3].map((index) =>
        fork(worker, [dist, redisUrl, prefix, limited.baseURL, outside.baseURL, spare.baseURL, '40', '4', String(index)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      );
      const reports = children.map(
        (child) =>
          new Promise<{ answered: string[] }>((resolve, reject) => {
            child.on('message', (message: { ready?: true; answered?: string[] }) => message.answered && resolve(message as { answered: string[] }));
            child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
          }),
      );
      await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));
      const started = Date.now();
      for (const child of children) child.send({ go: true });
      const answered = (await Promise.all(reports)).flatMap((report) => report.answered);
      const tookMs = Date.now() - started;
      expect(answered).toHaveLength(160);
      // 160 requests in well under a minute: the limited deployment gets its 60 (fewer only when
      // Redis was too slow to answer a reservation: that attempt goes on rather than risk a 61st),
      // every other request goes to the next eligible deployment, never to the excluded one.
      expect(tookMs).toBeLessThan(60_000);
      const toLimited = answered.filter((provider) => provider === 'limited').length;
      expect(toLimited).toBeLessThanOrEqual(60);
      expect(toLimited).toBeGreaterThanOrEqual(40);
      expect(answered.filter((provider) => provider === 'spare')).toHaveLength(160 - toLimited);
      expect([limited.hits, spare.hits, outside.hits]).toEqual([toLimited, 160 - toLimited, 0]);
      // What the limited upstream received, in every sliding window of 60 s.
      expect(busiestWindow(limited.arrivals, 60_000)).toBeLessThanOrEqual(60);
    } finally {
      await removeRedisKeys(prefix);
    }
  }, 120_000);
});
