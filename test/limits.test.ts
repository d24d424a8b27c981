import { describe, expect, it } from 'vitest';
import { loadBuilt } from './helpers/built-package.js';
import type { FaultUpstream } from './helpers/fault-server.js';
import { useFaultServer } from './helpers/fault-server.js';
import { euFacts } from './helpers/providers.js';

/*
 * The request limits, through the built package as users get it: each oversized request is a
 * 400 naming the limit and its option, audited once, sent nowhere, and never counted against a
 * deployment's health. Upstreams are real servers on 127.0.0.1, so health is tracked.
 */

const { createRouter, memoryAudit, RouterError } = await loadBuilt();
const built = await loadBuilt();
const faults = useFaultServer();

const depth = 5_000;
/** `[[[…]]]`, `levels` arrays deep, built without recursion. */
function nested(levels: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < levels; level++) value = [value];
  return value;
}

const messages = [{ role: 'user' as const, content: 'Summarise the agreement.' }];
const tool = (parameters: unknown) => ({ type: 'function', function: { name: 'lookup', parameters } });

/** Stands for the deep part in a body sent as text: JSON.stringify itself cannot write it. */
const marker = '<deep>';
const deepText = `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Where the deep part sits, and the `param` the 400 names. */
const placements: Array<[string, (deep: unknown) => Record<string, unknown>, string]> = [
  ['an unknown field', (deep) => ({ model: 'model-a', messages, junk: deep }), 'junk'],
  ['a message', (deep) => ({ model: 'model-a', messages: [{ role: 'user', content: 'hi', junk: deep }] }), 'messages[0].junk'],
  ['a message content', (deep) => ({ model: 'model-a', messages: [{ role: 'user', content: deep }] }), 'messages[0].content'],
  ['tools', (deep) => ({ model: 'model-a', messages, tools: [tool({ type: 'object', properties: { deep } })] }), 'tools[0].function.parameters'],
];

function deployments(...upstreams: FaultUpstream[]) {
  return upstreams.map((upstream) =>
    built.openaiCompatible({
      id: upstream.name,
      baseURL: upstream.baseURL,
      apiKey: `sk-${upstream.name}`,
      jurisdiction: euFacts,
      models: [{ id: 'model-a', capabilities: ['chat', 'tools', 'json'] }],
    }),
  );
}

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof RouterError>> {
  const caught = await promise.then(() => undefined, (error: unknown) => error);
  if (!RouterError.isInstance(caught)) throw new Error(`expected a RouterError, got ${String(caught)}`);
  return caught;
}

/** A POST through `router.fetch`, as a server would pass it on; a `marker` value becomes the deep part. */
function post(router: { fetch: (request: Request) => Promise<Response> }, path: string, body: unknown, key = 'sk-caller'): Promise<Response> {
  const text = JSON.stringify(body).replace(JSON.stringify(marker), deepText);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  return router.fetch(new Request(`http://router.local/v1/${path}`, { method: 'POST', headers, body: text }));
}

