import * as z from 'zod/mini';

/*
 * The router's `retry` and `limits` as zod schemas, for the configuration file's schema: the file
 * accepts exactly what createRouter does. createRouter checks the same rules without zod
 * (router/options.ts); router-schemas.test.ts holds the two to the same answers.
 */

/** Node's timers hold at most 2^31 - 1 ms; a longer one fires at once (with a warning). */
const maxTimerMs = 2_147_483_647;
const atMostTimer = () => z.maximum(maxTimerMs, `must be at most ${maxTimerMs} ms (about 24.8 days), the longest timer Node can set`);
const optionalMilliseconds = () => z.optional(z.number().check(z.minimum(0), atMostTimer()));
const optionalPositiveInteger = () => z.optional(z.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)));

/** `retry`. */
export const retryOptionsSchema = z.strictObject({
  retries: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(10))),
  minTimeoutMs: optionalMilliseconds(),
  maxTimeoutMs: optionalMilliseconds(),
  maxRetryAfterMs: optionalMilliseconds(),
});

/** `limits`. */
export const requestLimitsSchema = z.strictObject({
  maxBodyBytes: optionalPositiveInteger(),
  maxDepth: optionalPositiveInteger(),
  maxMessages: optionalPositiveInteger(),
  maxConversationTurns: optionalPositiveInteger(),
  maxTools: optionalPositiveInteger(),
  maxModelLength: optionalPositiveInteger(),
  maxRouteFieldLength: optionalPositiveInteger(),
  simulation: z.optional(
    z.strictObject({
      maxArrayItems: optionalPositiveInteger(),
      maxStringLength: optionalPositiveInteger(),
      maxObjectProperties: optionalPositiveInteger(),
      maxAnswerBytes: optionalPositiveInteger(),
    }),
  ),
});
