import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, RouterError } from '../src/index.js';
import { englishMessages } from '../src/internal/english-messages.js';
import * as s from '../src/internal/shape/index.js';
import { chatRequestSchema } from '../src/wire/chat-request.js';
import { chatRequestShape } from '../src/wire/chat-request-shape.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';
import { rejection } from './helpers/rejection.js';

/** No handler: a request that reaches an upstream fails the call and is recorded. */
const upstream = mockServer();

/*
 * A chat request is checked without zod (chat-request-shape.ts), so that an app's start-up bundle
 * carries none; the endpoints loaded later build on the zod schema. Both must give every request
 * the same answer: accepted with the same copy, or refused at the same field with the same words.
 * Random requests mix valid and invalid values of every field, messages of every role and
 * content, tools, tool choices, response formats and the route and simulate extensions.
 */

const other = fc.constantFrom<unknown>(undefined, null, true, 0, -1, 0.5, 3, 129, NaN, Infinity, 2 ** 53, '', 'x', 'auto', [], {}, [1], { type: 'text' });
/** Random requests; the higher `validWeight`, the more often each value is a valid one. */
function requests(validWeight: number): fc.Arbitrary<unknown> {
  /** Mostly a valid value (`valid` in 8 + `valid`), often one just outside, sometimes anything. */
  const mostly = (valid: fc.Arbitrary<unknown>, near: readonly unknown[] = []) =>
    fc.oneof({ arbitrary: valid, weight: validWeight }, ...(near.length > 0 ? [{ arbitrary: fc.constantFrom(...near), weight: 2 }] : []), { arbitrary: other, weight: 1 });
  const text = mostly(fc.string({ maxLength: 4 }));
  /** An object of these fields, each sometimes left out, sometimes with an unknown field. */
  const record = (fields: Record<string, fc.Arbitrary<unknown>>, required: string[] = Object.keys(fields)) =>
    fc
      .tuple(fc.record(fields, { requiredKeys: required }), fc.option(fc.constantFrom('extra', 'toString'), { freq: validWeight }))
      .map(([value, extra]) => (extra === null ? value : { ...value, [extra]: 1 }));

  const textPart = record({ type: mostly(fc.constant('text'), ['image_url', 'refusal', 'TEXT']), text });
  const part = mostly(
    fc.oneof(
      textPart,
      record({ type: fc.constant('image_url'), image_url: mostly(record({ url: mostly(fc.constantFrom('https://x.invalid/a.png'), ['']), detail: mostly(fc.constantFrom('auto', 'low', 'high', 'original'), ['medium']) }, ['url'])) }),
      record({ type: fc.constant('input_audio'), input_audio: mostly(record({ data: text, format: text })) }),
      record({ type: fc.constant('file'), file: mostly(fc.constant({ file_id: 'f' })) }),
      record({ type: fc.constant('refusal'), refusal: text }),
    ),
  );
  const content = mostly(fc.oneof(fc.string({ maxLength: 4 }), fc.array(part, { maxLength: 2 })), [null, [], [null]]);
  const toolCall = mostly(record({ id: text, type: mostly(fc.constant('function'), ['custom']), function: mostly(record({ name: text, arguments: text })) }));
  const textContent = mostly(fc.oneof(fc.string({ maxLength: 4 }), fc.array(textPart, { maxLength: 2 })), [null, []]);
  const message = mostly(
    fc.oneof(
      { weight: 8, arbitrary: record({ role: fc.constantFrom('system', 'developer'), content: textContent, name: text }, ['role', 'content']) },
      { weight: 8, arbitrary: record({ role: fc.constant('user'), content, name: text }, ['role', 'content']) },
      {
        weight: 8,
        arbitrary: record({ role: fc.constant('assistant'), content, tool_calls: mostly(fc.array(toolCall, { maxLength: 2 })), refusal: mostly(fc.string(), [null]), name: text }, ['role']),
      },
      { weight: 8, arbitrary: record({ role: fc.constant('tool'), content: textContent, tool_call_id: text }, ['role', 'content', 'tool_call_id']) },
      { weight: 8, arbitrary: record({ role: fc.constant('function'), content: mostly(fc.string(), [null]), name: text }, ['role', 'content', 'name']) },
      { weight: 1, arbitrary: record({ role: fc.constantFrom('robot', '', 'USER'), content }) },
    ),
  );
  const functionName = mostly(fc.constantFrom('get_weather', 'f-1'), ['', 'a b', 'x'.repeat(65)]);
  const tool = mostly(
    fc.oneof(
      record(
        {
          type: mostly(fc.constant('function'), ['tool']),
          function: mostly(record({ name: functionName, description: text, parameters: mostly(fc.constant({ type: 'object' }), [[], 'schema']), strict: mostly(fc.boolean(), [null]) }, ['name'])),
        },
      ),
      record({ type: fc.constant('custom'), custom: mostly(record({ name: text, description: text }, ['name'])) }),
    ),
  );
  const toolChoice = mostly(
    fc.oneof(
      fc.constantFrom('none', 'auto', 'required'),
      record({ type: fc.constant('function'), function: mostly(record({ name: text })) }),
      record({ type: fc.constant('custom'), custom: mostly(record({ name: text })) }),
      record({ type: fc.constant('allowed_tools'), allowed_tools: mostly(fc.constant({ mode: 'auto', tools: [] })) }),
    ),
    ['any', { type: 'other' }],
  );
  const responseFormat = mostly(
    fc.oneof(
      record({ type: fc.constantFrom('text', 'json_object', 'xml') }),
      record({ type: fc.constant('json_schema'), json_schema: mostly(record({ name: text, description: text, schema: mostly(fc.constant({ type: 'object' })), strict: mostly(fc.boolean(), [null]) }, ['name'])) }),
    ),
  );
  const number = (min: number, max: number, integer = false) =>
    mostly(integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true }), [min - 1, max + 1, min + 0.5, null, String(min)]);
  const strings = mostly(fc.array(fc.string({ maxLength: 3 }), { maxLength: 5 }), [[1], [null]]);

  const fields: Record<string, fc.Arbitrary<unknown>> = {
    temperature: number(0, 2),
    top_p: number(0, 1),
    n: number(1, 128, true),
    stop: mostly(fc.oneof(fc.string({ maxLength: 2 }), fc.array(fc.string({ maxLength: 2 }), { maxLength: 6 })), [[1], null]),
    max_tokens: number(1, 10_000, true),
    max_completion_tokens: number(1, 10_000, true),
    seed: mostly(fc.integer(), [0.5, 2 ** 60]),
    frequency_penalty: number(-2, 2),
    presence_penalty: number(-2, 2),
    logit_bias: mostly(fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.integer(), fc.string()), { maxKeys: 2 }), [null]),
    logprobs: mostly(fc.boolean(), [null, 'true']),
    top_logprobs: number(0, 20, true),
    stream: mostly(fc.boolean(), [null, 'true']),
    stream_options: mostly(record({ include_usage: mostly(fc.boolean()) }, []), [null]),
    tools: mostly(fc.array(tool, { maxLength: 2 })),
    tool_choice: toolChoice,
    parallel_tool_calls: mostly(fc.boolean(), [null]),
    response_format: responseFormat,
    user: text,
    metadata: mostly(fc.dictionary(fc.oneof(fc.string({ maxLength: 3 }), fc.constant('k'.repeat(65))), fc.oneof(fc.string({ maxLength: 3 }), fc.constant('v'.repeat(513)), fc.integer()), { maxKeys: 2 }), [null]),
    route: mostly(
      record(
        {
          objective: text,
          max_latency_ms: number(1, 1000),
          max_cost: number(0, 1),
          only: strings,
          ignore: strings,
          order: strings,
          allow_fallbacks: mostly(fc.boolean()),
        },
        [],
      ),
    ),
    simulate: mostly(
      record(
        {
          fault: mostly(fc.constantFrom('rate_limit', 'server_error', 'timeout', 'stream_cut'), ['crash']),
          times: number(1, 3, true),
          retry_after_s: number(0, 2),
          cut_after_chunks: number(0, 3, true),
          latency_ms: number(0, 10),
          chunk_delay_ms: number(0, 10),
        },
        [],
      ),
    ),
    provider_extra: other,
  };

  return fc
    .tuple(
      mostly(fc.constantFrom('eu-sovereign/cheapest', 'gpt-oss-120b'), ['']),
      mostly(fc.array(message, { minLength: 1, maxLength: 3 }), [[]]),
      fc.subarray(Object.keys(fields), { maxLength: 4 }).chain((keys) => fc.tuple(...keys.map((key) => fields[key]!.map((value) => [key, value] as const)))),
    )
    .map(([model, messages, entries]) => ({ model, messages, ...Object.fromEntries(entries) }));
}

