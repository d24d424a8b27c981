import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, memoryHealthStore, openaiCompatible, type Provider } from '../src/index.js';
import { emptyHealthRecord } from '../src/health/health-store.js';
import { addLatencySample, defaultLatencyEstimateOptions, type LatencyEstimate } from '../src/health/latency-estimate.js';
import { euFacts, usFacts } from './helpers/providers.js';

/*
 * Exploration through the router: whatever the estimates, an exploration only ever reorders the
 * eligible candidates. Upstreams are in-process fetch functions that count their calls.
 */

const completion = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'model-a',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Done.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
});
const messages = [{ role: 'user' as const, content: 'Look up the weather in Lyon.' }];
const tools = [{ type: 'function' as const, function: { name: 'weather', parameters: { type: 'object', properties: {} } } }];

interface DeploymentFlags {
  us: boolean;
  noTools: boolean;
  ignored: boolean;
  open: boolean;
  /** Latency samples and how long ago they were taken; null = never measured. */
  latency: { samples: number[]; ageMs: number } | null;
}

/** True one time in four: most generated markets keep several eligible deployments to choose among. */
const sometimes = fc.integer({ min: 0, max: 3 }).map((value) => value === 0);
const flagsArbitrary: fc.Arbitrary<DeploymentFlags> = fc.record({
  us: sometimes,
  noTools: sometimes,
  ignored: sometimes,
  open: sometimes,
  latency: fc.option(fc.record({ samples: fc.array(fc.double({ min: 1, max: 3_000, noNaN: true }), { minLength: 1, maxLength: 6 }), ageMs: fc.integer({ min: 0, max: 10_000_000 }) }), { nil: null }),
});

