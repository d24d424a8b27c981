import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { englishMessages } from '../internal/english-messages.js';
import * as s from '../internal/shape/index.js';
import { jurisdictionShape } from './facts-shape.js';

/*
 * Jurisdiction facts are checked without zod, so that an app's start-up bundle carries none, with
 * the answers and words of the zod schema they were checked with before (below, as it was): the
 * same facts get the same answer.
 */

const countryMessage = 'must be an ISO 3166-1 alpha-2 country code in capitals, e.g. FR';
const countryCode = z.string(countryMessage).check(z.regex(/^[A-Z]{2}$/, countryMessage));
const zodEntity = z.looseObject({ name: z.string().check(z.minLength(1, 'must not be empty')), country: countryCode });
const jurisdictionSchema = z.looseObject({
  operator: z.looseObject({ name: z.string().check(z.minLength(1, 'must not be empty')), country: countryCode, parents: z.optional(z.array(zodEntity)) }),
  hosting: z.array(countryCode),
  subprocessors: z.optional(z.array(zodEntity)),
  zeroRetention: z.optional(z.boolean()),
  verifiedAt: z.optional(z.string()),
  source: z.optional(z.string()),
});

const other = fc.constantFrom(undefined, null, 1, '', 'X', [], {}, true);
const country = fc.oneof({ arbitrary: fc.constantFrom('FR', 'DE', 'US'), weight: 6 }, { arbitrary: fc.constantFrom('fr', 'USA', 'F', '', 7, null), weight: 2 });
const name = fc.oneof({ arbitrary: fc.constantFrom('Acme', 'Mistral AI'), weight: 6 }, { arbitrary: fc.constantFrom('', 3, undefined), weight: 1 });
const entity = fc.oneof(fc.record({ name, country, extra: fc.string() }, { requiredKeys: ['name', 'country'] }), other);
const facts = fc.oneof(
  { arbitrary: other, weight: 1 },
  {
    arbitrary: fc.record(
      {
        operator: fc.oneof(fc.record({ name, country, parents: fc.oneof(fc.array(entity, { maxLength: 2 }), other) }, { requiredKeys: [] }), other),
        hosting: fc.oneof(fc.array(country, { maxLength: 3 }), other),
        subprocessors: fc.oneof(fc.array(entity, { maxLength: 2 }), other),
        zeroRetention: fc.oneof(fc.boolean(), other),
        verifiedAt: fc.oneof(fc.string(), other),
        source: fc.oneof(fc.string(), other),
        note: fc.string(),
      },
      { requiredKeys: [] },
    ),
    weight: 8,
  },
);

describe('jurisdiction facts', () => {
  it('are judged the same with and without zod', () => {
    fc.assert(
      fc.property(facts, (value) => {
        const expected = jurisdictionSchema.safeParse(value, { error: englishMessages });
        const actual = s.safeParse(jurisdictionShape, value);
        expect(actual.success).toBe(expected.success);
        if (expected.success && actual.success) expect(actual.data).toStrictEqual(expected.data);
        if (!expected.success && !actual.success) {
          const issue = actual.issues[0]!;
          expect({ path: issue.path, message: s.messageOf(issue) }).toEqual({ path: expected.error.issues[0]!.path, message: expected.error.issues[0]!.message });
        }
      }),
      { numRuns: 2000 },
    );
  });
});
