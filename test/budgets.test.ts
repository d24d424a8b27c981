import { fork } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { callbackAudit, createRouter, memoryHealthStore, openaiCompatible, RouterError, type AuditRecord } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { localUpstream, useLocalUpstreams } from './helpers/local-upstream.js';
import { euJurisdiction, oneTokenRequest, oneTokenUpstream } from './helpers/priced-upstream.js';
import { removeRedisKeys } from './helpers/redis-keys.js';
import { createClient } from '@redis/client';
import { redisSkip, redisUrl, uniqueName } from './helpers/services.js';
import { rejection } from './helpers/rejection.js';

/*
 * Key budgets: the estimated cost is reserved before a call and settled to the actual cost
 * after it; a call that does not fit is refused with 429 budget_exceeded and nothing is sent.
 * Prices make every call cost 0.001 EUR (one completion token at 1000 EUR per million).
 */

useLocalUpstreams();
const skip = await redisSkip();

const answer = oneTokenUpstream;
const request = oneTokenRequest;
const jurisdiction = euJurisdiction;

/**
 * A key with 0.0015 EUR to spend, each call reserving 0.001, and an upstream that holds its first
 * answer until `release()`; every answer reports 1 completion token but the first, which reports 0.
 */
async function heldFirstCall() {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const upstream = await localUpstream((_body, response, hit) => {
    const send = () =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: hit === 1 ? 0 : 1, total_tokens: 4 } }),
      );
    if (hit === 1) void held.then(send);
    else send();
  });
  const router = createRouter({
    currency: 'EUR',
    policy: 'global',
    keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.0015, period: 'month' } } },
    providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
  });
  return { router, upstream, release };
}