describe('the chat request checked without zod', () => {
  it('gives every request the answer of the zod schema: the same copy, or the same first issue', () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof({ arbitrary: requests(6), weight: 10 }, { arbitrary: requests(60), weight: 10 }, { arbitrary: other, weight: 1 }), (body) => {
        const expected = chatRequestSchema.safeParse(body, { error: englishMessages });
        const actual = s.safeParse(chatRequestShape, body);
        expect(actual.success).toBe(expected.success);
        if (expected.success && actual.success) expect(actual.data).toStrictEqual(expected.data);
        if (!expected.success && !actual.success) {
          refused += 1;
          const issue = actual.issues[0]!;
          expect({ path: issue.path, message: s.messageOf(issue) }).toEqual({ path: expected.error.issues[0]!.path, message: expected.error.issues[0]!.message });
        }
      }),
      { numRuns: 6000 },
    );
    // Neither half is vacuous.
    expect(refused).toBeGreaterThan(1000);
    expect(refused).toBeLessThan(5000);
  });
});

describe('a chat request with very many mistakes', () => {
  it('is refused with a 400 naming the first and one audit record, however many issues it has', async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: testProviders(), apiKey: 'test-suite', audit: [audit] });
    // Far more issues than one call can take as arguments: three per tool call.
    const params = { model: 'llama-3.3-70b-instruct', messages: [{ role: 'assistant', tool_calls: Array.from({ length: 200_000 }, () => ({})) }] };
    const caught = await router.chat.completions.create(params as never).then(() => undefined, (error: unknown) => error);
    expect(RouterError.isInstance(caught)).toBe(true);
    expect((caught as RouterError).toJSON()).toMatchObject({ error: { code: 'invalid_request', param: 'messages[0].tool_calls[0].id', message: 'Invalid messages[0].tool_calls[0].id: Invalid input: expected string, received undefined' } });
    expect((caught as RouterError).status).toBe(400);
    await router.close?.();
    expect(audit.records).toHaveLength(1);
  });
});

