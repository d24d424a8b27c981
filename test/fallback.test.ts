import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, type RankingInput } from '../src/index.js';
import { deployment, messages, quickRetry } from './helpers/fault-deployments.js';
import { fault, useFaultServer, type Fault } from './helpers/fault-server.js';
import { rejection } from './helpers/rejection.js';

/* Retries and fallback against real upstreams on 127.0.0.1 that fail on cue. */

const faults = useFaultServer();

const tried = (attempts: { provider: string; outcome: string }[]) => attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`);

describe('fallback down the ranking', () => {
  it('cheapest picks the 0.10 deployment, and after two 503s falls back to the 0.30 one', async () => {
    const budget = faults.upstream('budget').script(fault.status(503), fault.status(503));
    const premium = faults.upstream('premium');
    const router = createRouter({ providers: [deployment(premium, { price: 0.3 }), deployment(budget, { price: 0.1 })], strategy: 'cheapest', retry: quickRetry });

    expect(router.explain({ model: 'model-a', messages }).chosen).toEqual({ provider: 'budget', model: 'model-a' });
    const response = await router.chat.completions.create({ model: 'model-a', messages });

    expect(response.provider).toBe('premium');
    expect(response.choices[0]!.message.content).toBe('Hello from premium.');
    expect(response.route.fallback_used).toBe(true);
    expect(response.route.objective).toBe('cheapest');
    expect(tried(response.route.attempts)).toEqual(['budget:error', 'budget:error', 'premium:ok']);
    // The attempt keeps the upstream's own status; the router's error for it would be a 502.
    expect(response.route.attempts[0]).toMatchObject({ model: 'model-a', status: 503, code: 'upstream_error', message: expect.stringMatching(/returned 503/) });
    expect(response.route.attempts[2]).not.toHaveProperty('status');
    expect(response.route.attempts.every((attempt) => typeof attempt.latency_ms === 'number')).toBe(true);
    expect([budget.requests.length, premium.requests.length]).toEqual([2, 1]);
  });

  it.each<[string, Fault, string]>([
    ['a 500', fault.status(500), 'returned 500'],
    ['a 502', fault.status(502), 'returned 502'],
    ['a connection reset', fault.reset(), 'could not connect'],
    ['malformed JSON', fault.malformedJson(), 'malformed JSON'],
  ])('falls back after %s, naming it in the attempt', async (_name, failure, message) => {
    const broken = faults.upstream('broken').script(failure);
    const spare = faults.upstream('spare');
    const router = createRouter({ providers: [deployment(broken, { price: 0.1 }), deployment(spare, { price: 0.2 })], strategy: 'cheapest', retry: { retries: 0 } });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('spare');
    expect(response.route.attempts[0]).toMatchObject({ provider: 'broken', outcome: 'error', code: 'upstream_error', message: expect.stringContaining(message) });
    // An upstream that answered keeps its status; one that never answered gets the router's 502.
    const answered = /returned (\d+)/.exec(message);
    expect(response.route.attempts[0]!.status).toBe(answered ? Number(answered[1]) : 502);
  });

  it('gives each candidate its own retry budget, once: a fallback never restarts an earlier one', async () => {
    const first = faults.upstream('first').otherwise(fault.status(500));
    const second = faults.upstream('second').otherwise(fault.status(502));
    const third = faults.upstream('third');
    // A careless user strategy that lists every candidate twice.
    const twice = (inputs: readonly RankingInput[]) => [...inputs, ...inputs].map((input) => ({ ...input, score: 1 }));
    const router = createRouter({
      providers: [deployment(first), deployment(second), deployment(third)],
      strategy: twice,
      retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 },
    });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(tried(response.route.attempts)).toEqual(['first:error', 'first:error', 'first:error', 'second:error', 'second:error', 'second:error', 'third:ok']);
    expect([first.requests.length, second.requests.length, third.requests.length]).toEqual([3, 3, 1]);
  });

  it('with every eligible deployment failing: all_providers_failed with every attempt, and no ineligible one contacted', async () => {
    const eu1 = faults.upstream('eu-one').otherwise(fault.status(503));
    const eu2 = faults.upstream('eu-two').otherwise(fault.reset());
    const usOperated = faults.upstream('us-operated'); // would answer, but the policy excludes it
    const noTools = faults.upstream('no-tools'); // would answer, but cannot call tools
    const audit = memoryAudit();
    const router = createRouter({
      providers: [deployment(eu1, { price: 0.1 }), deployment(eu2, { price: 0.2 }), deployment(usOperated, { price: 0.01, us: true }), deployment(noTools, { price: 0.01, offer: { capabilities: ['chat'] } })],
      policy: 'eu-sovereign',
      strategy: 'cheapest',
      retry: quickRetry,
      audit: [audit],
    });
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } }];

    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages, tools }));

    expect(error.code).toBe('all_providers_failed');
    expect(error.status).toBe(502);
    expect(tried(error.route!.attempts)).toEqual(['eu-one:error', 'eu-one:error', 'eu-two:error', 'eu-two:error']);
    expect(error.message).toMatch(/eu-one\/model-a: .*503/);
    expect(error.message).toMatch(/eu-two\/model-a: .*(connect|connection)/);
    expect(usOperated.requests).toHaveLength(0);
    expect(noTools.requests).toHaveLength(0);

    // One audit record, an error, with every attempt and the excluded candidates counted by their reasons.
    await router.flush();
    expect(audit.records).toHaveLength(1);
    const [record] = audit.records;
    expect(record).toMatchObject({ id: error.route!.audit_id, outcome: 'error', error_code: 'all_providers_failed', provider: null, usage: null, cost: null });
    expect(tried(record!.attempts)).toEqual(['eu-one:error', 'eu-one:error', 'eu-two:error', 'eu-two:error']);
    expect(record!.candidates.map((candidate) => `${candidate.provider}:${candidate.eligible}`)).toEqual(['eu-one:true', 'eu-two:true']);
    expect(record!.excluded!.find((group) => group.examples.includes('us-operated/model-a'))).toMatchObject({ count: 1, reason: expect.stringMatching(/US-controlled/) });
    expect(record!.excluded!.find((group) => group.examples.includes('no-tools/model-a'))).toMatchObject({ count: 1, reason: expect.stringMatching(/tool calling/) });
  });

  it('returns a 422 at once: no retry, no fallback', async () => {
    const picky = faults.upstream('picky').script(fault.status(422, 'messages[0].content is too long'));
    const other = faults.upstream('other');
    const router = createRouter({ providers: [deployment(picky, { price: 0.1 }), deployment(other, { price: 0.2 })], strategy: 'cheapest', retry: quickRetry });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages }));
    expect(error).toMatchObject({ code: 'invalid_request', status: 422 });
    expect(error.message).toMatch(/too long/);
    expect([picky.requests.length, other.requests.length]).toEqual([1, 0]);
  });

  it('falls back when a deployment says the prompt is too long for its context window, never asking it again', async () => {
    const small = faults.upstream('small').otherwise(fault.status(400, "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens."));
    const large = faults.upstream('large');
    const router = createRouter({ providers: [deployment(small, { price: 0.1 }), deployment(large, { price: 0.2 })], strategy: 'cheapest', retry: quickRetry });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('large');
    expect(response.route.fallback_used).toBe(true);
    expect(tried(response.route.attempts)).toEqual(['small:error', 'large:ok']);
    expect(response.route.attempts[0]).toMatchObject({ status: 400, code: 'invalid_request', message: expect.stringMatching(/maximum context length/) });
    // The deployment answered: its circuit does not count the request's length against it.
    expect(router.health().find((entry) => entry.provider === 'small')).toMatchObject({ failures: 0, consecutiveFailures: 0 });
  });

  it.each([
    ['Gemini', 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).'],
    ['Bedrock', 'Input is too long for requested model.'],
    ['Mistral', 'Prompt contains 40000 tokens, too large for model with 32768 maximum context length'],
  ])('falls back when %s words the prompt as too long for the model', async (_upstream, message) => {
    const small = faults.upstream('small').otherwise(fault.status(400, message));
    const large = faults.upstream('large');
    const router = createRouter({ providers: [deployment(small, { price: 0.1 }), deployment(large, { price: 0.2 })], strategy: 'cheapest', retry: quickRetry });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(tried(response.route.attempts)).toEqual(['small:error', 'large:ok']);
  });

  it('does not fall back on a 422 that merely quotes context-window words back', async () => {
    const picky = faults.upstream('picky').otherwise(fault.status(422, 'messages[0].content "explain the context window" is not allowed'));
    const other = faults.upstream('other');
    const router = createRouter({ providers: [deployment(picky, { price: 0.1 }), deployment(other, { price: 0.2 })], strategy: 'cheapest', retry: quickRetry });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages }));
    expect(error).toMatchObject({ status: 422, code: 'invalid_request' });
    expect(other.requests).toHaveLength(0);
  });

  it('returns the upstream’s 400 when the prompt is too long for every deployment', async () => {
    const tooLong = (limit: number) => fault.status(400, `prompt is too long: 9000 tokens > ${limit} maximum`);
    const first = faults.upstream('first').otherwise(tooLong(4096));
    const second = faults.upstream('second').otherwise(tooLong(8192));
    const router = createRouter({ providers: [deployment(first, { price: 0.1 }), deployment(second, { price: 0.2 })], strategy: 'cheapest', retry: quickRetry });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages }));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', providerId: 'second' });
    expect(error.message).toMatch(/8192 maximum/);
    expect(tried(error.route!.attempts)).toEqual(['first:error', 'second:error']);
    expect([first.requests.length, second.requests.length]).toEqual([1, 1]);
  });

  it('falls back when a deployment answers 413 (the request is too large for it), not counting it against that deployment', async () => {
    const small = faults.upstream('small').otherwise(fault.status(413, 'Request exceeds the maximum allowed number of bytes.'));
    const large = faults.upstream('large');
    const router = createRouter({ providers: [deployment(small, { price: 0.1 }), deployment(large, { price: 0.2 })], strategy: 'cheapest', retry: quickRetry });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('large');
    expect(tried(response.route.attempts)).toEqual(['small:error', 'large:ok']);
    expect(response.route.attempts[0]).toMatchObject({ status: 413, code: 'invalid_request', message: expect.stringMatching(/too large for this deployment/) });
    expect(router.health().find((entry) => entry.provider === 'small')).toMatchObject({ failures: 0, consecutiveFailures: 0 });
  });

  it('returns the upstream’s 413, saying what to do, when the request is too large for every deployment', async () => {
    const first = faults.upstream('first').otherwise(fault.status(413, 'Request exceeds the maximum allowed number of bytes.'));
    const second = faults.upstream('second').otherwise(fault.status(413, 'Request Entity Too Large'));
    const router = createRouter({ providers: [deployment(first, { price: 0.1 }), deployment(second, { price: 0.2 })], strategy: 'cheapest', retry: quickRetry });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages }));
    expect(error).toMatchObject({ status: 413, code: 'invalid_request', providerId: 'second', isRetryable: false });
    expect(error.message).toMatch(/second returned 413: Request Entity Too Large .*too large for this deployment: send a smaller request/);
    expect(tried(error.route!.attempts)).toEqual(['first:error', 'second:error']);
    expect([first.requests.length, second.requests.length]).toEqual([1, 1]);
  });

  it('falls back when a deployment answers 404 for the model, and says the deployment does not serve it', async () => {
    const unknown = faults.upstream('unknown').otherwise(fault.status(404, 'The model `model-a` does not exist or you do not have access to it.'));
    const spare = faults.upstream('spare');
    const router = createRouter({ providers: [deployment(unknown, { price: 0.1 }), deployment(spare, { price: 0.2 })], strategy: 'cheapest', retry: quickRetry });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(tried(response.route.attempts)).toEqual(['unknown:error', 'spare:ok']);
    expect(unknown.requests).toHaveLength(1);

    const only = createRouter({ providers: [deployment(unknown)], retry: quickRetry });
    const error = await rejection(only.chat.completions.create({ model: 'model-a', messages }));
    expect(error).toMatchObject({ status: 502, code: 'all_providers_failed' });
    expect(error.message).toContain('unknown/model-a: returned 404, model or endpoint not found');
    expect(error.message).toMatch(/does not serve this model under this id, or its baseURL is wrong: check the model ids offered for provider unknown and its baseURL/);
  });

  it('with route.allow_fallbacks false, retries the first choice but never calls another', async () => {
    const only = faults.upstream('only').otherwise(fault.status(503));
    const spare = faults.upstream('spare');
    const router = createRouter({ providers: [deployment(only, { price: 0.1 }), deployment(spare, { price: 0.2 })], strategy: 'cheapest', retry: quickRetry });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages, route: { allow_fallbacks: false } }));
    expect(tried(error.route!.attempts)).toEqual(['only:error', 'only:error']);
    expect(spare.requests).toHaveLength(0);
  });

  it('with route.allow_fallbacks false, explain() shows the rest of the ranking as not tried, in rank order', () => {
    const router = createRouter({
      providers: [deployment(faults.upstream('dear'), { price: 0.3 }), deployment(faults.upstream('low'), { price: 0.1 }), deployment(faults.upstream('mid'), { price: 0.2 })],
      strategy: 'cheapest',
    });
    const explanation = router.explain({ model: 'model-a', messages, route: { allow_fallbacks: false } });
    expect(explanation.chosen?.provider).toBe('low');
    expect(explanation.candidates.map((candidate) => [candidate.provider, candidate.reasons])).toEqual([
      ['low', []],
      ['mid', ['not tried: route.allow_fallbacks is false, so only the first choice is called']],
      ['dear', ['not tried: route.allow_fallbacks is false, so only the first choice is called']],
    ]);
    expect(explanation.candidates[2]!.est_cost).toBeCloseTo(3 * explanation.candidates[0]!.est_cost!, 12);
  });
});

describe('route.order with route.allow_fallbacks false', () => {
  it('never calls a deployment the order does not name in place of one whose circuit is open: a 503, nothing sent', async () => {
    const chosen = faults.upstream('chosen').script(fault.status(503));
    const other = faults.upstream('other');
    const audit = memoryAudit();
    const router = createRouter({
      providers: [deployment(chosen, { price: 0.3 }), deployment(other, { price: 0.1 })],
      strategy: 'cheapest',
      retry: { retries: 0 },
      health: { failureThreshold: 1 },
      audit: [audit],
    });
    // Opens chosen's circuit.
    await rejection(router.chat.completions.create({ model: 'model-a', messages, route: { order: ['chosen'], allow_fallbacks: false } }));
    const route = { order: ['chosen'], allow_fallbacks: false };
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages, route }));
    expect(error).toMatchObject({ status: 503, code: 'no_eligible_provider' });
    expect(error.message).toContain('other/model-a: not listed in route.order, and route.allow_fallbacks is false');
    expect(other.requests).toHaveLength(0);
    await router.flush();
    expect(audit.records).toHaveLength(2);
    const explanation = router.explain({ model: 'model-a', messages, route });
    expect(explanation.chosen).toBeNull();
    expect(explanation.candidates.find((candidate) => candidate.provider === 'other')).toMatchObject({ eligible: false, reasons: ['not listed in route.order, and route.allow_fallbacks is false'] });
  });

  it('nor in place of one over route.max_cost; a second named one may answer', async () => {
    const dear = faults.upstream('dear');
    const low = faults.upstream('low');
    const named = faults.upstream('named');
    const router = createRouter({ providers: [deployment(dear, { price: 30 }), deployment(low, { price: 0.1 }), deployment(named, { price: 0.2 })], strategy: 'cheapest' });
    const maxCost = router.explain({ model: 'model-a', messages }).candidates.find((candidate) => candidate.provider === 'named')!.est_cost! * 10;
    const refused = await rejection(router.chat.completions.create({ model: 'model-a', messages, route: { order: ['dear'], allow_fallbacks: false, max_cost: maxCost } }));
    expect(refused).toMatchObject({ code: 'no_eligible_provider' });
    expect(refused.message).toMatch(/dear\/model-a: estimated cost .* exceeds route\.max_cost/);
    const response = await router.chat.completions.create({ model: 'model-a', messages, route: { order: ['dear', 'named'], allow_fallbacks: false, max_cost: maxCost } });
    expect(response.provider).toBe('named');
    expect([dear.requests.length, low.requests.length, named.requests.length]).toEqual([0, 0, 1]);
  });
});

describe('the deadline of the whole call', () => {
  it('ends a call whose attempts outlast deadlineMs with timeout and its attempts, without trying further', async () => {
    const stuck = faults.upstream('stuck').otherwise(fault.hang());
    const next = faults.upstream('next');
    const router = createRouter({ providers: [deployment(stuck, { price: 0.1 }), deployment(next, { price: 0.2 })], strategy: 'cheapest', deadlineMs: 1000 });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages }));
    expect(error).toMatchObject({ code: 'timeout', status: 504 });
    expect(error.message).toMatch(/deadline of 1000 ms \(deadlineMs\) passed/);
    expect(tried(error.route!.attempts)).toEqual(['stuck:error']);
    expect(next.requests).toHaveLength(0);
    // The hanging upstream's connection was closed, not left open.
    expect(await stuck.requests[0]!.closed).toBe('client');
  });

  it('times out a hung attempt after timeoutMs, closes its connection and falls back', async () => {
    // No caller signal and a limit of a second or more: the attempt runs on a shared timeout signal.
    const hung = faults.upstream('hung').otherwise(fault.hang());
    const spare = faults.upstream('spare');
    const router = createRouter({ providers: [deployment(hung, { price: 0.1 }), deployment(spare, { price: 0.2 })], strategy: 'cheapest', retry: { retries: 0 }, timeoutMs: 1000 });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('spare');
    expect(response.route.attempts[0]).toMatchObject({ provider: 'hung', outcome: 'error', code: 'timeout', message: expect.stringMatching(/within 1000 ms/) });
    expect(await hung.requests[0]!.closed).toBe('client');
  });

  it('retries a timed-out attempt on the same deployment before falling back', async () => {
    const flaky = faults.upstream('flaky').script(fault.hang());
    const spare = faults.upstream('spare');
    const router = createRouter({ providers: [deployment(flaky, { price: 0.1 }), deployment(spare, { price: 0.2 })], strategy: 'cheapest', retry: quickRetry, timeoutMs: 1000 });
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('flaky');
    expect(response.route.fallback_used).toBe(false);
    expect(tried(response.route.attempts)).toEqual(['flaky:error', 'flaky:ok']);
    expect(response.route.attempts[0]).toMatchObject({ code: 'timeout', message: expect.stringMatching(/within 1000 ms/) });
    expect(await flaky.requests[0]!.closed).toBe('client');
    expect(spare.requests).toHaveLength(0);
  });

  it('uses route.max_latency_ms as the per-attempt deadline, then falls back', async () => {
    const slow = faults.upstream('slow').otherwise(fault.hang());
    const quick = faults.upstream('quick');
    const router = createRouter({ providers: [deployment(slow, { price: 0.1 }), deployment(quick, { price: 0.2 })], strategy: 'cheapest', retry: { retries: 0 } });
    const response = await router.chat.completions.create({ model: 'model-a', messages, route: { max_latency_ms: 500 } });
    expect(response.provider).toBe('quick');
    expect(response.route.attempts[0]).toMatchObject({ provider: 'slow', outcome: 'error', code: 'timeout', message: expect.stringMatching(/within 500 ms \(route\.max_latency_ms\)/) });
  });

  it('does not let one request’s tight route.max_latency_ms open the circuit for everyone, nor retry the slow deployment', async () => {
    const slow = faults.upstream('slow').otherwise(fault.ok({ ttftMs: 300 }));
    const router = createRouter({ providers: [deployment(slow)], retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 }, health: { failureThreshold: 2 } });
    for (let call = 0; call < 3; call++) {
      const error = await rejection(router.chat.completions.create({ model: 'model-a', messages, route: { max_latency_ms: 50 } }));
      expect(error.code).toBe('timeout');
      expect(error.route!.attempts).toHaveLength(1); // too slow for this caller: asking it again would be too
    }
    expect(router.health().filter((entry) => entry.failures > 0 || entry.circuit !== 'closed')).toEqual([]);
    expect(router.explain({ model: 'model-a', messages }).candidates[0]).toMatchObject({ provider: 'slow', eligible: true });
    // A caller without the tight limit is still served by it.
    const response = await router.chat.completions.create({ model: 'model-a', messages });
    expect(response.provider).toBe('slow');
  });
});

describe('cost reporting', () => {
  it('reports an actual cost above route.max_cost without refusing the paid-for answer', async () => {
    // The estimate (a short prompt, max_tokens 10) is far below the limit; the upstream reports 100k prompt tokens.
    const verbose = faults.upstream('verbose').script(fault.ok({ usage: { prompt_tokens: 100_000, completion_tokens: 10, total_tokens: 100_010 } }));
    const router = createRouter({ providers: [deployment(verbose, { price: 1 })] });
    const response = await router.chat.completions.create({ model: 'model-a', messages, max_tokens: 10, route: { max_cost: 0.001 } });
    expect(response.route.estimated_cost).toBeLessThan(0.001);
    expect(response.usage.cost).toBeCloseTo(0.10003, 10);
    expect(response.route).toMatchObject({ max_cost: 0.001, max_cost_exceeded: true });
    expect(response.choices[0]!.message.content).toBe('Hello from verbose.');
  });

  it('says nothing of max_cost when the actual cost stays within it', async () => {
    const router = createRouter({ providers: [deployment(faults.upstream('thrifty'), { price: 1 })] });
    const response = await router.chat.completions.create({ model: 'model-a', messages, max_tokens: 10, route: { max_cost: 0.001 } });
    expect(response.usage.cost).toBeLessThan(0.001);
    expect(response.route.max_cost_exceeded).toBeUndefined();
  });

  it('explain() shows the ranking with est_cost, est_latency_ms and score, and the exclusions with reasons', () => {
    const router = createRouter({
      providers: [deployment(faults.upstream('mid'), { price: 0.2 }), deployment(faults.upstream('low'), { price: 0.1 }), deployment(faults.upstream('unpriced')), deployment(faults.upstream('abroad'), { price: 0.01, us: true })],
      policy: 'eu-sovereign',
      strategy: 'cheapest',
    });
    const explanation = router.explain({ model: 'model-a', messages, max_tokens: 100 });
    expect(explanation.objective).toBe('cheapest');
    expect(explanation.chosen).toEqual({ provider: 'low', model: 'model-a' });
    expect(explanation.candidates.map((candidate) => candidate.provider)).toEqual(['low', 'mid', 'unpriced', 'abroad']);
    const [low, mid, unpriced, abroad] = explanation.candidates;
    // est_cost = prompt tokens × input price + 100 completion tokens × output price, per 1M tokens.
    expect(low).toMatchObject({ eligible: true, score: 1, est_latency_ms: 800 });
    expect(mid!.est_cost).toBeCloseTo(2 * low!.est_cost!, 12);
    expect(mid!.score).toBe(0.5);
    expect(unpriced).toMatchObject({ eligible: true, score: 0, reasons: ['price unknown; ranked last by cheapest'] });
    expect(unpriced!.est_cost).toBeUndefined();
    expect(abroad).toMatchObject({ eligible: false });
    expect(abroad!.reasons.join(' ')).toMatch(/US/);
    expect(abroad!.score).toBeUndefined();
  });
});

describe('which strategy ranks', () => {
  const router = () =>
    createRouter({
      providers: [deployment(faults.upstream('budget'), { price: 0.1 }), deployment(faults.upstream('premium'), { price: 0.3, offer: { quality: 0.9 } })],
      strategy: 'cheapest',
    });
  const objective = (model: string, route?: object) => router().explain({ model, messages, ...(route ? { route } : {}) }).objective;

  it('plain auto uses the router’s own strategy; auto:quality its own', () => {
    expect(objective('auto')).toBe('cheapest');
    expect(objective('auto:quality')).toBe('quality');
  });

  it('route.objective re-ranks whatever the model string says, and a typo is a 400 whatever the model string', () => {
    expect(objective('auto', { objective: 'quality' })).toBe('quality');
    expect(objective('global/cheapest', { objective: 'quality' })).toBe('quality');
    expect(router().explain({ model: 'auto', messages, route: { objective: 'quality' } }).chosen?.provider).toBe('premium');
    for (const model of ['auto', 'global/cheapest', 'global-cheapest/model-a', 'model-a']) {
      expect(() => objective(model, { objective: 'cheep' }), model).toThrow(/route\.objective "cheep" is not a strategy/);
    }
  });
});
