import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { englishMessages } from '../english-messages.js';
import * as s from './index.js';

/*
 * Shapes stand in for zod schemas on the start-up path, so they must answer as zod does: the same
 * success, the same output, and the same first issue (code, path, message), which is what the
 * library reports. Each case below is built twice, once with zod and once with shapes, and both
 * parse the same random values: mostly near-valid ones, with values just outside each bound,
 * values of other types, inherited and unknown keys. Each case is also tried as the first branch
 * of a union, which tells whether its issues end the value (zod's `continue`), as the union's
 * answer depends on it.
 */

interface Case {
  zod: z.ZodMiniType;
  shape: s.Shape;
  value: fc.Arbitrary<unknown>;
}

class Point {
  x = 1;
}
const inherited = Object.create({ id: 'inherited', name: 'x' }) as object;

const other = fc.oneof(
  fc.constantFrom(undefined, null, true, false, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), '', 'a', 'FR', 'fr', 'EUR', '😀😀', [], {}, () => 'key'),
  fc.constantFrom(new Point(), new Map(), new Date(0), Object.create(null) as object, inherited, [undefined], { __proto__: { a: 1 } }),
  fc.anything({ maxDepth: 2 }),
);

const mostly = (valid: fc.Arbitrary<unknown>, near: readonly unknown[] = []) =>
  fc.oneof({ arbitrary: valid, weight: 5 }, ...(near.length > 0 ? [{ arbitrary: fc.constantFrom(...near), weight: 3 }] : []), { arbitrary: other, weight: 2 });

const string = (zod: z.ZodMiniType, shape: s.Shape, valid: fc.Arbitrary<string> = fc.string({ maxLength: 5 })): Case => ({
  zod,
  shape,
  value: mostly(valid, ['', 'FR', 'F', 'FRA', '😀', '😀😀', 'a'.repeat(65), 'mistral-ai', 'Bad Key']),
});
const number = (zod: z.ZodMiniType, shape: s.Shape): Case => ({
  zod,
  shape,
  value: mostly(fc.oneof(fc.integer({ min: -5, max: 20 }), fc.double({ min: -5, max: 20, noNaN: true })), [0, -0, 0.5, 1, 1.5, 10, 11, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, '1']),
});

/** An object case: each field's own values, sometimes left out, plus unknown keys now and then. */
function object(zod: z.ZodMiniType, shape: s.Shape, fields: Record<string, Case>): Case {
  const entries = Object.entries(fields).map(([key, field]) => fc.option(field.value.map((value) => [key, value] as const), { nil: undefined, freq: 4 }));
  const valid = fc
    .tuple(fc.tuple(...entries), fc.option(fc.constantFrom('extra', '__proto__', 'toString', 'constructor'), { freq: 3 }))
    .map(([pairs, extra]) => {
      const value: Record<string, unknown> = {};
      for (const pair of pairs) if (pair !== undefined) value[pair[0]] = pair[1];
      if (extra !== null) Object.defineProperty(value, extra, { value: 1, enumerable: true, configurable: true, writable: true });
      return value;
    });
  return { zod, shape, value: mostly(valid) };
}

const array = (element: Case, zod: z.ZodMiniType, shape: s.Shape): Case => ({
  zod,
  shape,
  value: mostly(fc.array(element.value, { maxLength: 6 })),
});

const cases: Record<string, Case> = {};