describe('a chat request that cannot be read', () => {
  it('is refused with a 400 and one audit record when a field’s getter or a Proxy trap throws (in-process callers)', async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: testProviders(), apiKey: 'test-suite', audit: [audit] });
    const unreadable = [
      {
        model: 'llama-3.3-70b-instruct',
        messages: [
          {
            role: 'user',
            get content(): string {
              throw new TypeError('content is gone');
            },
          },
        ],
      },
      {
        model: 'llama-3.3-70b-instruct',
        messages: [{ role: 'user', content: 'x' }],
        metadata: new Proxy({}, { ownKeys: () => { throw new TypeError('no keys'); } }),
      },
    ];
    for (const params of unreadable) {
      const caught = await router.chat.completions.create(params as never).then(() => undefined, (error: unknown) => error);
      expect(RouterError.isInstance(caught)).toBe(true);
      expect((caught as RouterError).toJSON()).toMatchObject({ error: { code: 'invalid_request', message: expect.stringMatching(/^the request cannot be read: (content is gone|no keys)$/) } });
      expect((caught as RouterError).status).toBe(400);
    }
    await router.close?.();
    expect(audit.records).toHaveLength(2);
  });
});

describe('a tool_choice the request gives no tool for', () => {
  const question = [{ role: 'user' as const, content: 'What is the weather in Lyon?' }];
  const functionTool = (name: string) => ({ type: 'function' as const, function: { name, parameters: { type: 'object', properties: {} } } });
  const named = (name: string) => ({ type: 'function' as const, function: { name } });
  const manyTools = Array.from({ length: 15 }, (_, index) => functionTool(`tool_${index}`));

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a named function tools does not declare', { tools: [functionTool('lookup')], tool_choice: named('get_weather') }, 'tool_choice', /^tool_choice names the function 'get_weather', which tools does not declare \(it declares lookup\)/],
    ['a named function with no tools', { tool_choice: named('get_weather') }, 'tool_choice', /^tool_choice names the function 'get_weather', but tools declares no function/],
    ["'required' with no tools", { tool_choice: 'required' }, 'tool_choice', /^tool_choice 'required' asks for a tool call, but the request declares no tools/],
    ["'required' with an empty tools list", { tools: [], tool_choice: 'required' }, 'tool_choice', /^tool_choice 'required' asks for a tool call, but the request declares no tools/],
    [
      'a named function among many tools: ten of them listed',
      { tools: manyTools, tool_choice: named('get_weather') },
      'tool_choice',
      /\(it declares tool_0, tool_1, tool_2, tool_3, tool_4, tool_5, tool_6, tool_7, tool_8, tool_9 and 5 more\)/,
    ],
    ['a legacy function_call naming a function functions does not declare', { functions: [{ name: 'lookup', parameters: { type: 'object' } }], function_call: { name: 'get_weather' } }, 'function_call', /^function_call names the function 'get_weather', which functions does not declare \(it declares lookup\)/],
  ])('%s: a 400 before any upstream is called, with one audit record, for a real key and a test key alike', async (_name, fields, param, message) => {
    for (const stream of [false, true]) {
      const seen = [];
      for (const apiKey of ['sk-real-key', 'test-ci']) {
        const audit = memoryAudit();
        const router = createRouter({ providers: testProviders(), audit: [audit], retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 } });
        const error = await rejection(router.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages: question, ...fields, stream } as never, { apiKey }));
        expect(error.status).toBe(400);
        expect(error.toJSON()).toMatchObject({ error: { code: 'invalid_request', type: 'invalid_request_error', param, message: expect.stringMatching(message) } });
        await router.flush();
        expect(audit.records.map((record) => [record.outcome, record.attempts.length])).toEqual([['invalid', 0]]);
        seen.push(error.toJSON());
      }
      expect(seen[1]).toEqual(seen[0]);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it("takes 'auto' and 'none' without tools, and a named function tools declares", async () => {
    const router = createRouter({ providers: testProviders(), apiKey: 'test-ci' });
    for (const tool_choice of ['auto', 'none'] as const) {
      const answer = await router.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages: question, tool_choice });
      expect(answer.choices[0]!.message.content).toEqual(expect.any(String));
    }
    const answer = await router.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages: question, tools: [functionTool('lookup'), functionTool('get_weather')], tool_choice: named('get_weather') });
    expect(answer.choices[0]!.message.tool_calls?.[0]?.function.name).toBe('get_weather');
  });

  it("the Responses API refuses the same: 'required' with no tools, and a function tools does not declare, naming the declared ones", async () => {
    for (const apiKey of ['sk-real-key', 'test-ci']) {
      const audit = memoryAudit();
      const router = createRouter({ providers: testProviders(), audit: [audit] });
      const required = await rejection(router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'Hello', tool_choice: 'required' }, { apiKey }));
      expect(required.toJSON()).toMatchObject({ error: { code: 'invalid_request', param: 'tool_choice', message: expect.stringMatching(/^tool_choice 'required' asks for a tool call, but the request declares no tools/) } });
      const tools = [{ type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: {} }, strict: false }];
      const missing = await rejection(router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'Hello', tools, tool_choice: { type: 'function', name: 'get_weather' } }, { apiKey }));
      expect(missing.toJSON()).toMatchObject({ error: { code: 'invalid_request', param: 'tool_choice.name', message: expect.stringMatching(/^tool_choice names the function 'get_weather', which tools does not declare \(it declares lookup\)/) } });
      await router.flush();
      expect(audit.records.map((record) => record.outcome)).toEqual(['invalid', 'invalid']);
    }
    expect(upstream.requests).toHaveLength(0);
  });
});
