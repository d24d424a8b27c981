import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRouter } from '../src/index.js';
import { deployment, messages } from './helpers/fault-deployments.js';
import { useFaultServer, type FaultUpstream } from './helpers/fault-server.js';

/*
 * Routing on measured time to first token. The clock the router measures with is faked and
 * moved forward by each upstream's simulated TTFT as its request arrives, so measurements are
 * exact and the test does not depend on how busy the machine is.
 */

const faults = useFaultServer();

beforeEach(() => void vi.useFakeTimers({ toFake: ['performance'] }));
afterEach(() => void vi.useRealTimers());

/** Every request to `upstream` takes `ms` on the router's clock before it is answered. */
const takes = (upstream: FaultUpstream, ms: number) => upstream.onRequest(() => vi.advanceTimersByTime(ms));

function twoDeployments() {
  // `slow` is cheaper, so with nothing measured the tie on the latency prior goes to it.
  const slow = takes(faults.upstream('slow'), 400);
  const quick = takes(faults.upstream('quick'), 40);
  const router = createRouter({ providers: [deployment(slow, { price: 0.1 }), deployment(quick, { price: 0.2 })], strategy: 'fastest' });
  return { slow, quick, router };
}

/** One streamed call, read to its end: the provider that answered. */
async function ask(router: ReturnType<typeof createRouter>, extra: object = {}): Promise<string | undefined> {
  const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true, ...extra });
  let provider: string | undefined;
  for await (const chunk of stream) provider = chunk.provider ?? provider;
  return provider;
}

describe('the fastest strategy', () => {
  it('moves to the deployment whose measured time to first token is lower after a few calls', async () => {
    const { slow, quick, router } = twoDeployments();
    expect(await ask(router)).toBe('slow'); // nothing measured: the prior ties, the cheaper goes first
    expect(await ask(router)).toBe('quick'); // quick was never measured: explored (on credit) to measure it
    expect([await ask(router), await ask(router), await ask(router)]).toEqual(['quick', 'quick', 'quick']);
    expect([slow.requests.length, quick.requests.length]).toEqual([1, 4]);

    const explanation = router.explain({ model: 'model-a', messages, stream: true });
    expect(explanation.candidates.map(({ provider }) => provider)).toEqual(['quick', 'slow']);
    // Estimates a fraction of a second old: barely moved toward the pool (they drift as they age).
    expect(explanation.candidates[0]!.est_latency_ms).toBeCloseTo(40, -1);
    expect(explanation.candidates[1]!.est_latency_ms).toBeCloseTo(400, -1);
    // One sample says little about the spread: slow's p90 is wider than quick's, from four.
    const [quickShown, slowShown] = explanation.candidates;
    expect(quickShown!.latency_samples).toBeCloseTo(4, 0);
    expect(slowShown!.latency_samples).toBeCloseTo(1, 0);
    expect(slowShown!.latency_uncertainty!).toBeGreaterThan(quickShown!.latency_uncertainty!);
    expect(slowShown!.score!).toBeLessThan(0.1);
    const health = router.health().map(({ provider, ttftP50Ms, ttftP90Ms }) => ({ provider, ttftP50Ms, ttftP90Ms }));
    expect(health.map(({ provider, ttftP50Ms }) => ({ provider, ttftP50Ms }))).toEqual([
      { provider: 'slow', ttftP50Ms: 400 },
      { provider: 'quick', ttftP50Ms: 40 },
    ]); // health() shows each deployment's own samples, not shrunk toward the others'
    for (const entry of health) expect(entry.ttftP90Ms!).toBeGreaterThan(entry.ttftP50Ms!);
  });

  it('judges a deployment measured once with the spread its measured peers show, not the wide prior', async () => {
    // `steady` answers in 60 or 90 ms in turn (σ of log-latency ≈ 0.2); `newcomer` once in 65 ms.
    let turn = 0;
    const steady = faults.upstream('steady').onRequest(() => vi.advanceTimersByTime(turn++ % 2 === 0 ? 60 : 90));
    const newcomer = takes(faults.upstream('newcomer'), 65);
    const router = createRouter({ providers: [deployment(steady, { price: 0.1 }), deployment(newcomer, { price: 0.2 })], strategy: 'fastest', exploration: { share: 0 } });
    for (let index = 0; index < 10; index++) expect(await ask(router, { route: { only: ['steady'] } })).toBe('steady');
    expect(await ask(router, { route: { only: ['newcomer'] } })).toBe('newcomer');

    // With the configured prior spread (0.5) the one answer's p90 would be 65 × e^(1.28 × 0.35) ≈ 102 ms,
    // worse than steady's ≈ 95 ms; with steady's spread it is ≈ 78 ms: a better deployment is not
    // kept waiting for a second sample only because it has one.
    const [first, second] = router.explain({ model: 'model-a', messages, stream: true }).candidates;
    expect(first!.provider).toBe('newcomer');
    expect(first!.est_latency_p90_ms!).toBeLessThan(85);
    expect(second!.provider).toBe('steady');
    expect(second!.est_latency_p90_ms!).toBeGreaterThan(90);
    expect(await ask(router)).toBe('newcomer');
  });

  it('measures a stream’s time to its first chunk', async () => {
    const { router } = twoDeployments();
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    for await (const _chunk of stream);
    expect(router.health()).toEqual([expect.objectContaining({ provider: 'slow', ttftP50Ms: 400, samples: 1 })]);
  });
});

describe('route.max_latency_ms', () => {
  it('excludes a deployment whose estimated p90 is above it, with the reason, and never calls it', async () => {
    const { slow, quick, router } = twoDeployments();
    await ask(router);
    await ask(router);
    const request = { model: 'model-a', messages, stream: true, route: { objective: 'cheapest', max_latency_ms: 200 } };

    const explanation = router.explain(request);
    expect(explanation.chosen).toEqual({ provider: 'quick', model: 'model-a' });
    const slowShown = explanation.candidates.find((candidate) => candidate.provider === 'slow')!;
    expect(slowShown.eligible).toBe(false);
    // One sample of 400 ms: its p90 is estimated with the prior's spread (σ 0.5) until more arrive, ~630 ms.
    expect(slowShown.reasons).toEqual([expect.stringMatching(/^estimated p90 time to first token 6[0-3]\d ms exceeds route.max_latency_ms 200$/)]);
    expect(await ask(router, { route: request.route })).toBe('quick');
    expect([slow.requests.length, quick.requests.length]).toEqual([1, 2]);
  });
});

describe('latency kinds', () => {
  it('compares streams on time to first chunk and other calls on the whole answer, never mixed', async () => {
    const { router } = twoDeployments();
    await ask(router); // one streamed call to slow: a first-chunk sample only
    const [slow] = router.health();
    expect(slow).toMatchObject({ provider: 'slow', ttftP50Ms: 400, samples: 1, answerP50Ms: null, answerSamples: 0 });
    // A non-streamed request has nothing of its own kind measured yet: no latency filter applies.
    const whole = router.explain({ model: 'model-a', messages, route: { max_latency_ms: 200 } });
    expect(whole.candidates.find((candidate) => candidate.provider === 'slow')).toMatchObject({ eligible: true });
    const streamed = router.explain({ model: 'model-a', messages, stream: true, route: { max_latency_ms: 200 } });
    expect(streamed.candidates.find((candidate) => candidate.provider === 'slow')).toMatchObject({ eligible: false });
  });
});