cases.string = string(z.string(), s.string());
cases['string with a length'] = string(z.string().check(z.length(2)), s.string(s.length(2)));
cases['string with its own error and a check'] = string(z.string('must be a name').check(z.minLength(1)), s.stringWithError('must be a name', s.minLength(1)));
cases['string with a check message'] = string(z.string().check(z.minLength(1, 'must not be empty')), s.string(s.minLength(1, 'must not be empty')));
cases['string with a pattern'] = string(z.string().check(z.regex(/^[A-Z]{2}$/)), s.string(s.regex(/^[A-Z]{2}$/)));
cases['string with bounds'] = string(z.string().check(z.minLength(2), z.maxLength(3)), s.string(s.minLength(2), s.maxLength(3)));
cases['string with a refinement'] = string(z.string().check(z.refine((value) => value.startsWith('m'), 'must start with m')), s.string(s.refine((value: string) => value.startsWith('m'), 'must start with m')));
cases.number = number(z.number(), s.number());
cases['number with bounds'] = number(z.number().check(z.minimum(0), z.maximum(10)), s.number(s.minimum(0), s.maximum(10)));
cases['positive integer'] = number(z.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)), s.number(s.int(), s.positive(), s.maximum(Number.MAX_SAFE_INTEGER)));
cases['integer with messages'] = number(z.number().check(z.int('whole'), z.positive('above zero')), s.number(s.int('whole'), s.positive('above zero')));
cases['nonnegative'] = number(z.number().check(z.nonnegative()), s.number(s.nonnegative()));
cases.boolean = { zod: z.boolean(), shape: s.boolean(), value: mostly(fc.boolean()) };
cases.enum = { zod: z.enum(['a', 'b']), shape: s.oneOf(['a', 'b']), value: mostly(fc.constantFrom('a', 'b'), ['c', 'A']) };
cases['enum with an error'] = { zod: z.enum(['a', 'b'], 'must be a or b'), shape: s.oneOf(['a', 'b'], 'must be a or b'), value: mostly(fc.constantFrom('a', 'b'), ['c']) };
cases.literal = { zod: z.literal(false), shape: s.literal(false), value: mostly(fc.constant(false), [true, 'false', 0]) };
cases.custom = { zod: z.custom((value) => typeof value === 'function', 'must be a function'), shape: s.custom((value) => typeof value === 'function', 'must be a function'), value: mostly(fc.constant(() => 1)) };
cases.optional = { zod: z.optional(z.number()), shape: s.optional(s.number()), value: mostly(fc.integer(), [undefined, null]) };
cases.nullable = { zod: z.nullable(z.string()), shape: s.nullable(s.string()), value: mostly(fc.string(), [undefined, null]) };
cases.nullish = { zod: z.nullish(z.boolean()), shape: s.nullish(s.boolean()), value: mostly(fc.boolean(), [undefined, null]) };
cases.array = array(cases['string with a length']!, z.array(z.string().check(z.length(2))), s.array(s.string(s.length(2))));
cases['array with bounds'] = array(cases.string!, z.array(z.string()).check(z.minLength(1), z.maxLength(4)), s.array(s.string(), s.minLength(1), s.maxLength(4)));
cases.record = {
  zod: z.record(z.string().check(z.regex(/^[A-Z]{3}$/, 'a currency')), z.number().check(z.positive())),
  shape: s.record(s.string(s.regex(/^[A-Z]{3}$/, 'a currency')), s.number(s.positive())),
  value: mostly(fc.dictionary(fc.constantFrom('EUR', 'USD', 'eur', '1', ''), number(z.number(), s.number()).value, { maxKeys: 3 }), [new Map(), Object.create(null) as object]),
};
cases['record of strings'] = {
  zod: z.record(z.string().check(z.maxLength(2)), z.string()),
  shape: s.record(s.string(s.maxLength(2)), s.string()),
  value: mostly(fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 })),
};