describe('a key budget in this process', () => {
  it('never falls back past the candidates it reserved for to one that would cost more than the reservation', async () => {
    // Nine cheap deployments that fail, then a dear one that would answer: the reservation covers
    // the dearest of the eight ranked up front (1 token at max_tokens 1, at 107 EUR per million),
    // so the ninth (108) and the dear one (50,000) are skipped with the reason: nothing can be
    // spent beyond what was reserved.
    const failing = await localUpstream((_body, response) => void response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"busy"}}'));
    const dear = await answer();
    const cheap = Array.from({ length: 9 }, (_, index) =>
      openaiCompatible({ id: `cheap-${index}`, baseURL: failing.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 100 + index, currency: 'EUR' } }] }),
    );
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      strategy: 'cheapest',
      retry: { retries: 0 },
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' } } },
      providers: [...cheap, openaiCompatible({ id: 'dear', baseURL: dear.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 50_000, currency: 'EUR' } }] })],
    });
    const error = await router.chat.completions.create(request, { apiKey: 'sk-a' }).then(
      () => undefined,
      (caught: unknown) => caught as InstanceType<typeof RouterError>,
    );
    expect(error?.code).toBe('all_providers_failed');
    expect(error?.message).toMatch(/not called: .*dear\/m \(estimated cost 0\.0500 is more than the key's budget reserved for this request \(0\.000107\)\)/);
    expect(dear.hits).toBe(0);
    expect(failing.hits).toBe(8);
    expect(error?.message).toMatch(/cheap-8\/m \(estimated cost 0\.000108 is more than/);
    expect(await router.usage('team-a')).toMatchObject({ spent: 0, reserved: 0 });

    // Without a budget, the same walk reaches the dear deployment.
    const unbudgeted = createRouter({ currency: 'EUR', policy: 'global', strategy: 'cheapest', retry: { retries: 0 }, providers: [...cheap, openaiCompatible({ id: 'dear', baseURL: dear.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 50_000, currency: 'EUR' } }] })] });
    expect((await unbudgeted.chat.completions.create(request)).provider).toBe('dear');
  });

  it('explain() marks every candidate the walk would skip for the reservation, whatever its rank, with the reason the call gives', async () => {
    // Twelve deployments priced 100…111 EUR per million, and a dear one: the reservation covers the
    // eight ranked first (up to 107), so the call would skip the ninth onward, and explain() says so.
    const failing = await localUpstream((_body, response) => void response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"busy"}}'));
    const providers = [
      ...Array.from({ length: 12 }, (_, index) =>
        openaiCompatible({ id: `cheap-${index}`, baseURL: failing.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 100 + index, currency: 'EUR' } }] }),
      ),
      openaiCompatible({ id: 'dear', baseURL: failing.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 50_000, currency: 'EUR' } }] }),
    ];
    const keys = { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' as const } }, 'sk-free': { label: 'free' }, 'test-a': { label: 'test-team', budget: { limit: 1, period: 'day' as const } } };
    const router = createRouter({ currency: 'EUR', policy: 'global', strategy: 'cheapest', retry: { retries: 0 }, keys, providers });
    const over = (cost: string) => `not tried: estimated cost ${cost} is more than the key's budget reserved for this request (0.000107)`;
    const explained = router.explain(request, { apiKey: 'sk-a' });
    expect(explained.candidates.map(({ provider, eligible, reasons }) => [provider, eligible, reasons])).toEqual([
      ...Array.from({ length: 8 }, (_, index) => [`cheap-${index}`, true, []]),
      ['cheap-8', true, [over('0.000108')]],
      ['cheap-9', true, [over('0.000109')]],
      ['cheap-10', true, [over('0.000110')]],
      ['cheap-11', true, [over('0.000111')]],
      ['dear', true, [over('0.0500')]],
    ]);
    // The call skips exactly those, for the same reason.
    const error = await rejection(router.chat.completions.create(request, { apiKey: 'sk-a' }));
    expect(failing.hits).toBe(8);
    for (const shown of explained.candidates.slice(8)) expect(error.message).toContain(`${shown.provider}/m (${shown.reasons[0]!.slice('not tried: '.length)})`);
    // A key without a budget, and a test key (which spends nothing), reserve nothing: nothing is marked.
    for (const apiKey of ['sk-free', 'test-a']) expect(router.explain(request, { apiKey }).candidates.flatMap((shown) => shown.reasons), apiKey).toEqual([]);
  });

  it('reserves for the eight candidates ranked first under every strategy, not for the dearest of all of them', async () => {
    // balanced (the default) and fastest rank every candidate up front; the reservation still
    // covers only the first eight, as with cheapest. The dear deployment ranks last (it costs
    // 500 times more, and nothing has been measured): it must not make a 0.0001 EUR call ask
    // for 0.05 EUR of a 0.01 EUR budget.
    const upstream = await answer();
    const providers = [
      ...Array.from({ length: 9 }, (_, index) =>
        openaiCompatible({ id: `cheap-${index}`, baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 100 + index, currency: 'EUR' } }] }),
      ),
      openaiCompatible({ id: 'dear', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 50_000, currency: 'EUR' } }] }),
    ];
    for (const strategy of ['balanced', 'fastest'] as const) {
      const router = createRouter({ currency: 'EUR', strategy, providers, keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.01, period: 'day' } } } });
      const explained = router.explain(request, { apiKey: 'sk-a' });
      expect(explained.candidates.at(-1)?.provider).toBe('dear');
      const response = await router.chat.completions.create(request, { apiKey: 'sk-a' });
      expect([strategy, response.provider]).toEqual([strategy, expect.stringMatching(/^cheap-/)]);
      expect((await router.usage('team-a')).spent).toBeLessThan(0.001);
    }
  });

  it("skips no fallback for its cost when nothing was reserved: a ledger that does not answer, with onUnavailable 'allow'", async () => {
    // As above, but the ledger is away and the store lets requests through uncounted: there is no
    // reservation for a fallback to pass, so the walk reaches the dear deployment, as without a budget.
    const failing = await localUpstream((_body, response) => void response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"busy"}}'));
    const dear = await answer();
    const cheap = Array.from({ length: 9 }, (_, index) =>
      openaiCompatible({ id: `cheap-${index}`, baseURL: failing.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 100 + index, currency: 'EUR' } }] }),
    );
    const away = () => Promise.reject(new Error('the ledger does not answer'));
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      strategy: 'cheapest',
      retry: { retries: 0 },
      store: Object.assign(memoryHealthStore(), { budgets: { reserve: away, settle: away, usage: away }, onUnavailable: 'allow' as const }),
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' } } },
      providers: [...cheap, openaiCompatible({ id: 'dear', baseURL: dear.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 50_000, currency: 'EUR' } }] })],
    });
    expect((await router.chat.completions.create(request, { apiKey: 'sk-a' })).provider).toBe('dear');
    expect(failing.hits).toBe(9);
  });

  it('refuses the call that would pass the budget with 429 budget_exceeded, sends nothing, audits it, and reports usage', async () => {
    const upstream = await answer();
    const audited: AuditRecord[] = [];
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.003, period: 'month' } } },
      providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
      audit: [callbackAudit((record) => void audited.push(record))],
    });
    for (let index = 0; index < 3; index++) await router.chat.completions.create(request, { apiKey: 'sk-a' });
    const refused = await router.chat.completions.create(request, { apiKey: 'sk-a' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(RouterError.isInstance(refused)).toBe(true);
    const error = refused as RouterError;
    expect([error.status, error.code, error.type, error.headers['x-should-retry']]).toEqual([429, 'budget_exceeded', 'insufficient_quota', 'false']);
    expect(error.message).toMatch(/has 0 EUR left of its monthly budget of 0\.003 EUR.*resets at \d{4}-\d\d-01T00:00:00\.000Z/);
    expect(upstream.hits).toBe(3);
    await router.flush();
    expect(audited.map((record) => record.error_code ?? record.outcome)).toEqual(['success', 'success', 'success', 'budget_exceeded']);
    const usage = await router.usage('team-a');
    expect(usage).toMatchObject({ spent: 0.003, reserved: 0, remaining: 0, currency: 'EUR', period: 'month' });
    expect(usage.resetsAt).toMatch(/-01T00:00:00\.000Z$/);
  });

  it('says a refusal caused only by requests in flight may be retried (x-should-retry: true), and one the spending caused may not', async () => {
    // Each call reserves 0.001 EUR (max_tokens 1). With 0.0015 EUR left, a second call while the
    // first is in flight does not fit only because of the first's reservation: once that settles
    // at its actual cost (here 0: it reports no completion tokens), the second fits.
    const { router, upstream, release } = await heldFirstCall();
    const first = router.chat.completions.create(request, { apiKey: 'sk-a' });
    await vi.waitFor(() => expect(upstream.hits).toBe(1));
    const refusal = await rejection(router.chat.completions.create(request, { apiKey: 'sk-a' }));
    expect([refusal.status, refusal.code, refusal.headers['x-should-retry']]).toEqual([429, 'budget_exceeded', 'true']);
    expect(refusal.message).toMatch(/0\.001 EUR of it held by requests in flight.*may fit once they end/);
    release();
    await first;
    // The first settled at 0: the retry fits, and spends the key's budget down to 0.0005 EUR.
    expect((await router.chat.completions.create(request, { apiKey: 'sk-a' })).provider).toBe('local');
    const spent = await rejection(router.chat.completions.create(request, { apiKey: 'sk-a' }));
    expect([spent.code, spent.headers['x-should-retry']]).toEqual(['budget_exceeded', 'false']);
    expect(spent.message).not.toMatch(/may fit once they end/);
  });

  it('tells an HTTP client (router.fetch) that a refusal caused only by requests in flight may be retried', async () => {
    const { router, upstream, release } = await heldFirstCall();
    const post = () =>
      router.fetch(new Request('http://router.test/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer sk-a', 'content-type': 'application/json' }, body: JSON.stringify(request) }));
    const first = post();
    await vi.waitFor(() => expect(upstream.hits).toBe(1));
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-should-retry')).toBe('true');
    release();
    expect((await first).status).toBe(200);
  });

  it('never sends a budgeted key to a deployment with no known price, whose cost it could not count', async () => {
    // The unpriced deployment answers for free as far as the budget can tell: every call would
    // settle at 0, so a key with a budget of 0.001 EUR could spend without limit there.
    const unpriced = await answer();
    const priced = await answer();
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.001, period: 'day' } }, 'sk-b': { label: 'team-b' } },
      providers: [
        openaiCompatible({ id: 'unpriced', baseURL: unpriced.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm' }, { id: 'n' }] }),
        openaiCompatible({ id: 'priced', baseURL: priced.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] }),
      ],
    });
    // Only the unpriced deployment serves n: refused, nothing sent, the reason named.
    const refused = await router.chat.completions.create({ ...request, model: 'n' }, { apiKey: 'sk-a' }).then(
      () => undefined,
      (error: unknown) => error as RouterError,
    );
    expect(refused?.code).toBe('no_eligible_provider');
    expect(refused?.message).toMatch(/unpriced\/n: price unknown; the budget of key "team-a" needs a price to count what it spends/);
    // m goes to the priced deployment, whose cost the budget counts; the second call does not fit.
    expect((await router.chat.completions.create(request, { apiKey: 'sk-a' })).provider).toBe('priced');
    const over = await router.chat.completions.create(request, { apiKey: 'sk-a' }).then(
      () => undefined,
      (error: unknown) => error as RouterError,
    );
    expect(over?.code).toBe('budget_exceeded');
    expect([unpriced.hits, priced.hits]).toEqual([0, 1]);
    expect(await router.usage('team-a')).toMatchObject({ spent: 0.001, reserved: 0 });
    // A key without a budget still reaches it.
    expect((await router.chat.completions.create({ ...request, model: 'n' }, { apiKey: 'sk-b' })).provider).toBe('unpriced');
  });

  it('lists to a budgeted key only the deployments it can call: none without a known price', async () => {
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' } }, 'sk-b': { label: 'team-b' }, 'test-a': { label: 'tester', budget: { limit: 1, period: 'day' } } },
      providers: [
        openaiCompatible({ id: 'unpriced', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k', jurisdiction, models: [{ id: 'm' }, { id: 'n' }] }),
        openaiCompatible({ id: 'priced', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] }),
      ],
    });
    const listed = async (apiKey: string) => (await router.models.list({ apiKey })).data.map((model) => model.id).sort();
    // n has no priced deployment, and a call pinned to unpriced/m would be refused too.
    expect(await listed('sk-a')).toEqual(['priced/m']);
    for (const id of await listed('sk-a')) expect(router.explain({ ...request, model: id }, { apiKey: 'sk-a' }).candidates.some((entry) => entry.eligible)).toBe(true);
    // Without a budget, or with a test key (whose calls cost nothing), every deployment is callable.
    expect(await listed('sk-b')).toEqual(['priced/m', 'unpriced/m', 'unpriced/n']);
    expect(await listed('test-a')).toEqual(['priced/m', 'unpriced/m', 'unpriced/n']);
  });

  it('reserves a prompt at the cache-write price when that is dearer than input, so a call with max_tokens never spends past the limit', async () => {
    // The request's prompt is estimated at 8 tokens (3 + 4 framing + 1 for "hi"), and the upstream
    // counts exactly 8, all of them written to its prompt cache (as Claude's cache writes are
    // reported). At 100,000 EUR per million input and 125,000 per million cache writes, the call
    // costs 1 EUR; priced as input, the reservation would have been 0.8 EUR, under a 0.9 limit.
    const upstream = await oneTokenUpstream({ prompt_tokens: 8, completion_tokens: 1, total_tokens: 9, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 8 } });
    const routerWith = (limit: number) =>
      createRouter({
        currency: 'EUR',
        policy: 'global',
        keys: { 'sk-a': { label: 'team-a', budget: { limit, period: 'day' } } },
        providers: [
          openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 100_000, output: 0, cacheWrite: 125_000, currency: 'EUR' } }] }),
        ],
      });
    const tight = routerWith(0.9);
    const refused = await rejection(tight.chat.completions.create(request, { apiKey: 'sk-a' }));
    expect(refused).toMatchObject({ code: 'budget_exceeded' });
    expect(refused.message).toContain('this request is estimated at 1 EUR');
    expect(upstream.hits).toBe(0);
    expect((await tight.usage('sk-a')).spent).toBe(0);
    // A limit that holds the dearest the prompt may cost lets it through, and it spends exactly that.
    const enough = routerWith(1);
    const response = await enough.chat.completions.create(request, { apiKey: 'sk-a' });
    expect(response.usage.cost).toBe(1);
    expect(await enough.usage('sk-a')).toMatchObject({ spent: 1, reserved: 0, remaining: 0 });
  });

  it('reserves a cost that is no whole millionth as it counts it (rounded up), so calls in flight together never spend past the limit', async () => {
    // Each call costs 1.4 millionths of a euro (1 token at 1.4 EUR per million), exactly as
    // estimated, and is counted as 2 once it ends. Reserved as 1 (rounded to the nearest), ten of
    // them fitted a 10-millionth budget together and spent 20.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const upstream = await localUpstream((_body, response) => {
      void held.then(() =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 } }),
        ),
      );
    });
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.00001, period: 'day' } } },
      providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1.4, currency: 'EUR' } }] })],
    });
    let refused = 0;
    const calls = Array.from({ length: 12 }, () =>
      router.chat.completions.create(request, { apiKey: 'sk-a' }).then(
        () => 'answered',
        (error: unknown) => {
          refused += 1;
          return (error as RouterError).code;
        },
      ),
    );
    // Every call is either refused or held by the upstream before any is answered.
    while (refused + upstream.hits < calls.length) await new Promise((resolve) => setImmediate(resolve));
    expect([upstream.hits, refused]).toEqual([5, 7]);
    release();
    expect((await Promise.all(calls)).sort()).toEqual([...Array(5).fill('answered'), ...Array(7).fill('budget_exceeded')]);
    expect(await router.usage('sk-a')).toMatchObject({ spent: 0.00001, reserved: 0, remaining: 0 });
  });

  it('names a refused request’s estimate as the millionths it is counted in, not as 0', async () => {
    // Each call costs 0.001 EUR per million tokens × 1 token: far below a millionth, counted as one.
    const upstream = await answer();
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.000001, period: 'day' } } },
      providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 0.001, currency: 'EUR' } }] })],
    });
    await router.chat.completions.create(request, { apiKey: 'sk-a' });
    const refused = await router.chat.completions.create(request, { apiKey: 'sk-a' }).then(
      () => undefined,
      (error: unknown) => error as RouterError,
    );
    expect(refused?.code).toBe('budget_exceeded');
    expect(refused?.message).toContain('has 0 EUR left of its daily budget of 0.000001 EUR');
    expect(refused?.message).toContain('this request is estimated at 0.000001 EUR');
  });

  it('reserves what planning estimated, whatever estimate a strategy of the caller returns with its ranking', async () => {
    // A request without max_tokens is estimated at 256 completion tokens, 0.256 EUR at 1000 EUR
    // per million: more than the budget. A ranking function that returns its entries without
    // their estimate (or with a lower one) must not make the reservation smaller.
    const upstream = await answer();
    const unbounded = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
    const strategies = {
      bare: (inputs: readonly { candidate: unknown }[]) => inputs.map((input) => ({ candidate: input.candidate, score: 1 })),
      lowered: (inputs: readonly { candidate: unknown }[]) => inputs.map((input) => ({ ...input, estCost: 0, score: 1 })),
    };
    for (const [name, strategy] of Object.entries(strategies)) {
      const router = createRouter({
        currency: 'EUR',
        policy: 'global',
        strategy: strategy as never,
        keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.1, period: 'day' } } },
        providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
      });
      const refused = await router.chat.completions.create(unbounded, { apiKey: 'sk-a' }).then(
        () => undefined,
        (error: unknown) => error as RouterError,
      );
      expect([name, refused?.code]).toEqual([name, 'budget_exceeded']);
      expect(refused?.message).toMatch(/this request is estimated at 0\.25\d* EUR/);
    }
    expect(upstream.hits).toBe(0);
  });

  it('refuses router.usage() for a key without a budget, or no key, without repeating a key it was given', async () => {
    const router = createRouter({
      policy: 'global',
      keys: { 'sk-live-secret-a': { label: 'team-a' }, 'sk-live-secret-b': {} },
      providers: [openaiCompatible({ id: 'local', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k', jurisdiction, models: [{ id: 'm' }] })],
    });
    const refusal = (name: string) => router.usage(name).then(() => undefined, (error: unknown) => error as RouterError);
    const byKey = await refusal('sk-live-secret-a');
    expect([byKey?.code, byKey?.param]).toEqual(['invalid_request', 'keyIdOrLabel']);
    expect(byKey?.message).toBe('router.usage: key "team-a" has no budget (keys.<key>.budget)');
    expect((await refusal('team-a'))?.message).toBe(byKey?.message);
    expect((await refusal('sk-live-secret-b'))?.message).toMatch(/^router\.usage: key "key_[0-9a-f]{12}" has no budget/);
    const unknown = await refusal('sk-live-secret-c');
    expect(unknown?.message).toBe('router.usage: no configured key has this label, or is this key (keys.<key>.label)');
    for (const error of [byKey, unknown]) expect(JSON.stringify(error?.toJSON())).not.toContain('secret');
  });
});

describe('a key budget and a stream', () => {
  it('settles a streamed answer to what it cost once it ends, releasing the reservation', async () => {
    const chunk = (delta: object, extra: object = {}) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
    const upstream = await localUpstream((_body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chunk({ role: 'assistant', content: 'h' }));
      response.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })}\n\n`);
      response.end('data: [DONE]\n\n');
    });
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' } } },
      providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
    });
    const stream = await router.chat.completions.create({ ...request, max_tokens: 50, stream: true }, { apiKey: 'sk-a' });
    // While the stream is open, its estimate (50 tokens at most: 0.05 EUR) is held.
    expect((await router.usage('team-a')).reserved).toBeGreaterThan(0.001);
    for await (const _chunk of stream);
    expect(await router.usage('team-a')).toMatchObject({ spent: 0.001, reserved: 0, remaining: 0.999 });
  });
});

describe('the reserved amount router.usage() reports', () => {
  it('leaves out a reservation that has lapsed: no request holds it any more', async () => {
    const upstream = await localUpstream((_body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'h' }, finish_reason: null }] })}\n\n`);
      // The stream stays open: its request never ends on its own.
    });
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      deadlineMs: 1_000,
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'total' } } },
      providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const stream = await router.chat.completions.create({ ...request, max_tokens: 50, stream: true }, { apiKey: 'sk-a' });
      expect((await router.usage('team-a')).reserved).toBeGreaterThan(0.001);
      // Past the hold (the deadline and a minute): the reservation lapsed, whatever became of its request.
      vi.setSystemTime(Date.now() + 1_000 + 60_000 + 1);
      expect(await router.usage('team-a')).toMatchObject({ spent: 0, reserved: 0, remaining: 1 });
      stream.controller.abort();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe.skipIf(skip)('the reserved amount of a budget counted in Redis', () => {
  it('leaves out a reservation that has lapsed: its instance died before it settled', async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const store = redisStore({ url: redisUrl, prefix });
    try {
      await store.ready();
      const ledger = store.budgets!;
      const account = { keyId: 'team-a', period: 'total' as const, currency: 'EUR' };
      await ledger.reserve({ ...account, id: 'dies', estimate: 500, limit: 1_000, holdMs: 30 });
      await ledger.reserve({ ...account, id: 'lives', estimate: 200, limit: 1_000, holdMs: 60_000 });
      expect(await ledger.usage(account)).toMatchObject({ spent: 0, reserved: 700 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await ledger.usage(account)).toMatchObject({ spent: 0, reserved: 200 });
    } finally {
      await store.close();
      await removeRedisKeys(prefix);
    }
  });
});

