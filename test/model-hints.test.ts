import { describe, expect, it } from 'vitest';
import { createRouter, defaultCatalog, RouterError } from '../src/index.js';
import { closestName } from '../src/models/suggest.js';

/* A model nobody serves is a 404 that says what the caller probably meant. */

const router = createRouter({ providers: defaultCatalog(), policy: 'global' });
const messages = [{ role: 'user' as const, content: 'x' }];

function notFound(model: string): RouterError {
  try {
    router.explain({ model, messages });
  } catch (error) {
    if (RouterError.isInstance(error)) return error;
  }
  throw new Error(`expected ${model} to be refused`);
}

describe('a model nobody serves', () => {
  it.each([
    ['eu-sovereign/cheapestt', /for any model ranked by a strategy, use "eu-sovereign\/cheapest"$/],
    ['eu-sovereign/auto', /for any model ranked by a strategy, use "eu-sovereign\/balanced"$/],
    ['eu-sovereign/Auto', /for any model ranked by a strategy, use "eu-sovereign\/balanced"$/],
    ['llama-3.3-70b-instruc', /did you mean "llama-3\.3-70b-instruct"\?$/],
    ['eu-hosted/gpt-oss-120', /did you mean "eu-hosted\/gpt-oss-120b"\?$/],
    ['eu-hosted-cheapest/gpt-oss-120', /did you mean "eu-hosted-cheapest\/gpt-oss-120b"\?$/],
    ['totally-unknown-model', /\(add it to a provider's models to use it\)$/],
    ['eu-sovereing/llama-3.3-70b-instruct', /did you mean "eu-sovereign\/llama-3\.3-70b-instruct"\?$/],
    ['eu-hosted-cheapst/gpt-oss-120b', /did you mean "eu-hosted-cheapest\/gpt-oss-120b"\?$/],
    ['eu-hosted-Fastest/gpt-oss-120b', /did you mean "eu-hosted-fastest\/gpt-oss-120b"\?$/],
    ['eu-hostd-cheapest/gpt-oss-120b', /did you mean "eu-hosted-cheapest\/gpt-oss-120b"\?$/],
  ])('%s: model_not_found, with a hint', (model, hint) => {
    const error = notFound(model);
    expect(error).toMatchObject({ code: 'model_not_found', status: 404, param: 'model' });
    expect(error.message).toMatch(hint);
  });
});

describe('a route.objective that is no strategy', () => {
  it.each([
    ['fastes', 'fastest'],
    ['Cheapest', 'cheapest'],
    ['balance', 'balanced'],
  ])('%s: a 400 on route.objective that says what was meant', (objective, meant) => {
    let error: unknown;
    try {
      router.explain({ model: 'auto', messages, route: { objective } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ status: 400, param: 'route.objective' });
    expect((error as Error).message).toContain(`route.objective "${objective}" is not a strategy; did you mean "${meant}"?`);
  });
});

describe('closestName', () => {
  it('finds a name within a few edits, case aside, and nothing farther', () => {
    expect(closestName('Cheapst', ['cheapest', 'fastest'])).toBe('cheapest');
    expect(closestName('gpt-4', ['gpt-4o', 'gpt-4o-mini'])).toBe('gpt-4o');
    expect(closestName('mistral', ['cheapest', 'fastest'])).toBeUndefined();
    expect(closestName('abc', ['abd', 'xyz'])).toBe('abd');
    expect(closestName('abc', ['axy'])).toBeUndefined();
  });
});
