import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatRequestSchema } from '../src/wire/chat-request.js';
import { parseSimpleChatRequest } from '../src/wire/simple-chat-request.js';

/*
 * The hand-written check of common chat requests stands in for the schema on the hot path. It may
 * pass a request to the schema whenever it likes, but whatever it accepts the schema must accept,
 * with the same result. Random requests mix valid and invalid values of every field it knows,
 * fields it does not know, and message shapes of every role.
 */

const anyValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.string({ maxLength: 4 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 6 }),
);

/** A field's value: mostly one the schema accepts, often one just outside its bounds, sometimes anything. */
const field = (valid: fc.Arbitrary<unknown>, near: unknown[]) =>
  fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: fc.constantFrom(...near), weight: 2 }, { arbitrary: anyValue, weight: 1 });

const number = (min: number, max: number, integer = false) =>
  field(integer ? fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max)) : fc.oneof(fc.double({ min, max, noNaN: true }), fc.constantFrom(min, max)), [
    min - (integer ? 1 : 0.01),
    max + (integer ? 1 : 0.01),
    ...(integer ? [min + 0.5] : []),
    NaN,
    Infinity,
    -Infinity,
    String(min),
    null,
  ]);

const message = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      { role: fc.constantFrom('system', 'developer', 'user', 'assistant'), content: fc.string({ maxLength: 8 }), name: fc.string({ maxLength: 4 }) },
      { requiredKeys: ['role', 'content'] },
    ),
  },
  {
    // Just outside the simple shape: another role, or content the role does not allow.
    weight: 2,
    arbitrary: fc.oneof(
      fc.record({ role: fc.constantFrom('tool', 'function', 'robot', ''), content: fc.string({ maxLength: 8 }) }),
      fc.record({ role: fc.constantFrom('system', 'developer', 'user', 'assistant'), content: fc.constantFrom(null, undefined, 1, [{ type: 'text', text: 'hi' }]) }),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        role: fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'function', 'robot'),
        content: fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.constant(undefined), fc.constant([{ type: 'text', text: 'hi' }]), fc.integer()),
        name: fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(undefined)),
        tool_call_id: fc.string({ maxLength: 4 }),
        refusal: fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null)),
      },
      { requiredKeys: ['role'] },
    ),
  },
  { weight: 1, arbitrary: anyValue },
);

const optionalFields: Record<string, fc.Arbitrary<unknown>> = {
  temperature: number(0, 2),
  top_p: number(0, 1),
  n: number(1, 128, true),
  stop: field(fc.oneof(fc.string({ maxLength: 2 }), fc.array(fc.string({ maxLength: 2 }), { maxLength: 4 })), [
    ['a', 'b', 'c', 'd', 'e'],
    ['a', 1],
    [null],
    1,
  ]),
  max_tokens: number(1, 100_000, true),
  max_completion_tokens: number(1, 100_000, true),
  seed: field(fc.integer(), [0.5, Number.MAX_SAFE_INTEGER + 2, NaN]),
  frequency_penalty: number(-2, 2),
  presence_penalty: number(-2, 2),
  logprobs: field(fc.boolean(), [0, 'true']),
  top_logprobs: number(0, 20, true),
  stream: field(fc.boolean(), [0, 'true']),
  stream_options: field(fc.record({ include_usage: fc.boolean() }, { requiredKeys: [] }), [{ include_usage: 1 }, { include_usage: true, extra: 1 }, []]),
  parallel_tool_calls: field(fc.boolean(), [null, 1]),
  user: field(fc.string({ maxLength: 4 }), [null, 1]),
  route: fc.constant({ objective: 'cheapest' }),
  tools: fc.constant([{ type: 'function', function: { name: 'f' } }]),
  response_format: fc.constant({ type: 'json_object' }),
  provider_extra: anyValue,
};

const request = fc
  .tuple(
    field(fc.constantFrom('eu-sovereign/cheapest', 'gpt-oss-120b'), ['', 1, null]),
    field(fc.array(message, { minLength: 1, maxLength: 3 }), [[], {}, 'hi']),
    fc.subarray(Object.keys(optionalFields), { maxLength: 3 }).chain((keys) => fc.tuple(...keys.map((key) => optionalFields[key]!.map((value) => [key, value] as const)))),
  )
  .map(([model, messages, entries]) => ({ model, messages, ...Object.fromEntries(entries) }));

/** Keys whose value is undefined are dropped by JSON and ignored by the schema: compare without them. */
const comparable = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('the common chat request check', () => {
  it('accepts only what the schema accepts, and returns what the schema returns', () => {
    let accepted = 0;
    fc.assert(
      fc.property(request, (body) => {
        const simple = parseSimpleChatRequest(body);
        if (simple === undefined) return;
        accepted += 1;
        const full = chatRequestSchema.safeParse(body);
        expect(full.success).toBe(true);
        expect(comparable(simple)).toEqual(comparable(full.data));
      }),
      { numRuns: 10_000 },
    );
    // Not vacuous: a share of the random requests took the fast path.
    expect(accepted).toBeGreaterThan(800);
  });

  it('takes the common request, and returns a copy the router may change', () => {
    const body = {
      model: 'eu-sovereign/cheapest',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello', name: 'ada' },
        { role: 'assistant', content: null },
      ],
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
      stop: ['\n'],
    };
    const parsed = parseSimpleChatRequest(body);
    expect(parsed).toEqual(chatRequestSchema.parse(body));
    expect(parsed).not.toBe(body);
    expect(parsed?.messages[0]).not.toBe(body.messages[0]);
    expect(parsed?.stop).not.toBe(body.stop);
    expect(parsed?.stream_options).not.toBe(body.stream_options);
  });

  it('leaves tools, the route extension, unknown fields and invalid values to the schema', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    expect(parseSimpleChatRequest(base)).toBeDefined();
    for (const extra of [
      { tools: [{ type: 'function', function: { name: 'f' } }] },
      { route: { objective: 'cheapest' } },
      { provider_extra: 1 },
      { temperature: 3 },
      { n: 1.5 },
      { messages: [{ role: 'tool', content: 'x', tool_call_id: 'a' }] },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
    ]) {
      expect(parseSimpleChatRequest({ ...base, ...extra })).toBeUndefined();
    }
  });

  it('leaves to the schema what a copy would get wrong: holes, class instances, fields that are not own enumerable keys', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    // A hole between two strings: `every` would skip it.
    expect(parseSimpleChatRequest({ ...base, stop: ['a', , 'b'] })).toBeUndefined();
    class Request {
      get model() {
        return 'm';
      }
      messages = [{ role: 'user', content: 'hi' }];
    }
    expect(parseSimpleChatRequest(new Request())).toBeUndefined();
    class Message {
      get role() {
        return 'user';
      }
      get content() {
        return 'hi';
      }
    }
    expect(parseSimpleChatRequest({ model: 'm', messages: [new Message()] })).toBeUndefined();
    // Every field of the schema, hidden from a copy, sends the request to the schema.
    for (const key of Object.keys(chatRequestSchema.shape)) {
      const body: Record<string, unknown> = { ...base, messages: [{ role: 'user', content: 'hi' }] };
      const target = key === 'messages' ? (body.messages as object[])[0]! : body;
      Object.defineProperty(target, key === 'messages' ? 'name' : key, { value: key === 'model' ? 'm' : 'x', enumerable: false });
      expect(parseSimpleChatRequest(body), key).toBeUndefined();
    }
  });
});