describe.skipIf(skip)('a key budget shared by a fleet through Redis', () => {
  it('lets 4 processes × 50 concurrent calls spend at most the budget, and refuses every other call with 429 and an audit record', async () => {
    const upstream = await answer();
    const prefix = `${uniqueName('sovroute_test')}:`;
    const dist = join(import.meta.dirname, '..', 'dist');
    const worker = join(import.meta.dirname, 'fixtures', 'redis-budget-worker.mjs');
    try {
      const reports = await Promise.all(
        [0, 1, 2, 3].map(
          () =>
            new Promise<{ outcomes: Array<Record<string, unknown>>; audited: Array<Record<string, unknown>> }>((resolve, reject) => {
              const child = fork(worker, [dist, redisUrl, prefix, upstream.baseURL, '50'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
              child.once('message', resolve as never);
              child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
            }),
        ),
      );
      const outcomes = reports.flatMap((report) => report.outcomes);
      const audited = reports.flatMap((report) => report.audited);
      const ok = outcomes.filter((outcome) => outcome.ok);
      const refused = outcomes.filter((outcome) => !outcome.ok);
      expect(outcomes).toHaveLength(200);
      // Estimate and actual cost are equal here, so the bound is exact: 10 calls of 0.001 EUR.
      expect(ok).toHaveLength(10);
      expect(upstream.hits).toBe(10);
      // Refused while others' reservations were in flight: a retry may fit ('true', and the
      // message says so) until the spending alone fills the budget ('false', checked below).
      expect(refused.every((outcome) => outcome.status === 429 && outcome.code === 'budget_exceeded' && (outcome.retry === 'true') === /may fit once they end/.test(String(outcome.message)))).toBe(true);
      expect(audited.filter((record) => record.code === 'budget_exceeded')).toHaveLength(190);

      const store = redisStore({ url: redisUrl, prefix });
      const router = createRouter({
        currency: 'EUR',
        store,
        keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.01, period: 'day' } } },
        providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
      });
      await store.ready();
      expect(await router.usage('team-a')).toMatchObject({ spent: 0.01, reserved: 0, remaining: 0 });
      // Nothing in flight now: the spending alone leaves no room, and a retry would not help.
      const spent = (await router.chat.completions.create(request, { apiKey: 'sk-a' }).then(
        () => undefined,
        (error: unknown) => error,
      )) as RouterError;
      expect([spent.code, spent.headers['x-should-retry']]).toEqual(['budget_exceeded', 'false']);
      await store.close();
    } finally {
      await removeRedisKeys(prefix);
    }
  }, 120_000);
});

