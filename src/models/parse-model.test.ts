import { describe, expect, it } from 'vitest';
import { createRouter } from '../router/create-router.js';
import { openaiCompatible } from '../providers/openai-compatible.js';
import { RouterError } from '../errors.js';
import { parseModel, type ModelVocabulary, type RouteSpec } from './parse-model.js';

const served: Record<string, string[]> = {
  'mistral-ai': ['mistral-large-latest', 'mistral-small-latest'],
  groq: ['openai/gpt-oss-120b', 'llama-3.3-70b-versatile'],
  openai: ['gpt-4o'],
  scaleway: ['llama-3.3-70b-instruct', 'gpt-oss-120b'],
  together: ['meta-llama/Llama-3.3-70B-Instruct-Turbo'],
};
const allModels = new Set(Object.values(served).flat().map((model) => model.toLowerCase()));
const strategies: Record<string, string> = { cheapest: 'cheapest', fastest: 'fastest', balanced: 'balanced', quality: 'quality', cheap: 'cheapest', fast: 'fastest' };

const vocabulary: ModelVocabulary = {
  hasProvider: (id) => id in served,
  providerServes: (provider, model) => served[provider]?.some((entry) => entry.toLowerCase() === model.toLowerCase()) ?? false,
  isKnownModel: (model) => allModels.has(model.toLowerCase()),
  isListedModel: (model) => allModels.has(model.toLowerCase()),
  hasJurisdiction: (name) => ['eu-sovereign', 'eu-hosted', 'global', 'team-policy'].includes(name),
  strategy: (name) => strategies[name],
  describe: () => ({ providers: Object.keys(served), jurisdictions: ['eu-sovereign', 'eu-hosted', 'global'], strategies: ['cheapest'] }),
};

