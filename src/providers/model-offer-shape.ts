import * as s from '../internal/shape/index.js';
import type { ModelOffer } from './types.js';

/** One `ModelOffer`; unknown extra fields are kept. */
export const modelOfferShape = s.looseObject({
  id: s.string(s.minLength(1, 'must not be empty')),
  native: s.optional(s.string(s.minLength(1, 'must not be empty'))),
  price: s.optional(
    s.looseObject({
      input: s.number(s.nonnegative('must be a price per 1M tokens, 0 or more')),
      output: s.number(s.nonnegative('must be a price per 1M tokens, 0 or more')),
      cachedInput: s.optional(s.number(s.nonnegative('must be a price per 1M tokens, 0 or more'))),
      cacheWrite: s.optional(s.number(s.nonnegative('must be a price per 1M tokens, 0 or more'))),
      currency: s.oneOf(['EUR', 'USD', 'CHF'], 'must be EUR, USD or CHF'),
    }),
  ),
  context: s.optional(s.number(s.int(), s.positive('must be a positive number of tokens'))),
  capabilities: s.optional(s.array(s.oneOf(['chat', 'tools', 'vision', 'json', 'embeddings', 'completions']))),
  quality: s.optional(s.number(s.minimum(0, 'must be between 0 and 1'), s.maximum(1, 'must be between 0 and 1'))),
  streaming: s.optional(s.boolean()),
  priceAsOf: s.optional(s.string()),
});

/** A deployment's `models`: each offer checked, no id twice. */
export const modelOffersShape = s.array(modelOfferShape, (models: ModelOffer[], issues: s.Issue[]) => {
  const seen = new Map<string, number>();
  models.forEach((model, index) => {
    const first = seen.get(model.id);
    if (first === undefined) seen.set(model.id, index);
    else issues.push({ code: 'custom', path: [index, 'id'], message: `duplicates models[${first}].id`, continue: true });
  });
});

/** Type errors in the words of an options check (`is required`, `must be a string`); zod's English for the rest. */
export function describeOptionIssue(issue: s.Issue): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'is required';
  const expected = String(issue.expected);
  return `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
}
