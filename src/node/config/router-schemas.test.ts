import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { englishMessages } from '../../internal/english-messages.js';
import { paramPath } from '../../internal/param-path.js';
import { createRouter } from '../../router/create-router.js';
import { RouterError } from '../../errors.js';
import { requestLimitsSchema, retryOptionsSchema } from './router-schemas.js';

/*
 * A configuration file's `retry` and `limits` are checked by zod schemas, createRouter's without
 * zod: the file must accept exactly what createRouter accepts, with the same words.
 */

const count = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 20 }), weight: 6 },
  { arbitrary: fc.constantFrom(-1, 0.5, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, NaN, Infinity, '3', null), weight: 3 },
);
const other = fc.constantFrom(undefined, null, 1, 'x', [], true);
const retry = fc.oneof(
  fc.record({ retries: count, minTimeoutMs: count, maxTimeoutMs: count, maxRetryAfterMs: count, extra: count }, { requiredKeys: [] }),
  other,
);
const limits = fc.oneof(
  fc.record(
    {
      maxBodyBytes: count,
      maxDepth: count,
      maxMessages: count,
      maxConversationTurns: count,
      maxTools: count,
      maxModelLength: count,
      maxRouteFieldLength: count,
      simulation: fc.oneof(fc.record({ maxArrayItems: count, maxStringLength: count, maxObjectProperties: count, maxAnswerBytes: count, extra: count }, { requiredKeys: [] }), other),
      extra: count,
    },
    { requiredKeys: [] },
  ),
  other,
);

/** createRouter's answer to one option: accepted, or its message. */
function routerAnswer(options: Record<string, unknown>): string | undefined {
  try {
    createRouter({ providers: [], ...options });
    return undefined;
  } catch (error) {
    if (!RouterError.isInstance(error)) throw error;
    return error.message;
  }
}

describe("the configuration file's retry and limits", () => {
  for (const [name, schema, values] of [
    ['retry', retryOptionsSchema, retry],
    ['limits', requestLimitsSchema, limits],
  ] as const) {
    it(`${name}: accepts and refuses what createRouter does, in the same words`, () => {
      fc.assert(
        fc.property(values, (value) => {
          const parsed = schema.safeParse(value, { error: englishMessages });
          const answer = routerAnswer({ [name]: value });
          if (parsed.success || value === undefined) expect(answer).toBeUndefined();
          else {
            const issue = parsed.error.issues[0]!;
            const where = paramPath(issue.path);
            expect(answer).toBe(`createRouter: options.${name}${where === '' ? '' : where.startsWith('[') ? where : `.${where}`} ${issue.message}`);
          }
        }),
        { numRuns: 1000 },
      );
    });
  }
});
