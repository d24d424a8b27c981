import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { englishMessages } from '../internal/english-messages.js';
import { paramPath } from '../internal/param-path.js';
import { RouterError } from '../errors.js';
import { anthropicMessagesProvider } from './anthropic/messages-provider.js';
import { openaiClient } from './openai-client.js';
import { openaiCompatible } from './openai-compatible.js';
import { credentialsInURL } from './redact.js';

/*
 * Provider options are checked without zod, so that an app's start-up bundle carries none, with
 * the answers and words of the zod schemas they were checked with before (below, as they were):
 * the same options get the same refusal from openaiCompatible(), openaiClient() and the
 * Anthropic adapter.
 */

const modelOfferSchema = z.looseObject({
  id: z.string().check(z.minLength(1, 'must not be empty')),
  native: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  price: z.optional(
    z.looseObject({
      input: z.number().check(z.nonnegative('must be a price per 1M tokens, 0 or more')),
      output: z.number().check(z.nonnegative('must be a price per 1M tokens, 0 or more')),
      cachedInput: z.optional(z.number().check(z.nonnegative('must be a price per 1M tokens, 0 or more'))),
      cacheWrite: z.optional(z.number().check(z.nonnegative('must be a price per 1M tokens, 0 or more'))),
      currency: z.enum(['EUR', 'USD', 'CHF'], 'must be EUR, USD or CHF'),
    }),
  ),
  context: z.optional(z.number().check(z.int(), z.positive('must be a positive number of tokens'))),
  capabilities: z.optional(z.array(z.enum(['chat', 'tools', 'vision', 'json', 'embeddings', 'completions']))),
  quality: z.optional(z.number().check(z.minimum(0, 'must be between 0 and 1'), z.maximum(1, 'must be between 0 and 1'))),
  streaming: z.optional(z.boolean()),
  priceAsOf: z.optional(z.string()),
});
const modelOffersSchema = z.array(modelOfferSchema).check(
  z.superRefine((models, context) => {
    const seen = new Map<string, number>();
    models.forEach((model, index) => {
      const first = seen.get(model.id);
      if (first === undefined) seen.set(model.id, index);
      else context.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicates models[${first}].id` });
    });
  }),
);
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_type') return englishMessages(issue) as string | undefined;
  if (issue.input === undefined) return 'is required';
  const expected = String(issue.expected);
  return `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
}
const anthropicSchema = z.looseObject({
  id: z.string().check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. anthropic')),
  baseURL: z.url({ protocol: /^https?$/, error: 'must be a URL (http or https), e.g. https://api.anthropic.com' }).check(
    z.superRefine((value, context) => {
      const problem = credentialsInURL(value);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem, input: undefined });
    }),
  ),
  models: z.array(modelOfferSchema),
  defaultMaxTokens: z.number().check(z.int('must be a whole number of tokens'), z.positive('must be a positive number of tokens')),
  maxResponseBytes: z.optional(z.number().check(z.int('must be a whole number of bytes'), z.positive('must be a positive number of bytes'))),
});

const other = fc.constantFrom(undefined, null, 1, '', [], {}, true, 'x');
const id = fc.oneof({ arbitrary: fc.constantFrom('m', 'n', 'mistral-large'), weight: 6 }, { arbitrary: fc.constantFrom('', 3, null), weight: 1 });
const number = fc.oneof({ arbitrary: fc.double({ min: 0, max: 10, noNaN: true }), weight: 5 }, { arbitrary: fc.constantFrom(-1, 0, 0.5, 1, 1.5, 4096, 2 ** 53, NaN, '1'), weight: 2 });
const offer = fc.oneof(
  {
    arbitrary: fc.record(
      {
        id,
        native: fc.oneof(id, other),
        price: fc.oneof(fc.record({ input: number, output: number, cachedInput: fc.oneof(number, other), cacheWrite: fc.oneof(number, other), currency: fc.constantFrom('EUR', 'USD', 'CHF', 'GBP', 1) }, { requiredKeys: [] }), other),
        context: fc.oneof(number, other),
        capabilities: fc.oneof(fc.array(fc.constantFrom('chat', 'tools', 'vision', 'json', 'embeddings', 'completions', 'audio'), { maxLength: 3 }), other),
        quality: fc.oneof(number, other),
        streaming: fc.oneof(fc.boolean(), other),
        priceAsOf: fc.oneof(fc.string(), other),
        extra: fc.string(),
      },
      { requiredKeys: ['id'] },
    ),
    weight: 8,
  },
  { arbitrary: other, weight: 1 },
);
const models = fc.oneof({ arbitrary: fc.array(offer, { maxLength: 3 }), weight: 8 }, { arbitrary: other, weight: 1 });
const url = fc.oneof(
  { arbitrary: fc.constantFrom('https://api.anthropic.com', 'http://127.0.0.1:8080/v1'), weight: 4 },
  { arbitrary: fc.constantFrom(' https://a.invalid ', 'HTTPS://A.INVALID', 'https:/a.invalid', 'http:a.invalid', 'ftp://a.invalid', 'https://', 'https://u:p@a.invalid', 'https://a.invalid/\n', 'api.anthropic.com', 'https://a b', 7), weight: 3 },
);

/** The message of the refusal `make` throws, or undefined when it accepts. */
function refusal(make: () => unknown): string | undefined {
  try {
    make();
    return undefined;
  } catch (error) {
    if (!RouterError.isInstance(error)) throw error;
    return error.message;
  }
}

describe('provider options checked without zod', () => {
  it('openaiCompatible() and openaiClient() refuse models as the zod schema did', () => {
    const create = async () => ({});
    const client = { chat: { completions: { create } }, completions: { create }, embeddings: { create } };
    fc.assert(
      fc.property(models, (value) => {
        const parsed = modelOffersSchema.safeParse(value, { error: describeIssue });
        const where = parsed.success ? '' : paramPath(['models', ...parsed.error.issues[0]!.path]);
        const words = parsed.success ? undefined : `${where} ${parsed.error.issues[0]!.message}`;
        expect(refusal(() => openaiCompatible({ id: 'p', baseURL: 'https://llm.invalid/v1', models: value as never }))).toBe(words && `openaiCompatible: ${words}`);
        expect(refusal(() => openaiClient(client as never, { id: 'p', models: value as never }))).toBe(words && `openaiClient: ${words}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('the Anthropic adapter refuses its settings as the zod schema did', () => {
    const settings = fc.record({ id: fc.oneof(id, fc.constantFrom('Anthropic', 'a--b')), baseURL: url, models: fc.oneof(fc.array(offer, { maxLength: 2 }), other), defaultMaxTokens: number, maxResponseBytes: fc.oneof(number, other) }, { requiredKeys: ['id', 'baseURL', 'models', 'defaultMaxTokens'] });
    fc.assert(
      fc.property(settings, (value) => {
        const parsed = anthropicSchema.safeParse(value, { error: englishMessages });
        const issue = parsed.success ? undefined : parsed.error.issues[0]!;
        const answer = refusal(() => anthropicMessagesProvider({ apiKey: 'k', jurisdiction: undefined, ...value } as never));
        expect(answer).toBe(issue && `anthropic: ${issue.path.join('.') || 'options'} ${issue.message}`);
      }),
      { numRuns: 2000 },
    );
  });
});