const fields = { id: cases['string with a check message']!, count: cases['positive integer']!, flag: cases.nullish!, when: cases.optional! };
cases['strict object'] = object(
  z.strictObject({ id: fields.id.zod, count: z.optional(fields.count.zod), flag: fields.flag.zod, when: fields.when.zod }),
  s.strictObject({ id: fields.id.shape, count: s.optional(fields.count.shape), flag: fields.flag.shape, when: fields.when.shape }),
  fields,
);
cases['loose object'] = object(
  z.looseObject({ id: fields.id.zod, count: fields.count.zod, flag: fields.flag.zod }),
  s.looseObject({ id: fields.id.shape, count: fields.count.shape, flag: fields.flag.shape }),
  fields,
);
cases['stripping object'] = object(
  z.object({ id: fields.id.zod, when: fields.when.zod, unknown: z.unknown() }),
  s.object({ id: fields.id.shape, when: fields.when.shape, unknown: s.unknown() }),
  { ...fields, unknown: { zod: z.unknown(), shape: s.unknown(), value: other } },
);
cases['union of a string and a function'] = {
  zod: z.union([z.string().check(z.minLength(1, 'must not be empty')), z.custom((value) => typeof value === 'function', 'must be a string or a function')]),
  shape: s.union([s.string(s.minLength(1, 'must not be empty')), s.custom((value) => typeof value === 'function', 'must be a string or a function')]),
  value: mostly(fc.string({ maxLength: 2 })),
};
cases['union of a preset and an object'] = {
  zod: z.union([z.enum(['eu', 'global'], { error: 'a preset' }), z.strictObject({ name: z.string().check(z.minLength(1)), hosting: z.optional(z.array(z.string())) })]),
  shape: s.union([s.oneOf(['eu', 'global'], 'a preset'), s.strictObject({ name: s.string(s.minLength(1)), hosting: s.optional(s.array(s.string())) })]),
  value: mostly(fc.oneof(fc.constantFrom('eu', 'global', 'us'), fc.record({ name: fc.string({ maxLength: 2 }), hosting: fc.array(fc.string()) }, { requiredKeys: [] }))),
};
cases['union of false and a custom value'] = {
  zod: z.union([z.literal(false), z.custom((value) => typeof value === 'object' && value !== null, 'false or an object')]),
  shape: s.union([s.literal(false), s.custom((value) => typeof value === 'object' && value !== null, 'false or an object')]),
  value: mostly(fc.constantFrom(false, {})),
};
const textPart = { zod: z.looseObject({ type: z.literal('text'), text: z.string() }), shape: s.looseObject({ type: s.literal('text'), text: s.string() }) };
const imagePart = {
  zod: z.looseObject({ type: z.literal('image_url'), image_url: z.looseObject({ url: z.string().check(z.minLength(1)) }) }),
  shape: s.looseObject({ type: s.literal('image_url'), image_url: s.looseObject({ url: s.string(s.minLength(1)) }) }),
};
const part = fc.oneof(
  fc.record({ type: fc.constantFrom('text', 'image_url', 'file'), text: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('image_url'), image_url: fc.oneof(fc.record({ url: fc.string({ maxLength: 2 }) }), fc.string()) }),
);
cases['discriminated union'] = {
  zod: z.discriminatedUnion('type', [textPart.zod, imagePart.zod]),
  shape: s.discriminatedUnion('type', [textPart.shape, imagePart.shape]),
  value: mostly(part),
};
cases['union of a string and parts'] = {
  zod: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart.zod, imagePart.zod]))]),
  shape: s.union([s.string(), s.array(s.discriminatedUnion('type', [textPart.shape, imagePart.shape]))]),
  value: mostly(fc.oneof(fc.string(), fc.array(part, { maxLength: 2 }))),
};
cases['custom with a further check'] = {
  zod: z.custom((value) => typeof value === 'object' && value !== null, 'an object').check(
    z.superRefine((value, context) => {
      if ((value as { id?: unknown }).id !== 'ok') context.addIssue({ code: 'custom', message: 'id must be ok', path: ['id'] });
    }),
  ),
  shape: s.custom((value) => typeof value === 'object' && value !== null, 'an object', (value: { id?: unknown }, issues: s.Issue[]) => {
    if (value.id !== 'ok') issues.push({ code: 'custom', message: 'id must be ok', path: ['id'], continue: true });
  }),
  value: mostly(fc.record({ id: fc.constantFrom('ok', 'no') }, { requiredKeys: [] })),
};

