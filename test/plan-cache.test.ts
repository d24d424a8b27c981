import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible, type Provider } from '../src/index.js';
import { eagerRankCount } from '../src/router/plan.js';
import { deployment, messages } from './helpers/fault-deployments.js';
import { fault, useFaultServer } from './helpers/fault-server.js';
import { euFacts, usFacts } from './helpers/providers.js';

/*
 * Planning decides once what never changes (which candidates the policy and the request's
 * capabilities admit) and judges health, limits and route filters per request. These tests
 * change health between requests and expect the next plan to follow, for pinned, tier-1 and
 * tier-2 requests, whose admissions are kept.
 */

const faults = useFaultServer();

describe('kept admissions and live health', () => {
  it('a circuit that opens changes the next plan of a pinned, a tier-1 and a tier-2 request', async () => {
    const flaky = faults.upstream('flaky').otherwise(fault.status(503));
    const steady = faults.upstream('steady');
    const router = createRouter({
      providers: [deployment(flaky, { price: 0.1 }), deployment(steady, { price: 0.2 })],
      strategy: 'cheapest',
      retry: { retries: 0 },
      health: { failureThreshold: 2, cooldownMs: 60_000 },
    });
    const models = ['model-a', 'eu-sovereign/model-a', 'flaky/model-a'];
    // Planned once each: the admissions are now kept.
    for (const model of models) expect(router.explain({ model, messages }).chosen).toEqual({ provider: 'flaky', model: 'model-a' });

    for (let count = 0; count < 2; count++) expect((await router.chat.completions.create({ model: 'model-a', messages })).provider).toBe('steady');

    for (const model of ['model-a', 'eu-sovereign/model-a']) {
      const explanation = router.explain({ model, messages });
      expect(explanation.chosen).toEqual({ provider: 'steady', model: 'model-a' });
      expect(explanation.candidates.find((candidate) => candidate.provider === 'flaky')).toMatchObject({ eligible: false, reasons: [expect.stringMatching(/^circuit open after 2 consecutive failures/)] });
    }
    expect(router.explain({ model: 'flaky/model-a', messages }).chosen).toBeNull();
    const next = await router.chat.completions.create({ model: 'model-a', messages });
    expect(next.route.attempts.map((attempt) => attempt.provider)).toEqual(['steady']);
    expect(flaky.requests).toHaveLength(2);
  });

  it('a call follows health it learned: answer lengths learned by one deployment change what cheapest ranks first', async () => {
    // `long` is cheap per input token and dear per output token, `short` the reverse: with a long
    // prompt, `long` is cheaper while answers are expected short (256 tokens, the prior).
    const long = faults.upstream('long').otherwise(fault.ok({ usage: { prompt_tokens: 20, completion_tokens: 4000, total_tokens: 4020 } }));
    const short = faults.upstream('short');
    const offer = (input: number, output: number) => ({ offer: { price: { input, output, currency: 'EUR' as const } } });
    const router = createRouter({ providers: [deployment(long, offer(0.1, 20)), deployment(short, offer(10, 1))], strategy: 'cheapest', retry: { retries: 0 } });
    const request = { model: 'eu-sovereign/model-a', messages: [{ role: 'user' as const, content: 'Summarise this clause. '.repeat(200) }] };
    const shortCost = () => router.explain(request).candidates.find((candidate) => candidate.provider === 'short')!.est_cost!;
    expect(router.explain(request).chosen?.provider).toBe('long');
    const before = shortCost();
    // Pinned to `long` until it has taught the router how long the model's answers are.
    for (let count = 0; count < 3; count++) await router.chat.completions.create({ model: 'long/model-a', messages });
    expect(router.explain(request).chosen?.provider).toBe('short');
    // `short` never answered: its estimate moved with what the model's other deployment taught.
    expect(shortCost()).toBeGreaterThan(before);
    expect((await router.chat.completions.create(request)).provider).toBe('short');
  });

  it.each([
    // Prices in no particular order, so the walk's order is the ranking's, not the catalogue's.
    ['distinct prices', eagerRankCount + 3, (index: number, count: number) => ((index * 7) % count) + 1],
    // Many ties, one of them across the eighth place: ties keep the catalogue's order.
    ['tied prices', 2 * eagerRankCount + 4, (index: number) => (index % 3) + 1],
  ])('a call walking past the first candidates it ranked goes on in the order explain() shows (%s)', async (_name, count, price) => {
    const upstreams = Array.from({ length: count }, (_, index) => faults.upstream(`down-${index}`).otherwise(fault.status(503)));
    const prices = upstreams.map((_, index) => price(index, count));
    const audit = memoryAudit();
    const router = createRouter({
      providers: upstreams.map((upstream, index) => deployment(upstream, { price: prices[index]! })),
      strategy: 'cheapest',
      retry: { retries: 0 },
      health: { failureThreshold: 100 },
      audit: [audit],
    });
    const ranked = router.explain({ model: 'model-a', messages }).candidates.map((candidate) => candidate.provider);
    const error = await router.chat.completions.create({ model: 'model-a', messages }).catch((caught: unknown) => caught as { code: string; route: { attempts: { provider: string }[] } });
    expect(error.code).toBe('all_providers_failed');
    expect(error.route.attempts.map((attempt) => attempt.provider)).toEqual(ranked);
    await router.flush();
    // The record lists the candidates in the order the call walked them.
    expect(audit.records[0]!.candidates.map((candidate) => candidate.provider)).toEqual(ranked);
  });

  it('route filters are judged per request over a kept admission', () => {
    const provider = (id: string, price: number): Provider =>
      openaiCompatible({ id, baseURL: 'http://127.0.0.1:9/v1', jurisdiction: euFacts, models: [{ id: 'model-a', price: { input: price, output: price, currency: 'EUR' } }] });
    const router = createRouter({
      providers: [provider('first', 1), provider('second', 2), openaiCompatible({ id: 'outside', baseURL: 'http://127.0.0.1:9/v1', jurisdiction: usFacts, models: [{ id: 'model-a' }] })],
      strategy: 'cheapest',
    });
    const model = 'eu-sovereign/model-a';
    expect(router.explain({ model, messages }).chosen?.provider).toBe('first');
    const ignoring = router.explain({ model, messages, route: { ignore: ['first'] } } as never);
    expect(ignoring.chosen?.provider).toBe('second');
    expect(ignoring.candidates.find((candidate) => candidate.provider === 'first')).toMatchObject({ eligible: false, reasons: ['listed in route.ignore'] });
    expect(router.explain({ model, messages }).chosen?.provider).toBe('first');
  });
});