describe.skipIf(skip)('a key budget in Redis under two currencies', () => {
  it('keeps what routers of another currency spent apart: amounts of two currencies never add up in one count', async () => {
    const upstream = await answer();
    const prefix = `${uniqueName('sovroute_test')}:`;
    const stores = [redisStore({ url: redisUrl, prefix }), redisStore({ url: redisUrl, prefix })];
    try {
      await Promise.all(stores.map((store) => store.ready()));
      // The same key on two routers of one fleet: one counts in EUR, one in USD.
      const [euros, dollars] = (['EUR', 'USD'] as const).map((currency, index) =>
        createRouter({
          currency,
          store: stores[index]!,
          keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.0025, period: 'month' } } },
          providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency } }] })],
        }),
      );
      await euros!.chat.completions.create(request, { apiKey: 'sk-a' });
      await euros!.chat.completions.create(request, { apiKey: 'sk-a' });
      expect(await euros!.usage('team-a')).toMatchObject({ spent: 0.002, currency: 'EUR' });
      // 0.002 EUR is not 0.002 USD: the dollar count starts from nothing and takes two calls.
      expect(await dollars!.usage('team-a')).toMatchObject({ spent: 0, reserved: 0, remaining: 0.0025, currency: 'USD' });
      await dollars!.chat.completions.create(request, { apiKey: 'sk-a' });
      await dollars!.chat.completions.create(request, { apiKey: 'sk-a' });
      expect(await dollars!.usage('team-a')).toMatchObject({ spent: 0.002, currency: 'USD' });
      expect(await euros!.usage('team-a')).toMatchObject({ spent: 0.002, currency: 'EUR' });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await removeRedisKeys(prefix);
    }
  });
});