function market(flags: DeploymentFlags[], strategy: 'fastest' | 'balanced', share = 0.5) {
  const calls: string[] = [];
  const store = memoryHealthStore();
  const now = Date.now();
  const providers: Provider[] = flags.map((flag, index) => {
    const id = `deployment-${index}`;
    const record = emptyHealthRecord();
    if (flag.open) Object.assign(record, { circuit: 'open', consecutiveFailures: 5, openedAt: now, retryAt: now + 3_600_000, timesOpened: 1, cooldownLevel: 1 });
    if (flag.latency) {
      let estimate: LatencyEstimate | undefined;
      for (const ms of flag.latency.samples) estimate = addLatencySample(estimate, ms, now - flag.latency.ageMs, defaultLatencyEstimateOptions);
      record.latency.answer = estimate!;
    }
    store.set(`${id}/model-a`, record);
    return openaiCompatible({
      id,
      baseURL: `https://${id}.test/v1`,
      apiKey: 'sk-test',
      jurisdiction: flag.us ? usFacts : euFacts,
      models: [{ id: 'model-a', price: { input: 0.1 * (index + 1), output: 0.3, currency: 'EUR' }, capabilities: flag.noTools ? ['chat'] : ['chat', 'tools'] }],
      fetch: async () => {
        calls.push(id);
        return new Response(completion, { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
  });
  const audit = memoryAudit();
  const router = createRouter({
    providers,
    policy: 'eu-sovereign',
    strategy,
    retry: { retries: 0 },
    health: { store },
    exploration: { share, burst: 3 },
    audit: [audit],
  });
  const eligible = new Set(flags.flatMap((flag, index) => (flag.us || flag.noTools || flag.ignored || flag.open ? [] : [`deployment-${index}`])));
  const ignored = flags.flatMap((flag, index) => (flag.ignored ? [`deployment-${index}`] : []));
  return { router, calls, eligible, ignored, audit };
}

describe('exploration', () => {
  it('never reaches a deployment excluded by the policy, a missing capability, route.ignore or an open circuit', async () => {
    let explorations = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(flagsArbitrary, { minLength: 1, maxLength: 8 }), fc.constantFrom('fastest' as const, 'balanced' as const), async (flags, strategy) => {
        const { router, calls, eligible, ignored, audit } = market(flags, strategy);
        const request = { model: 'model-a', messages, tools, route: { ignore: ignored } };
        for (let call = 0; call < 8; call++) {
          const explained = router.explain(request);
          if (explained.exploration) expect(eligible.has(explained.exploration.provider)).toBe(true);
          try {
            const answer = await router.chat.completions.create(request);
            expect(eligible.has(answer.provider)).toBe(true);
            if (answer.route.explored) explorations += 1;
          } catch (error) {
            expect(eligible.size).toBe(0); // only when nothing is eligible
            expect(error).toMatchObject({ status: expect.any(Number) });
          }
        }
        for (const called of calls) expect(eligible.has(called)).toBe(true);
        await router.flush();
        for (const record of audit.records) if (record.explored) expect(eligible.has(record.attempts[0]!.provider)).toBe(true);
      }),
      { seed: 20_261_205, numRuns: 120 },
    );
    // The property was exercised: explorations did happen.
    expect(explorations).toBeGreaterThan(20);
  });

  it('explain() says whether the next call explores: exploration.now is what that call does, the share it earns included', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(flagsArbitrary, { minLength: 2, maxLength: 6 }),
        fc.constantFrom('fastest' as const, 'balanced' as const),
        fc.constantFrom(0.05, 0.3, 0.5),
        async (flags, strategy, share) => {
          const { router } = market(flags, strategy, share);
          const request = { model: 'model-a', messages, tools };
          for (let call = 0; call < 12; call++) {
            const explained = router.explain(request);
            const answer = await router.chat.completions.create(request).catch(() => undefined);
            if (answer === undefined) return;
            expect(answer.route.explored === true, `call ${call}`).toBe(explained.exploration?.now === true);
            if (answer.route.explored) expect(answer.provider).toBe(explained.exploration!.provider);
            checked += 1;
          }
        },
      ),
      { seed: 20_261_206, numRuns: 80 },
    );
    expect(checked).toBeGreaterThan(300);
  });

  it('says so in route.explored and the audit record, and explores nothing at share 0', async () => {
    const flags: DeploymentFlags[] = [
      { us: false, noTools: false, ignored: false, open: false, latency: { samples: [50, 52, 49, 51, 50], ageMs: 0 } },
      { us: false, noTools: false, ignored: false, open: false, latency: null },
    ];
    const { router, calls, audit } = market(flags, 'fastest');
    const explained = router.explain({ model: 'model-a', messages });
    expect(explained.chosen).toEqual({ provider: 'deployment-0', model: 'model-a' });
    expect(explained.exploration).toEqual({ provider: 'deployment-1', model: 'model-a', reason: 'latency never measured', now: true });
    const [measured, unmeasured] = explained.candidates;
    expect(measured).toMatchObject({ provider: 'deployment-0', est_latency_ms: 50, latency_samples: expect.any(Number) });
    expect(measured!.explore).toBeUndefined();
    expect(unmeasured).toMatchObject({ provider: 'deployment-1', explore: true, latency_samples: 0 });
    expect(unmeasured!.latency_uncertainty!).toBeGreaterThan(measured!.latency_uncertainty!);
    expect(unmeasured!.latency_range_ms![0]).toBeLessThan(unmeasured!.latency_range_ms![1]);
    const first = await router.chat.completions.create({ model: 'model-a', messages });
    expect(first.route.explored).toBe(true); // the never-measured deployment, measured on credit
    expect(first.provider).toBe('deployment-1');
    const second = await router.chat.completions.create({ model: 'model-a', messages });
    expect(second.route.explored).toBeUndefined();
    await router.flush();
    expect(audit.records.map((record) => record.explored ?? false)).toEqual([true, false]);
    expect(calls).toEqual(['deployment-1', second.provider]);

    const off = market(flags, 'fastest', 0);
    for (let call = 0; call < 50; call++) expect((await off.router.chat.completions.create({ model: 'model-a', messages })).route.explored).toBeUndefined();
    expect(off.router.explain({ model: 'model-a', messages }).exploration).toBeNull();
  });
});
