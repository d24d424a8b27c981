import { describe, expect, it } from 'vitest';
import { RouterError } from '../errors.js';
import { anthropic } from '../catalog/presets/anthropic.js';
import { openaiCompatible } from '../providers/openai-compatible.js';
import { createRouter } from './create-router.js';
import type { RouterOptions } from './options.js';

const provider = openaiCompatible({ id: 'p', baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'm' }] });

function failure(options: unknown): RouterError {
  try {
    createRouter(options as RouterOptions);
  } catch (error) {
    if (RouterError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('createRouter accepted invalid options');
}

describe('createRouter options', () => {
  it.each([
    [{ providers: [provider], policy: 'eu-sovereing' }, 'policy', /options\.policy/],
    [{ providers: [provider], policy: { name: 'x', hosting: ['FRA'] } }, 'policy.hosting[0]', /options\.policy\.hosting\[0\]/],
    [{ providers: [provider], retry: { retries: -1 } }, 'retry.retries', /options\.retry\.retries/],
    [{ providers: [provider], timeoutMs: 0 }, 'timeoutMs', /options\.timeoutMs/],
    [{ providers: [provider], currency: 'euro' }, 'currency', /options\.currency/],
    [{ providers: [{ id: 'x' }] }, 'providers[0]', /options\.providers\[0\] must be a provider created by openaiCompatible\(\)/],
    [{ providers: [provider], tiemoutMs: 5 }, null, /tiemoutMs/],
    // A union says more than "Invalid input": what the value's own kind needed.
    [{ providers: [provider], policy: 'eu_sovereign' }, 'policy', /must be a preset \('eu-sovereign', 'eu-hosted', 'global'\) or a custom policy object/],
    [{ providers: [provider], policy: { name: 'x', hosting: 'eea' } }, 'policy.hosting', /must be 'EU', 'EEA' or a list of ISO country codes/],
    [{ providers: [provider], policy: { hosting: ['FR'] } }, 'policy.name', /a custom policy needs a name/],
    // Lower-case codes would be silently ignored by the exchange-rate lookup.
    [{ providers: [provider], fx: { usd: 1, eur: 1.1 } }, 'fx.usd', /upper-case ISO 4217 currency code/],
    // Node fires a timer of 2^31 ms or more at once.
    [{ providers: [provider], deadlineMs: 2 ** 31 }, 'deadlineMs', /at most 2147483647 ms/],
    [{ providers: [provider], streamIdleTimeoutMs: Number.MAX_SAFE_INTEGER }, 'streamIdleTimeoutMs', /at most 2147483647 ms/],
    // An empty label would stand in the audit records for the key (and count its budget) as "", naming no one.
    [{ providers: [provider], keys: { 'sk-a': { label: '' } } }, 'keys.<key>.label', /options\.keys\.<key>\.label/],
    // Less than one request (or token) a minute lets nothing through: the key could never call.
    [{ providers: [provider], keys: { 'sk-a': { rpm: 0.5 } } }, 'keys.<key>.rpm', /options\.keys\.<key>\.rpm must be at least 1/],
    [{ providers: [provider], keys: { 'sk-a': { tpm: 0.5 } } }, 'keys.<key>.tpm', /options\.keys\.<key>\.tpm must be at least 1/],
    // Its instruments are made after createRouter returns: a meter that cannot make them is refused now.
    [{ providers: [provider], telemetry: { meter: { createHistogram: () => ({}) } } }, 'telemetry.meter', /must be an OpenTelemetry Meter \(an object with createHistogram, createCounter and createObservableGauge\)/],
  ])('refuses %j with invalid_request naming the option', (options, param, message) => {
    const error = failure(options);
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
    // The ZodError is only ever the cause, never the public error.
    expect(error.name).not.toBe('ZodError');
  });

  describe('jurisdiction facts of providers not built by openaiCompatible()', () => {
    const completion = { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] };
    const custom = (jurisdiction: unknown) => ({
      specificationVersion: 'v1',
      id: 'my-adapter',
      jurisdiction,
      models: [{ id: 'm' }],
      doChat: async () => ({ completion }),
      doChatStream: async () => {
        throw new Error('not streamed in this test');
      },
    });
    const policy = { name: 'eu-hosted-no-us', hosting: 'EEA', allowUsControl: false };

    it.each([
      [{ operator: { name: 'Big Cloud Inc', country: 'USA' }, hosting: ['DE'] }, 'providers[1].jurisdiction.operator.country', /must be an ISO 3166-1 alpha-2 country code in capitals, e\.g\. FR/],
      [{ operator: { name: 'Big Cloud Inc' }, hosting: ['DE'] }, 'providers[1].jurisdiction.operator.country', /must be an ISO 3166-1 alpha-2 country code/],
      [{ operator: { name: 'Big Cloud Inc', country: 'IE', parents: [{ name: 'Big Cloud', country: 'us' }] }, hosting: ['DE'] }, 'providers[1].jurisdiction.operator.parents[0].country', /must be an ISO/],
      [{ operator: { name: 'Big Cloud Inc', country: 'IE' }, hosting: ['Germany'] }, 'providers[1].jurisdiction.hosting[0]', /must be an ISO/],
      [{ operator: { name: 'Big Cloud Inc', country: 'IE' } }, 'providers[1].jurisdiction.hosting', /options\.providers\[1\]\.jurisdiction\.hosting/],
    ])('refuses facts %j at createRouter, naming the fact', (jurisdiction, param, message) => {
      const error = failure({ providers: [provider, custom(jurisdiction)], policy });
      expect(error.code).toBe('invalid_request');
      expect(error.param).toBe(param);
      expect(error.message).toMatch(`createRouter: options.${param} `);
      expect(error.message).toMatch(message);
    });

    it('accepts valid facts and no facts, and routes by them', () => {
      const router = createRouter({ providers: [custom({ operator: { name: 'Big Cloud Inc', country: 'US', parents: [] }, hosting: ['DE'] }) as never], policy: policy as never });
      const explained = router.explain({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      expect(explained.candidates.map((candidate) => candidate.reasons)).toEqual([['operator Big Cloud Inc is US-controlled']]);
      expect(() => createRouter({ providers: [custom(undefined) as never] })).not.toThrow();
    });
  });

  // Declared on an adapter without the method, the capability passed createRouter and test keys,
  // then failed every real call with a 502.
  it.each([
    ['embeddings', 'doEmbed'],
    ['completions', 'doComplete'],
  ])('refuses a model offering %s on a provider that implements no %s, naming the model', (capability, method) => {
    const chatOnly = anthropic({ apiKey: 'sk-ant-test', models: [{ id: 'claude-haiku-4-5' }, { id: 'embed-x', capabilities: [capability as 'embeddings'] }] });
    const error = failure({ providers: [provider, chatOnly] });
    expect(error.code).toBe('invalid_request');
    const index = chatOnly.models.findIndex((offer) => offer.id === 'embed-x');
    expect(error.param).toBe(`providers[1].models[${index}].capabilities`);
    expect(error.message).toContain(`createRouter: options.providers[1].models[${index}].capabilities offers ${capability} for embed-x, but provider anthropic implements no ${method}`);
    // An adapter that implements it is accepted.
    expect(() => createRouter({ providers: [openaiCompatible({ id: 'q', baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'e', capabilities: [capability as 'embeddings'] }] })] })).not.toThrow();
  });

  it('never shows an API key in the error for a bad key option', () => {
    const error = failure({ providers: [provider], keys: { 'sk-live-secret-123': { policy: 'sovereign' } } });
    expect(error.param).toBe('keys.<key>.policy');
    expect(`${error.message} ${String(error.cause)}`).not.toContain('sk-live-secret-123');
  });

  it('refuses an unknown default strategy by name, listing the known ones', () => {
    expect(failure({ providers: [provider], strategy: 'cheapset' }).message).toMatch(/"cheapset" is unknown; use one of cheapest, fastest, balanced, quality/);
  });
});

describe('policy names', () => {
  it('refuses a custom policy that takes a preset name', () => {
    const error = failure({ providers: [provider], policy: { name: 'eu-sovereign', hosting: 'EEA' } });
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/custom policy named "eu-sovereign", which is a built-in preset; pass 'eu-sovereign' itself/);
    expect(failure({ providers: [provider], keys: { 'sk-a': { policy: { name: 'global', hosting: ['FR'] } } } }).param).toBe('keys.<key>.policy');
  });

  it('refuses two different policies under one name, and accepts the same one twice', () => {
    const team = { name: 'team-eu', hosting: ['FR', 'DE'] };
    expect(failure({ providers: [provider], policy: team, keys: { 'sk-a': { policy: { ...team, hosting: ['FR'] } } } }).message).toMatch(
      /"team-eu", which another policy already uses/,
    );
    expect(() => createRouter({ providers: [provider], policy: team, keys: { 'sk-a': { policy: { ...team } } } })).not.toThrow();
  });

  // A name read as something else in model strings would change what a model string means:
  // `eu-sovereign-cheapest/…` must keep narrowing to eu-sovereign.
  it.each([
    ['eu-sovereign-cheapest', /would be read as a \{jurisdiction\}-\{strategy\} name/],
    ['eu-hosted-fast', /would be read as a \{jurisdiction\}-\{strategy\} name/],
    ['cheapest', /would be read as a strategy/],
    ['auto', /would be read as the auto model class/],
    ['team/eu', /contains the model-string separator/],
  ])('refuses a custom policy named %s', (name, message) => {
    expect(failure({ providers: [provider], keys: { 'sk-a': { policy: { name, hosting: ['FR'] } } } }).message).toMatch(message);
    expect(failure({ providers: [provider], policy: { name, hosting: ['FR'] } }).message).toMatch(message);
  });

  it('refuses a custom policy named after another custom policy plus a strategy', () => {
    const error = failure({ providers: [provider], policy: { name: 'team', hosting: ['FR'] }, keys: { 'sk-a': { policy: { name: 'team-cheap', hosting: ['FR'] } } } });
    expect(error.message).toMatch(/"team-cheap" would be read as a \{jurisdiction\}-\{strategy\} name/);
  });
});