describe.skipIf(skip)('a key budget in Redis counted by an earlier version', () => {
  it('carries over what keys without a currency counted: an upgrade does not hand a key its total budget again', async () => {
    const upstream = await answer();
    const prefix = `${uniqueName('sovroute_test')}:`;
    const store = redisStore({ url: redisUrl, prefix });
    const client = createClient({ url: redisUrl });
    try {
      await Promise.all([store.ready(), client.connect()]);
      // What an earlier version kept for team-a's total budget: 0.002 EUR spent, in millionths.
      await client.hSet(`${prefix}{sr}:bud:team-a:0`, { spent: '2000', reserved: '0' });
      const router = createRouter({
        currency: 'EUR',
        store,
        keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.0025, period: 'total' } } },
        providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
      });
      expect(await router.usage('team-a')).toMatchObject({ spent: 0.002, remaining: 0.0005 });
      // A call costs 0.001: 0.002 + 0.001 is over 0.0025, so it is refused without reaching the upstream.
      await expect(router.chat.completions.create(request, { apiKey: 'sk-a' })).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
      expect(upstream.hits).toBe(0);
      // Carried once: the count does not grow by the old amount again.
      expect(await router.usage('team-a')).toMatchObject({ spent: 0.002, reserved: 0 });
    } finally {
      await Promise.all([store.close(), client.close()]);
      await removeRedisKeys(prefix);
    }
  });
});