const valid: [string, RouteSpec][] = [
  ['mistral-ai/mistral-large-latest', { tier: '1', provider: 'mistral-ai', model: 'mistral-large-latest' }],
  ['openai/gpt-4o', { tier: '1', provider: 'openai', model: 'gpt-4o' }],
  ['groq/openai/gpt-oss-120b', { tier: '1', provider: 'groq', model: 'openai/gpt-oss-120b' }],
  ['together/meta-llama/Llama-3.3-70B-Instruct-Turbo', { tier: '1', provider: 'together', model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo' }],
  // A provider prefix whose provider lacks the model, but the whole string is a known native id.
  ['openai/gpt-oss-120b', { tier: 'pinned', model: 'openai/gpt-oss-120b' }],
  // Tier 1 for a model the provider does not list stays tier 1 (and fails later as model_not_found).
  ['openai/gpt-5-unknown', { tier: '1', provider: 'openai', model: 'gpt-5-unknown' }],
  ['eu-sovereign/llama-3.3-70b-instruct', { tier: '2', jurisdiction: 'eu-sovereign', model: 'llama-3.3-70b-instruct' }],
  ['eu-hosted/gpt-4o', { tier: '2', jurisdiction: 'eu-hosted', model: 'gpt-4o' }],
  ['global/openai/gpt-oss-120b', { tier: '2', jurisdiction: 'global', model: 'openai/gpt-oss-120b' }],
  ['team-policy/gpt-4o', { tier: '2', jurisdiction: 'team-policy', model: 'gpt-4o' }],
  ['eu-hosted-cheapest/gpt-4o', { tier: '2+', jurisdiction: 'eu-hosted', strategy: 'cheapest', model: 'gpt-4o' }],
  ['eu-sovereign-fastest/llama-3.3-70b-instruct', { tier: '2+', jurisdiction: 'eu-sovereign', strategy: 'fastest', model: 'llama-3.3-70b-instruct' }],
  ['global-quality/meta-llama/Llama-3.3-70B-Instruct-Turbo', { tier: '2+', jurisdiction: 'global', strategy: 'quality', model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo' }],
  ['eu-hosted-cheap/gpt-4o', { tier: '2+', jurisdiction: 'eu-hosted', strategy: 'cheapest', model: 'gpt-4o' }],
  ['eu-sovereign/cheapest', { tier: '3', jurisdiction: 'eu-sovereign', strategy: 'cheapest' }],
  ['eu-hosted/fastest', { tier: '3', jurisdiction: 'eu-hosted', strategy: 'fastest' }],
  ['global/balanced', { tier: '3', jurisdiction: 'global', strategy: 'balanced' }],
  ['eu-sovereign/quality', { tier: '3', jurisdiction: 'eu-sovereign', strategy: 'quality' }],
  ['eu-sovereign/fast', { tier: '3', jurisdiction: 'eu-sovereign', strategy: 'fastest' }],
  ['auto', { tier: 'auto' }],
  ['auto:cheap', { tier: 'auto', strategy: 'cheapest' }],
  ['auto:fast', { tier: 'auto', strategy: 'fastest' }],
  ['auto:quality', { tier: 'auto', strategy: 'quality' }],
  ['gpt-4o', { tier: 'pinned', model: 'gpt-4o' }],
  ['llama-3.3-70b-instruct', { tier: 'pinned', model: 'llama-3.3-70b-instruct' }],
  ['meta-llama/Llama-3.3-70B-Instruct-Turbo', { tier: 'pinned', model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo' }],
  ['some-unknown-model', { tier: 'pinned', model: 'some-unknown-model' }],
];

const invalid: [string, 'invalid_request' | 'model_not_found', RegExp][] = [
  ['', 'invalid_request', /must not be empty/],
  [' gpt-4o', 'invalid_request', /whitespace/],
  ['auto:slow', 'invalid_request', /unknown auto class "auto:slow"/],
  ['auto:', 'invalid_request', /unknown auto class/],
  ['mistral-ai/', 'invalid_request', /empty part/],
  ['/gpt-4o', 'invalid_request', /empty part/],
  ['eu-sovereign/', 'invalid_request', /empty part/],
  ['eu-sovereign//gpt-4o', 'invalid_request', /empty part/],
  ['eu-hosted-cheapest/fastest', 'invalid_request', /names a strategy twice/],
  ['unknown-provider/gpt-4o', 'model_not_found', /"unknown-provider" is not a provider/],
  ['eu-hosted-cheapset/gpt-4o', 'model_not_found', /not a provider .* a jurisdiction/],
  ['us-only/llama', 'model_not_found', /no provider serves a model with that id/],
];

describe('parseModel', () => {
  it.each(valid)('parses %j', (model, expected) => {
    expect(parseModel(model, vocabulary)).toEqual(expected);
  });

  it.each(invalid)('rejects %j with %s', (model, code, message) => {
    let caught: unknown;
    try {
      parseModel(model, vocabulary);
    } catch (error) {
      caught = error;
    }
    expect(RouterError.isInstance(caught)).toBe(true);
    expect((caught as RouterError).code).toBe(code);
    expect((caught as RouterError).param).toBe('model');
    expect((caught as RouterError).message).toMatch(message);
  });

  it('covers at least 30 cases', () => {
    expect(valid.length + invalid.length).toBeGreaterThanOrEqual(30);
  });
});

describe('provider ids that collide with model-string names', () => {
  const provider = (id: string) => openaiCompatible({ id, baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'm' }] });

  it.each([
    ['eu-sovereign', /collides with a jurisdiction/],
    ['global', /collides with a jurisdiction/],
    ['cheapest', /collides with a strategy/],
    ['cheap', /collides with a strategy/],
    ['auto', /collides with the auto model class/],
    ['eu-hosted-cheapest', /collides with a \{jurisdiction\}-\{strategy\} name/],
  ])('refuses provider id %j at createRouter', (id, message) => {
    expect(() => createRouter({ providers: [provider(id)] })).toThrow(message);
  });

  it('refuses two providers with one id', () => {
    expect(() => createRouter({ providers: [provider('a'), provider('a')] })).toThrow(/collides with another provider/);
  });

  it('refuses a custom policy name used as a provider id', () => {
    expect(() => createRouter({ providers: [provider('team-eu')], policy: { name: 'team-eu', hosting: 'EU' } })).toThrow(
      /collides with a jurisdiction/,
    );
  });
});

describe('parseModel on long strings', () => {
  /** The vocabulary above, adding up the characters of every name it is asked to look up. */
  function countingVocabulary(): { vocabulary: ModelVocabulary; characters: () => number } {
    let characters = 0;
    const counted = <A extends unknown[], R>(method: (...args: A) => R) => (...args: A): R => {
      for (const argument of args) if (typeof argument === 'string') characters += argument.length;
      return method(...args);
    };
    return {
      vocabulary: {
        hasProvider: counted(vocabulary.hasProvider),
        providerServes: counted(vocabulary.providerServes),
        isKnownModel: counted(vocabulary.isKnownModel),
        isListedModel: counted(vocabulary.isListedModel),
        hasJurisdiction: counted(vocabulary.hasJurisdiction),
        strategy: counted(vocabulary.strategy),
        describe: vocabulary.describe,
      },
      characters: () => characters,
    };
  }

  // Each lookup hashes its name: what it is handed is what parsing costs. Trying every dash of a
  // prefix made of dashes handed over the rest of the string each time, its length squared.
  it.each([
    ['dashes before a slash', (length: number) => `${'-'.repeat(length)}/x`],
    ['a jurisdiction then dashes', (length: number) => `eu-hosted-${'-'.repeat(length)}/x`],
    ['word-dash pairs', (length: number) => `${'a-'.repeat(length / 2)}/x`],
  ])('looks up names of linear total length for %s (100,000 and 200,000 characters)', (_name, model) => {
    for (const length of [100_000, 200_000]) {
      const { vocabulary: counting, characters } = countingVocabulary();
      expect(() => parseModel(model(length), counting)).toThrow(RouterError);
      expect(characters()).toBeLessThan(4 * length + 1000);
    }
  });

  it('still splits {jurisdiction}-{strategy} on the longest jurisdiction that fits', () => {
    const withPrefix: ModelVocabulary = { ...vocabulary, describe: () => ({ ...vocabulary.describe(), jurisdictions: ['eu', 'eu-hosted'] }), hasJurisdiction: (name) => ['eu', 'eu-hosted'].includes(name) };
    expect(parseModel('eu-hosted-cheap/gpt-4o', withPrefix)).toEqual({ tier: '2+', jurisdiction: 'eu-hosted', strategy: 'cheapest', model: 'gpt-4o' });
    expect(parseModel('eu-fast/gpt-4o', withPrefix)).toEqual({ tier: '2+', jurisdiction: 'eu', strategy: 'fastest', model: 'gpt-4o' });
  });
});
