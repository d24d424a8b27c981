import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, type RankingInput, type StrategyFunction } from '../src/index.js';
import { deployment, messages } from './helpers/fault-deployments.js';
import { useFaultServer } from './helpers/fault-server.js';
import { rejection } from './helpers/rejection.js';

/* A user's strategy that fails: nothing is sent, and the error names the strategy and what to do. */

const faults = useFaultServer();

function routerWith(strategy: StrategyFunction) {
  const first = faults.upstream('first');
  const second = faults.upstream('second');
  const audit = memoryAudit();
  const router = createRouter({ providers: [deployment(first, { price: 0.1 }), deployment(second, { price: 0.2 })], strategy, audit: [audit] });
  return { router, audit, upstreams: [first, second] };
}

describe('a user strategy that fails', () => {
  it.each([
    ['throws', function throwing(): never {
      throw new Error('ranking table missing');
    }, 'strategy throwing threw: ranking table missing'],
    ['returns a Promise', (async function later(inputs: readonly RankingInput[]) {
      return inputs.map((input) => ({ ...input, score: 1 }));
    }) as unknown as StrategyFunction, 'strategy later returned a Promise'],
    ['returns no array', (function nothing() {
      return undefined;
    }) as unknown as StrategyFunction, 'strategy nothing returned undefined'],
  ])('%s: a 500 naming the strategy, nothing sent, and explain() says the same', async (_name, strategy, said) => {
    const { router, audit, upstreams } = routerWith(strategy);
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages }));
    expect(error).toMatchObject({ status: 500, code: 'no_eligible_provider', type: 'server_error' });
    expect(error.message).toContain(said);
    expect(error.message).toContain('route.objective');
    expect(upstreams.every((upstream) => upstream.requests.length === 0)).toBe(true);
    await router.flush();
    expect(audit.records[0]).toMatchObject({ outcome: 'error', error_code: 'no_eligible_provider' });
    expect(() => router.explain({ model: 'model-a', messages })).toThrow(said);
    // A request can still choose a built-in strategy.
    expect((await router.chat.completions.create({ model: 'model-a', messages, route: { objective: 'cheapest' } })).provider).toBe('first');
  });

  it('ranks none of the eligible deployments: the error says the strategy dropped them, not that none was eligible', async () => {
    const { router, upstreams } = routerWith(function dropsAll() {
      return [];
    });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages }));
    expect(error).toMatchObject({ status: 500, code: 'no_eligible_provider', type: 'server_error' });
    expect(error.message).toContain('strategy dropsAll ranked none of the 2 deployments eligible for "model-a"');
    expect(error.message).toContain('first/model-a, second/model-a');
    expect(upstreams.every((upstream) => upstream.requests.length === 0)).toBe(true);
    const explained = router.explain({ model: 'model-a', messages });
    expect(explained.chosen).toBeNull();
    expect(explained.candidates.map((candidate) => candidate.reasons)).toEqual([
      ['not tried: strategy dropsAll did not rank it'],
      ['not tried: strategy dropsAll did not rank it'],
    ]);
  });
});

describe('a user strategy whose ranking holds something else', () => {
  it('drops holes and non-objects (null, undefined, a number) and routes on the rest, in its order', async () => {
    const { router, upstreams } = routerWith(function sparse(inputs: readonly RankingInput[]) {
      // A lookup that missed: `[table.get(a), table.get(b)]`.
      return [null, undefined, 7, ...[...inputs].reverse().map((input) => ({ ...input, score: 1 }))] as never;
    });
    expect(router.explain({ model: 'model-a', messages }).candidates.map((candidate) => candidate.provider)).toEqual(['second', 'first']);
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('second');
    expect(upstreams.map((upstream) => upstream.requests.length)).toEqual([0, 1]);
  });

  it('one entry, a hole: ranks nothing, and says so', async () => {
    const { router, upstreams } = routerWith(function hole() {
      return [null] as never;
    });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages }));
    expect(error).toMatchObject({ status: 500, code: 'no_eligible_provider' });
    expect(error.message).toContain('strategy hole ranked none of the 2 deployments');
    expect(upstreams.every((upstream) => upstream.requests.length === 0)).toBe(true);
  });

  it('returns only candidate and score: explain() and the call show planning\'s estimates, not blanks', async () => {
    const { router } = routerWith(function minimal(inputs: readonly RankingInput[]) {
      return [...inputs].reverse().map((input) => ({ candidate: input.candidate, score: 1, estLatencyMs: 0 })) as never;
    });
    const explained = router.explain({ model: 'model-a', messages });
    const cheapest = createRouter({ providers: [deployment(faults.upstream('first'), { price: 0.1 }), deployment(faults.upstream('second'), { price: 0.2 })] }).explain({ model: 'model-a', messages });
    expect(explained.candidates.map((candidate) => [candidate.provider, candidate.est_latency_ms, candidate.est_cost])).toEqual(
      ['second', 'first'].map((provider) => {
        const own = cheapest.candidates.find((candidate) => candidate.provider === provider)!;
        return [provider, own.est_latency_ms, own.est_cost];
      }),
    );
    expect(typeof explained.candidates[0]!.est_latency_ms).toBe('number');
    expect((await router.chat.completions.create({ model: 'model-a', messages })).provider).toBe('second');
  });
});

describe("a user strategy's name", () => {
  const reversed = (name: string) => ({ [name]: (inputs: readonly RankingInput[]) => [...inputs].reverse().map((input) => ({ ...input, score: 1 })) })[name]!;
  const providers = () => [deployment(faults.upstream('first'), { price: 0.1 }), deployment(faults.upstream('second'), { price: 0.2 })];

  it.each(['fast', 'cheap', 'cheapest', 'quality'])('"%s", a built-in strategy\'s name or alias, is refused at createRouter rather than silently shadowed or ignored', (name) => {
    expect(() => createRouter({ providers: providers(), strategy: reversed(name) })).toThrow(
      new RegExp(`options\\.strategy is named "${name}", the name of the built-in strategy .*; give your strategy another name`),
    );
  });

  it('any other name routes with the function, and route.objective names it', async () => {
    for (const name of ['constructor', 'mine']) {
      const router = createRouter({ providers: providers(), strategy: reversed(name) });
      expect(router.explain({ model: 'model-a', messages }).objective, name).toBe(name);
      expect(router.explain({ model: 'model-a', messages, route: { objective: name } }).chosen?.provider, name).toBe('second');
      expect(router.explain({ model: 'model-a', messages, route: { objective: 'cheapest' } }).chosen?.provider, name).toBe('first');
    }
  });
});