describe.skipIf(skip)('a key budget in a Redis that restarted empty during a call', () => {
  it("counts the call's cost in a period count that still expires, not in one kept forever", async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const upstream = await localUpstream((_body, response) => {
      void released.then(() =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: 'c', object: 'chat.completion', created: 1, model: 'm',
            choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
          }),
        ),
      );
    });
    const store = redisStore({ url: redisUrl, prefix });
    const client = createClient({ url: redisUrl });
    await client.connect();
    try {
      const router = createRouter({
        currency: 'EUR',
        store,
        keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' } } },
        providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
      });
      await store.ready();
      const call = router.chat.completions.create(request, { apiKey: 'sk-a' });
      while (upstream.hits === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      // Redis loses everything it held (a restart without persistence) while the call is in flight.
      await removeRedisKeys(prefix);
      release();
      await call;
      expect(await router.usage('team-a')).toMatchObject({ spent: 0.001, reserved: 0 });
      const counts = await client.keys(`${prefix}*bud:sum:*`);
      expect(counts).toHaveLength(1);
      expect(await client.pTTL(counts[0]!)).toBeGreaterThan(0);
    } finally {
      await store.close();
      await removeRedisKeys(prefix);
      await client.close();
    }
  });
});

describe.skipIf(skip)('a key budget shared by instances whose clocks differ', () => {
  it("counts every instance's calls in the fleet's period, on Redis's clock: one whose clock is 40 days behind shares this month's count", async () => {
    const prefix = `${uniqueName('sovroute_test')}:`;
    const upstream = await answer();
    const stores: Array<ReturnType<typeof redisStore>> = [];
    const routerOn = async () => {
      const store = redisStore({ url: redisUrl, prefix });
      stores.push(store);
      const router = createRouter({
        currency: 'EUR',
        store,
        keys: { 'sk-a': { label: 'team-a', budget: { limit: 0.0015, period: 'month' } } },
        providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
      });
      await store.ready();
      return router;
    };
    try {
      const onTime = await routerOn();
      await onTime.chat.completions.create(request, { apiKey: 'sk-a' });
      // A machine whose clock is 40 days behind (a VM resumed from an old snapshot), in the same fleet.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() - 40 * 86_400_000);
      const behind = await routerOn();
      expect(await behind.usage('team-a')).toMatchObject({ spent: 0.001 });
      // The month's budget (0.0015 EUR) holds one call: the late machine may not make a second.
      const refused = await behind.chat.completions.create(request, { apiKey: 'sk-a' }).then(
        () => undefined,
        (error: unknown) => error as RouterError,
      );
      expect(refused?.code).toBe('budget_exceeded');
      expect(upstream.hits).toBe(1);
    } finally {
      vi.useRealTimers();
      await Promise.all(stores.map((store) => store.close()));
      await removeRedisKeys(prefix);
    }
  });
});

