import { describe, expect, it } from 'vitest';
import { callbackAudit, createRouter, openaiCompatible, RouterError, type AuditRecord } from '../src/index.js';
import { createClient } from '@redis/client';
import { redisStore } from '../src/redis/index.js';
import { redisRateLimiter } from '../src/redis/redis-rate-limiter.js';
import { localUpstream, useLocalUpstreams, type LocalUpstream } from './helpers/local-upstream.js';
import { euJurisdiction, oneTokenRequest, oneTokenUpstream } from './helpers/priced-upstream.js';
import { removeRedisKeys } from './helpers/redis-keys.js';
import { redisSkip, redisUrl, uniqueName } from './helpers/services.js';

/* Key rate limits: a request beyond `rpm` is refused with 429 rate_limited and Retry-After, unsent. */

useLocalUpstreams();
const skip = await redisSkip();

const answer = oneTokenUpstream;
const request = oneTokenRequest;
const jurisdiction = euJurisdiction;

function routerFor(upstream: LocalUpstream, extra: object = {}, audited: AuditRecord[] = [], limits: object = { rpm: 4 }) {
  return createRouter({
    policy: 'global',
    keys: { 'sk-a': { label: 'team-a', ...limits } },
    providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
    audit: [callbackAudit((record) => void audited.push(record))],
    ...extra,
  });
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (RouterError.isInstance(error) ? error : String(error)),
  );

describe('a key rate limit in this process', () => {
  it('refuses the request beyond rpm with 429 rate_limited and Retry-After, sends nothing and audits it', async () => {
    const upstream = await answer();
    const audited: AuditRecord[] = [];
    const router = routerFor(upstream, {}, audited);
    for (let index = 0; index < 4; index++) expect(await outcome(router.chat.completions.create(request, { apiKey: 'sk-a' }))).toBe('ok');
    const refused = (await outcome(router.chat.completions.create(request, { apiKey: 'sk-a' }))) as RouterError;
    expect([refused.status, refused.code]).toEqual([429, 'rate_limited']);
    // Four a minute: the next one is due 15 s after the first.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(14);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(15);
    expect(refused.message).toContain('4 requests per minute');
    expect(upstream.hits).toBe(4);
    await router.flush();
    expect(audited.at(-1)?.error_code).toBe('rate_limited');
  });

  it('over HTTP (router.fetch), the 429 carries Retry-After and retry-after-ms, as the error in-process does', async () => {
    const upstream = await answer();
    const router = routerFor(upstream, {}, [], { rpm: 1 });
    const call = () =>
      router.fetch('http://router.local/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer sk-a' }, body: JSON.stringify(request) });
    expect((await call()).status).toBe(200);
    const refused = await call();
    expect(refused.status).toBe(429);
    // One a minute: the next one is due a minute after the first.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(Number(refused.headers.get('retry-after-ms'))).toBeGreaterThan(58_000);
    expect(Number(refused.headers.get('retry-after-ms'))).toBeLessThanOrEqual(60_000);
  });
});

/**
 * rpm 2 and a budget of 0.01 EUR: a request estimated at 0.02 EUR (max_tokens 20,000 at 1 EUR
 * per million) is refused by the budget, unsent; it is given back to rpm as its tokens are to
 * tpm, so the two requests that fit the budget both fit the minute.
 */
async function budgetRefusalScenario(router: ReturnType<typeof routerFor>, upstream: LocalUpstream) {
  const refused = (await outcome(router.chat.completions.create({ ...request, max_tokens: 20_000 }, { apiKey: 'sk-a' }))) as RouterError;
  expect(refused.code).toBe('budget_exceeded');
  for (let index = 0; index < 2; index++) expect(await outcome(router.chat.completions.create(request, { apiKey: 'sk-a' }))).toBe('ok');
  const third = (await outcome(router.chat.completions.create(request, { apiKey: 'sk-a' }))) as RouterError;
  expect(third.code).toBe('rate_limited');
  expect(upstream.hits).toBe(2);
}

describe('a key rate limit and a budget in this process', () => {
  it('does not count a request the budget refused against rpm', async () => {
    const upstream = await answer();
    await budgetRefusalScenario(routerFor(upstream, {}, [], { rpm: 2, tpm: 100_000, budget: { limit: 0.01, period: 'day' } }), upstream);
  });
});