describe('limits.maxDepth: a deeply nested request', () => {
  for (const content of ['none', 'hash', 'full'] as const) {
    for (const [where, body, param] of placements) {
      it(`in ${where} is a 400 naming limits.maxDepth, in process and through router.fetch (audit.content '${content}')`, async () => {
        const upstream = faults.upstream(`deep-${content}`);
        const audit = memoryAudit();
        const router = createRouter({ providers: deployments(upstream), apiKey: 'sk-caller', audit: { sinks: [audit], content } });

        const error = await rejection(router.chat.completions.create(body(nested(depth)) as never));
        expect(error).toMatchObject({ status: 400, code: 'invalid_request', param });
        expect(error.message).toMatch(/more than 64 levels deep.*the limit is 64 \(limits\.maxDepth\)/);

        const response = await post(router, 'chat/completions', body(marker));
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', param, message: expect.stringContaining('(limits.maxDepth)') } });

        await router.flush();
        expect(audit.records).toHaveLength(2);
        expect(audit.records.map((record) => record.error_code)).toEqual(['invalid_request', 'invalid_request']);
        expect(upstream.requests).toHaveLength(0);
        expect(router.health().filter((entry) => entry.failures > 0 || entry.circuit !== 'closed')).toEqual([]);
      });
    }
  }

  it('is refused by explain() too, and by embeddings and legacy completions', async () => {
    const upstream = faults.upstream('deep-other');
    const audit = memoryAudit();
    const router = createRouter({ providers: deployments(upstream), apiKey: 'sk-caller', audit: [audit] });
    expect(() => router.explain({ model: 'model-a', messages, junk: nested(depth) } as never)).toThrow(/limits\.maxDepth/);
    for (const [path, body] of [
      ['embeddings', { model: 'model-a', input: 'text', junk: marker }],
      ['completions', { model: 'model-a', prompt: 'text', junk: marker }],
    ] as const) {
      const response = await post(router, path, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', param: 'junk', message: expect.stringContaining('(limits.maxDepth)') } });
    }
    await router.flush();
    expect(audit.records).toHaveLength(2);
    expect(upstream.requests).toHaveLength(0);
  });

  it('follows the option: a lower maxDepth refuses what the default lets through', async () => {
    const upstream = faults.upstream('shallow');
    const router = createRouter({ providers: deployments(upstream), apiKey: 'sk-caller', limits: { maxDepth: 3 } });
    const body = { model: 'model-a', messages, metadata: { note: 'flat' }, response_format: { type: 'json_object' } };
    await expect(router.chat.completions.create(body as never)).resolves.toMatchObject({ provider: 'shallow' });
    const deeper = { ...body, tools: [tool({ type: 'object' })] };
    await expect(router.chat.completions.create(deeper as never)).rejects.toMatchObject({ status: 400, param: 'tools[0].function', message: expect.stringContaining('the limit is 3 (limits.maxDepth)') });
    expect(upstream.requests).toHaveLength(1);
  });

  for (const count of [2, 20]) {
    it(`after ${count} deeply nested requests from one key, another key's request to the same deployments succeeds`, async () => {
      const first = faults.upstream(`first-${count}`);
      const second = faults.upstream(`second-${count}`);
      const router = createRouter({ providers: deployments(first, second), keys: { 'sk-attacker': {}, 'sk-other': {} } });
      for (let index = 0; index < count; index++) {
        const response = await post(router, 'chat/completions', placements[index % placements.length]![1](marker), 'sk-attacker');
        expect(response.status).toBe(400);
      }
      const response = await post(router, 'chat/completions', { model: 'model-a', messages }, 'sk-other');
      expect(response.status).toBe(200);
      expect(first.requests.length + second.requests.length).toBe(1);
      expect(router.health().every((entry) => entry.circuit === 'closed' && entry.failures === 0)).toBe(true);
    });
  }
});

describe('list and string limits', () => {
  const many = (count: number) => Array.from({ length: count }, () => ({ role: 'user' as const, content: 'hi' }));
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['messages over limits.maxMessages', { messages: many(4097) }, 'messages', /messages has 4097 entries; the limit is 4096 \(limits\.maxMessages\)/],
    ['tools over limits.maxTools', { tools: Array.from({ length: 129 }, () => tool({ type: 'object' })) }, 'tools', /tools has 129 entries; the limit is 128 \(limits\.maxTools\)/],
    ['legacy functions over limits.maxTools', { functions: Array.from({ length: 129 }, (_, index) => ({ name: `f${index}`, parameters: { type: 'object' } })) }, 'functions', /functions has 129 entries; the limit is 128 \(limits\.maxTools\)/],
    ['a model over limits.maxModelLength', { model: `m${'x'.repeat(256)}` }, 'model', /model is 257 characters long; the limit is 256 \(limits\.maxModelLength\)/],
    ['a long route.objective', { route: { objective: 'c'.repeat(257) } }, 'route.objective', /route\.objective is 257 characters long; the limit is 256 \(limits\.maxRouteFieldLength\)/],
    ['too many route.only entries', { route: { only: Array.from({ length: 257 }, (_, index) => `p${index}`) } }, 'route.only', /route\.only has 257 entries; the limit is 256 \(limits\.maxRouteFieldLength\)/],
    ['a long route.ignore entry', { route: { ignore: ['ok', 'i'.repeat(300)] } }, 'route.ignore[1]', /route\.ignore\[1\] is 300 characters long; the limit is 256 \(limits\.maxRouteFieldLength\)/],
    ['a long route.order entry', { route: { order: ['o'.repeat(1000)] } }, 'route.order[0]', /the limit is 256 \(limits\.maxRouteFieldLength\)/],
  ];
  for (const [name, overrides, param, message] of cases) {
    it(`refuses ${name} with a 400 naming it, audited once, sent nowhere`, async () => {
      const upstream = faults.upstream('lists');
      const audit = memoryAudit();
      const router = createRouter({ providers: deployments(upstream), apiKey: 'sk-caller', audit: [audit] });
      const response = await post(router, 'chat/completions', { model: 'model-a', messages, ...overrides });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { message: string; param: string; code: string } };
      expect(error).toMatchObject({ code: 'invalid_request', param });
      expect(error.message).toMatch(message);
      await router.flush();
      expect(audit.records).toHaveLength(1);
      expect(upstream.requests).toHaveLength(0);
    });
  }

  it('refuses embeddings inputs and completion prompts over limits.maxMessages, but not one long token array', async () => {
    const router = createRouter({ providers: deployments(faults.upstream('inputs')), apiKey: 'test-limits', limits: { maxMessages: 3 } });
    await expect(router.embeddings.create({ model: 'model-a', input: ['a', 'b', 'c', 'd'] })).rejects.toMatchObject({
      status: 400,
      param: 'input',
      message: 'input has 4 entries; the limit is 3 (limits.maxMessages)',
    });
    await expect(router.completions.create({ model: 'model-a', prompt: ['a', 'b', 'c', 'd'] })).rejects.toMatchObject({ status: 400, param: 'prompt' });
    // One tokenised input is one entry, however many tokens it has.
    await expect(router.completions.create({ model: 'model-a', prompt: [1, 2, 3, 4, 5] })).rejects.not.toMatchObject({ param: 'prompt' });
  });

  it('raises each limit with its option', async () => {
    const upstream = faults.upstream('raised');
    const router = createRouter({ providers: deployments(upstream), apiKey: 'sk-caller', limits: { maxMessages: 5000, maxRouteFieldLength: 400 } });
    const response = await router.chat.completions.create({ model: 'model-a', messages: many(4097), route: { ignore: ['i'.repeat(300)] } });
    expect(response.provider).toBe('raised');
  });
});