describe('budgets and key rate limits on every endpoint', () => {
  /** An upstream answering embeddings, legacy completions and chat: each call uses 1 prompt and 1 completion token (none for embeddings). */
  async function allEndpoints() {
    return localUpstream((body, response) => {
      const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
      const answer =
        'input' in body
          ? { object: 'list', model: 'm', data: [{ object: 'embedding', index: 0, embedding: [0.6, 0.8] }], usage: { prompt_tokens: 1, total_tokens: 1 } }
          : 'prompt' in body
            ? { id: 'c', object: 'text_completion', created: 1, model: 'm', choices: [{ index: 0, text: 'hi', finish_reason: 'stop', logprobs: null }], usage }
            : { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  }
  const routerFor = (baseURL: string, key: object) =>
    createRouter({
      currency: 'EUR',
      policy: 'global',
      keys: { 'sk-a': { label: 'team-a', ...key } },
      providers: [
        openaiCompatible({
          id: 'local',
          baseURL,
          apiKey: 'k',
          jurisdiction,
          // 1000 EUR per million tokens in and out: an embedding of 'x' costs 0.001 EUR.
          models: [{ id: 'm', price: { input: 1000, output: 1000, currency: 'EUR' }, capabilities: ['chat', 'embeddings', 'completions'] }],
        }),
      ],
    });
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as RouterError);

  it('reserves and settles the budget of embeddings, and refuses the one that does not fit with 429 budget_exceeded, unsent', async () => {
    const upstream = await allEndpoints();
    const router = routerFor(upstream.baseURL, { budget: { limit: 0.003, period: 'day' } });
    for (let index = 0; index < 3; index++) expect((await router.embeddings.create({ model: 'm', input: 'x' }, { apiKey: 'sk-a' })).usage.prompt_tokens).toBe(1);
    const refused = await failure(router.embeddings.create({ model: 'm', input: 'x' }, { apiKey: 'sk-a' }));
    expect([refused?.status, refused?.code]).toEqual([429, 'budget_exceeded']);
    expect(upstream.hits).toBe(3);
    expect(await router.usage('team-a')).toMatchObject({ spent: 0.003, reserved: 0, remaining: 0 });
  });

  it('counts the spend of calls that each cost less than a millionth of the currency, instead of rounding each to nothing', async () => {
    const upstream = await allEndpoints();
    const router = createRouter({
      currency: 'EUR',
      policy: 'global',
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' } } },
      // 0.4 EUR per million tokens: an embedding of 'x' (1 token) costs 0.0000004 EUR.
      providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0.4, output: 0, currency: 'EUR' }, capabilities: ['embeddings'] }] })],
    });
    for (let index = 0; index < 10; index++) expect((await router.embeddings.create({ model: 'm', input: 'x' }, { apiKey: 'sk-a' })).usage.cost).toBe(0.0000004);
    // Each call is counted up to a whole micro-unit: never less than it cost, at most a micro-unit more.
    const { spent } = await router.usage('team-a');
    expect(spent).toBeGreaterThanOrEqual(10 * 0.0000004);
    expect(spent).toBeLessThanOrEqual(0.00001);
  });

  it('counts embeddings, legacy completions and Responses against the key rpm with chat', async () => {
    const upstream = await allEndpoints();
    const router = routerFor(upstream.baseURL, { rpm: 3 });
    await router.embeddings.create({ model: 'm', input: 'x' }, { apiKey: 'sk-a' });
    await router.completions.create({ model: 'm', prompt: 'x', max_tokens: 1 }, { apiKey: 'sk-a' });
    await router.responses.create({ model: 'm', input: 'x', max_output_tokens: 16 }, { apiKey: 'sk-a' });
    for (const call of [
      () => router.embeddings.create({ model: 'm', input: 'x' }, { apiKey: 'sk-a' }),
      () => router.completions.create({ model: 'm', prompt: 'x', max_tokens: 1 }, { apiKey: 'sk-a' }),
      () => router.responses.create({ model: 'm', input: 'x', max_output_tokens: 16 }, { apiKey: 'sk-a' }),
      () => router.chat.completions.create(request, { apiKey: 'sk-a' }),
    ]) {
      const refused = await failure(call());
      expect([refused?.status, refused?.code]).toEqual([429, 'rate_limited']);
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(upstream.hits).toBe(3);
  });

  it('reserves and settles the budget of legacy completions and of the Responses API', async () => {
    const upstream = await allEndpoints();
    // Each call costs 0.002 EUR (1 token in, 1 out at 1000 EUR per million).
    const router = routerFor(upstream.baseURL, { budget: { limit: 1, period: 'day' } });
    await router.completions.create({ model: 'm', prompt: 'x', max_tokens: 1 }, { apiKey: 'sk-a' });
    await router.responses.create({ model: 'm', input: 'x', max_output_tokens: 16 }, { apiKey: 'sk-a' });
    expect(await router.usage('team-a')).toMatchObject({ spent: 0.004, reserved: 0 });
    // A budget smaller than either estimate: both are refused before anything is sent.
    const poor = routerFor(upstream.baseURL, { budget: { limit: 0.001, period: 'day' } });
    const refusedCompletion = await failure(poor.completions.create({ model: 'm', prompt: 'x', max_tokens: 1 }, { apiKey: 'sk-a' }));
    const refusedResponse = await failure(poor.responses.create({ model: 'm', input: 'x', max_output_tokens: 16 }, { apiKey: 'sk-a' }));
    expect([refusedCompletion?.code, refusedResponse?.code]).toEqual(['budget_exceeded', 'budget_exceeded']);
    expect(upstream.hits).toBe(2);
  });
});