/**
 * tpm 500; each request is estimated at 200 completion tokens plus its prompt, and the upstream
 * reports 4 tokens used. Uncorrected, the third request would be refused (3 × ~201 > 500); with
 * each charge corrected to its 4 tokens, ten pass. Then a request estimated at ~490 tokens (it
 * would fit an idle key) does not fit beside the 40 used: 429 with a short Retry-After.
 */
async function tpmScenario(routers: Array<ReturnType<typeof routerFor>>, upstream: LocalUpstream, audited: AuditRecord[]) {
  const estimated = (maxTokens: number) => ({ ...request, max_tokens: maxTokens });
  for (let index = 0; index < 10; index++) {
    expect(await outcome(routers[index % routers.length]!.chat.completions.create(estimated(200), { apiKey: 'sk-a' }))).toBe('ok');
  }
  expect(upstream.hits).toBe(10);
  const refused = (await outcome(routers.at(-1)!.chat.completions.create(estimated(480), { apiKey: 'sk-a' }))) as RouterError;
  expect([refused.status, refused.code]).toEqual([429, 'rate_limited']);
  expect(refused.message).toContain('500 tokens per minute');
  expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(6);
  expect(Number(refused.headers['retry-after-ms'])).toBeGreaterThan(0);
  expect(upstream.hits).toBe(10);
  for (const router of routers) await router.flush();
  expect(audited.at(-1)?.error_code).toBe('rate_limited');
}