describe('limits.maxModelLength', () => {
  it('refuses a model string of 1,000,000 characters by its length, before anything reads it', async () => {
    const upstream = faults.upstream('long-model');
    const router = createRouter({ providers: deployments(upstream), apiKey: 'sk-caller' });
    // Also an unknown policy prefix and an unknown model: had anything parsed it first, the
    // error would say so. How fast the refusal is belongs to the benchmarks, not to a test.
    const model = `zz-${'-'.repeat(1_000_000 - 5)}/x`;
    const error = await rejection(router.chat.completions.create({ model, messages }));
    expect(error).toMatchObject({ status: 400, param: 'model', message: 'model is 1000000 characters long; the limit is 256 (limits.maxModelLength)' });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('limits on the Responses API', () => {
  it('apply to the request as received: a deep field the translation would drop is still refused, naming it', async () => {
    const upstream = faults.upstream('responses-deep');
    const audit = memoryAudit();
    const router = createRouter({ providers: deployments(upstream), apiKey: 'sk-caller', audit: [audit] });
    const error = await rejection(router.responses.create({ model: 'model-a', input: 'hi', junk: nested(depth) } as never));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', param: 'junk', message: expect.stringContaining('(limits.maxDepth)') });
    const response = await post(router, 'responses', { model: 'model-a', input: [{ role: 'user', content: 'hi', junk: marker }] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', message: expect.stringContaining('(limits.maxDepth)') } });
    await router.flush();
    expect(audit.records.map((record) => record.error_code)).toEqual(['invalid_request', 'invalid_request']);
    expect(upstream.requests).toHaveLength(0);
  });

  it('count input items as input, and a continued conversation as previous_response_id', async () => {
    const router = createRouter({ providers: deployments(faults.upstream('responses-lists')), apiKey: 'test-limits', limits: { maxMessages: 3 } });
    const items = (count: number) => Array.from({ length: count }, () => ({ role: 'user' as const, content: 'hi' }));
    await expect(router.responses.create({ model: 'model-a', input: items(4) })).rejects.toMatchObject({
      status: 400,
      param: 'input',
      message: 'input has 4 entries; the limit is 3 (limits.maxMessages)',
    });
    const first = await router.responses.create({ model: 'model-a', input: items(2) });
    // Two earlier items, the answer and two more: five messages.
    await expect(router.responses.create({ model: 'model-a', input: items(2), previous_response_id: (first as { id: string }).id })).rejects.toMatchObject({
      status: 400,
      param: 'previous_response_id',
      message: 'the input makes 5 messages with the conversation it continues; the limit is 3 (limits.maxMessages)',
    });
  });
});

describe('metadata: up to 16 pairs, as documented', () => {
  const pairs = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, 'v']));

  it('refuses 17 pairs with a 400 naming metadata, in process and through router.fetch, sent nowhere', async () => {
    const upstream = faults.upstream('metadata');
    const router = createRouter({ providers: deployments(upstream), apiKey: 'sk-caller' });
    const error = await rejection(router.chat.completions.create({ model: 'model-a', messages, metadata: pairs(17) }));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', param: 'metadata' });
    const response = await post(router, 'chat/completions', { model: 'model-a', messages, metadata: pairs(17) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', param: 'metadata' } });
    expect(upstream.requests).toHaveLength(0);
  });

  it('passes 16 pairs', async () => {
    const upstream = faults.upstream('metadata-16');
    const router = createRouter({ providers: deployments(upstream), apiKey: 'sk-caller' });
    const response = await router.chat.completions.create({ model: 'model-a', messages, metadata: pairs(16) });
    expect(response.provider).toBe('metadata-16');
  });
});

describe("a refusal quotes a caller's strings cut short", () => {
  const huge = 'q'.repeat(100_000);
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown route key', { route: { [huge]: 1 } }, 'route'],
    ['many unknown simulate keys', { simulate: Object.fromEntries(Array.from({ length: 2000 }, (_, index) => [`${index}${'s'.repeat(50)}`, 1])) }, 'simulate'],
    ['a long metadata key', { metadata: { [huge]: 'v' } }, 'metadata'],
    ['a tool_choice naming an undeclared function', { tools: [tool({ type: 'object' })], tool_choice: { type: 'function', function: { name: huge } } }, 'tool_choice'],
  ];
  for (const [name, overrides, param] of cases) {
    it(`${name}: a 400 whose message and param stay small`, async () => {
      const router = createRouter({ providers: deployments(faults.upstream('echo')), apiKey: 'test-echo' });
      const response = await post(router, 'chat/completions', { model: 'model-a', messages, ...overrides }, 'test-echo');
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { message: string; param: string; code: string } };
      expect(error.code).toBe('invalid_request');
      expect(error.param.startsWith(param)).toBe(true);
      expect(error.param.length).toBeLessThan(400);
      expect(error.message.length).toBeLessThan(1200);
    });
  }
});