describe.skipIf(skip)('a request that ends after its Redis store was closed', () => {
  it('warns that its cost was not counted, instead of keeping the settlement for a connection that never comes back', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const upstream = await localUpstream((_body, response) =>
      void held.then(() =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }),
        ),
      ),
    );
    const prefix = `${uniqueName('sovroute_test')}:`;
    const store = redisStore({ url: redisUrl, prefix });
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (message: string) => void warnings.push(message), error: () => undefined };
    const router = createRouter({
      currency: 'EUR',
      store,
      logger,
      keys: { 'sk-a': { label: 'team-a', budget: { limit: 1, period: 'day' } } },
      providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 0, output: 1000, currency: 'EUR' } }] })],
    });
    try {
      await store.ready();
      const pending = router.chat.completions.create(request, { apiKey: 'sk-a' });
      await vi.waitFor(() => expect(upstream.hits).toBe(1));
      // Closed before the router, with a request still in flight: its cost cannot reach Redis any more.
      await store.close();
      release();
      expect((await pending).choices).toHaveLength(1);
      await vi.waitFor(() => expect(warnings.find((message) => message.includes('settling'))).toMatch(/store is closed.*router\.close\(\)/));
      expect(warnings.filter((message) => message.includes('does not answer'))).toEqual([]);
    } finally {
      await router.close();
      await removeRedisKeys(prefix);
    }
  });
});