describe('a key tpm limit in this process', () => {
  it('charges the estimate before the call and corrects it to the tokens used after; refuses what does not fit with 429 and Retry-After', async () => {
    const upstream = await answer();
    const audited: AuditRecord[] = [];
    await tpmScenario([routerFor(upstream, {}, audited, { tpm: 500 })], upstream, audited);
  });

  it('refuses a request estimated at more tokens than tpm as one that waiting never lets through: no Retry-After, x-should-retry false', async () => {
    const upstream = await answer();
    const router = routerFor(upstream, {}, [], { tpm: 100 });
    // The key has used nothing: a full minute's worth (100 tokens) is free, and this request alone needs ~501.
    const refused = (await outcome(router.chat.completions.create({ ...request, max_tokens: 500 }, { apiKey: 'sk-a' }))) as RouterError;
    expect([refused.status, refused.code, refused.headers['retry-after'], refused.headers['x-should-retry']]).toEqual([429, 'rate_limited', undefined, 'false']);
    expect(refused.message).toMatch(/more than the 100 tokens per minute of key "team-a"/);
    expect(upstream.hits).toBe(0);
    // A request that fits goes through: the refused one charged nothing.
    expect(await outcome(router.chat.completions.create({ ...request, max_tokens: 50 }, { apiKey: 'sk-a' }))).toBe('ok');
  });

  it('gives back the estimate of a request that failed', async () => {
    const failing = await localUpstream((_body, response) => response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad', type: 'invalid_request_error' } })));
    const router = routerFor(failing, {}, [], { tpm: 500 });
    // Each is estimated at ~201 tokens; none uses any. Uncorrected, the third would be refused.
    for (let index = 0; index < 5; index++) {
      const error = (await outcome(router.chat.completions.create({ ...request, max_tokens: 200 }, { apiKey: 'sk-a' }))) as RouterError;
      expect(error.code).toBe('invalid_request');
    }
    expect(failing.hits).toBe(5);
  });
});

describe.skipIf(skip)('a key tpm limit shared through Redis', () => {
  it('corrects each charge to the tokens used, for every instance: two routers alternate within one tpm', async () => {
    const upstream = await answer();
    const audited: AuditRecord[] = [];
    const prefix = `${uniqueName('sovroute_test')}:`;
    const stores = [redisStore({ url: redisUrl, prefix }), redisStore({ url: redisUrl, prefix })];
    try {
      await Promise.all(stores.map((store) => store.ready()));
      await tpmScenario(stores.map((store) => routerFor(upstream, { store }, audited, { tpm: 500 })), upstream, audited);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await removeRedisKeys(prefix);
    }
  });
});

describe.skipIf(skip)('a key rate limit shared through Redis', () => {
  it('does not count a request the budget refused against rpm', async () => {
    const upstream = await answer();
    const prefix = `${uniqueName('sovroute_test')}:`;
    const store = redisStore({ url: redisUrl, prefix });
    try {
      await store.ready();
      await budgetRefusalScenario(routerFor(upstream, { store }, [], { rpm: 2, budget: { limit: 0.01, period: 'day' } }), upstream);
    } finally {
      await store.close();
      await removeRedisKeys(prefix);
    }
  });

  it('lets a burst of exactly rpm requests through at once, and refuses the one after', async () => {
    const rpm = 9;
    const upstream = await answer();
    const prefix = `${uniqueName('sovroute_test')}:`;
    const store = redisStore({ url: redisUrl, prefix });
    try {
      await store.ready();
      // Nine charges of 6,666.67 ms added up in Redis land a rounding error past the minute.
      const router = routerFor(upstream, { store }, [], { rpm });
      const burst = await Promise.all(Array.from({ length: rpm }, () => outcome(router.chat.completions.create(request, { apiKey: 'sk-a' }))));
      expect(burst).toEqual(Array(rpm).fill('ok'));
      const refused = (await outcome(router.chat.completions.create(request, { apiKey: 'sk-a' }))) as RouterError;
      expect([refused.status, refused.code]).toEqual([429, 'rate_limited']);
      expect(upstream.hits).toBe(rpm);
    } finally {
      await store.close();
      await removeRedisKeys(prefix);
    }
  });

  it('counts exactly rpm of a burst taken in one go, for rpm that do not divide a minute', async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const client = createClient({ url: redisUrl });
    await client.connect();
    try {
      // Every take of a burst in one MULTI: Redis runs them back to back, on (almost always) one millisecond of its clock.
      let queued: Array<{ args: string[]; resolve: (reply: unknown) => void }> = [];
      const send = <T>(args: string[]) =>
        new Promise<T>((resolve) => {
          queued.push({ args, resolve: resolve as (reply: unknown) => void });
          if (queued.length > 1) return;
          queueMicrotask(async () => {
            const batch = queued;
            queued = [];
            const multi = client.multi();
            for (const { args: command } of batch) multi.addCommand(command);
            const replies = await multi.exec();
            batch.forEach(({ resolve: done }, index) => done(replies[index]));
          });
        });
      const limiter = redisRateLimiter(send, prefix);
      for (const rpm of [28, 36, 39, 42, 51, 63]) {
        const decisions = await Promise.all(Array.from({ length: rpm + 1 }, () => limiter.take(`key-${rpm}`, { rpm }, 1)));
        expect({ rpm, allowed: decisions.filter((decision) => decision.allowed).length }).toEqual({ rpm, allowed: rpm });
      }
    } finally {
      await client.close();
      await removeRedisKeys(prefix);
    }
  });

  it('counts the requests of every instance against one rpm', async () => {
    const upstream = await answer();
    const prefix = `${uniqueName('sovroute_test')}:`;
    const stores = [redisStore({ url: redisUrl, prefix }), redisStore({ url: redisUrl, prefix })];
    try {
      await Promise.all(stores.map((store) => store.ready()));
      const [first, second] = stores.map((store) => routerFor(upstream, { store }));
      for (const router of [first!, second!, first!, second!]) expect(await outcome(router.chat.completions.create(request, { apiKey: 'sk-a' }))).toBe('ok');
      const refused = (await outcome(second!.chat.completions.create(request, { apiKey: 'sk-a' }))) as RouterError;
      expect([refused.status, refused.code]).toEqual([429, 'rate_limited']);
      expect(upstream.hits).toBe(4);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await removeRedisKeys(prefix);
    }
  });
});

describe('legacy completions: best_of counts toward the estimate', () => {
  it('a best_of 20 completion of 100 tokens is estimated at 2,000 completion tokens: beyond a tpm of 1,000 it is refused, unsent', async () => {
    const router = createRouter({
      policy: 'global',
      keys: { 'test-a': { label: 'team-a', tpm: 1_000 } },
      providers: [openaiCompatible({ id: 'local', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k', jurisdiction, models: [{ id: 'm', capabilities: ['completions'] }] })],
    });
    expect(await outcome(router.completions.create({ model: 'm', prompt: 'hi', max_tokens: 100 }, { apiKey: 'test-a' }))).toBe('ok');
    const refused = (await outcome(router.completions.create({ model: 'm', prompt: 'hi', max_tokens: 100, best_of: 20 }, { apiKey: 'test-a' }))) as RouterError;
    expect(refused).toMatchObject({ code: 'rate_limited', status: 429 });
  });
});