type Reported = { code: string; path: PropertyKey[]; message: string; inner?: (Reported | undefined)[] };

/** What a caller reads of an issue, and of the first issue of each branch or key it holds. */
function reportedZod(issue: z.core.$ZodIssue): Reported {
  const inner = issue.code === 'invalid_union' ? issue.errors.map((issues) => issues[0]) : issue.code === 'invalid_key' ? [issue.issues[0]] : [];
  const reported: Reported = { code: issue.code, path: issue.path, message: issue.message };
  if (inner.length > 0) reported.inner = inner.map((each) => each && reportedZod(each));
  return reported;
}
function reportedShape(issue: s.Issue): Reported {
  const inner = issue.code === 'invalid_union' ? issue.errors!.map((issues) => issues[0]) : issue.code === 'invalid_key' ? [issue.issues![0]] : [];
  const reported: Reported = { code: issue.code, path: issue.path, message: s.messageOf(issue) };
  if (inner.length > 0) reported.inner = inner.map((each) => each && reportedShape(each));
  return reported;
}

/** The same answer from both: success and output, or the first issue. */
function expectSameAnswer(zod: z.ZodMiniType, shape: s.Shape, value: unknown): void {
  const expected = zod.safeParse(value, { error: englishMessages });
  const actual = s.safeParse(shape, value);
  expect(actual.success).toBe(expected.success);
  if (expected.success && actual.success) expect(actual.data).toStrictEqual(expected.data);
  if (!expected.success && !actual.success) expect(reportedShape(actual.issues[0]!)).toEqual(reportedZod(expected.error.issues[0]!));
}

describe('shapes answer as the zod schemas of the same kind', () => {
  for (const [name, { zod, shape, value }] of Object.entries(cases)) {
    it(name, () => {
      fc.assert(fc.property(value, (input) => expectSameAnswer(zod, shape, input)), { numRuns: 400 });
    });
    it(`${name}, as the first branch of a union`, () => {
      const zodUnion = z.union([zod, z.literal('never')]);
      const shapeUnion = s.union([shape, s.literal('never')]);
      fc.assert(fc.property(value, (input) => expectSameAnswer(zodUnion, shapeUnion, input)), { numRuns: 200 });
    });
  }

  it('words an issue with the parse’s own words where the shape has none', () => {
    const issue = s.safeParse(s.strictObject({ id: s.string() }), { id: 1 });
    expect(issue.success).toBe(false);
    if (!issue.success) expect(s.messageOf(issue.issues[0]!, () => 'must be a string')).toBe('must be a string');
  });
});

describe('a length check of a long string', () => {
  it('does not walk the string when its UTF-16 length decides, as zod does not (a data: URL image of megabytes)', () => {
    const url = `data:image/png;base64,${'A'.repeat(4_000_000)}`;
    let walked = 0;
    const iterate = String.prototype[Symbol.iterator];
    const charCodeAt = String.prototype.charCodeAt;
    const test = RegExp.prototype.test;
    String.prototype[Symbol.iterator] = function (this: string) {
      if (String(this) === url) walked++;
      return iterate.call(this);
    };
    String.prototype.charCodeAt = function (this: string, index: number) {
      if (String(this) === url) walked++;
      return charCodeAt.call(this, index);
    };
    RegExp.prototype.test = function (this: RegExp, value: string) {
      if (value === url) walked++;
      return test.call(this, value);
    };
    try {
      const parsed = s.safeParse(s.looseObject({ url: s.string(s.minLength(1)) }), { url });
      expect(parsed.success).toBe(true);
    } finally {
      String.prototype[Symbol.iterator] = iterate;
      String.prototype.charCodeAt = charCodeAt;
      RegExp.prototype.test = test;
    }
    expect(walked).toBe(0);
  });
});
