import fc from 'fast-check';
import type { JurisdictionFacts, JurisdictionPolicy, ModelOffer, Provider, RouteOptions } from '../../src/index.js';
import { specifiedPresets } from './policy-oracle.js';
import type { Outcome } from './scripted-upstream.js';

/*
 * Random scenarios for the policy property test: a catalogue of deployments with random facts
 * (some missing), the router's policy and a scoped key's (presets or custom), failure scripts
 * per deployment, and a few requests with random model strings, endpoints and route options.
 * The weights keep most scenarios routable, so that calls happen and fallbacks are exercised.
 */

const countries = ['FR', 'DE', 'SE', 'IE', 'NL', 'NO', 'IS', 'IT', 'CH', 'GB', 'US', 'CA', 'SA'] as const;
const providerIds = ['p-alpha', 'p-beta', 'p-gamma', 'p-delta', 'p-epsilon'] as const;
export const presetIds = ['scaleway', 'groq', 'azure-openai', 'nebius', 'mistral-ai', 'regolo'] as const;
const canonical = ['llama-3.3-70b-instruct', 'gpt-oss-120b', 'mistral-small-4', 'embed-x'] as const;
const natives = ['meta-llama/Llama-3.3-70B-Instruct', 'llama-3.3-70b-versatile', 'openai/gpt-oss-120b', 'Mistral-Small-4'] as const;
const strategies = ['cheapest', 'fastest', 'balanced', 'quality', 'cheap'] as const;
const outcomes: Outcome[] = ['ok', 'server-error', 'rate-limit', 'rate-limit-long', 'bad-request', 'unauthorized', 'reset', 'timeout', 'stream-cut'];

/** An object without the keys whose value is undefined (exactOptionalPropertyTypes). */
export function defined<T extends object>(value: { [Key in keyof T]?: T[Key] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

const eea = countries.filter((code) => !['CH', 'GB', 'US', 'CA', 'SA'].includes(code));
// Mostly EEA countries, so that strict policies still admit some deployments.
const country = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...eea) }, { weight: 1, arbitrary: fc.constantFrom(...countries) });
/** Undefined most of the time, so that random policies are not all maximally strict. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
const entity = fc.record({ name: fc.constantFrom('Alpha SAS', 'Beta GmbH', 'Gamma Inc', 'Delta BV'), country });
const facts: fc.Arbitrary<JurisdictionFacts | undefined> = fc.option(
  fc
    .record({
      name: fc.constantFrom('Operator SAS', 'Operator Inc', 'Operator AB'),
      country,
      // Undeclared parents are an unknown chain, which operator and US-control policies refuse.
      parents: fc.option(fc.array(entity, { maxLength: 2 }), { nil: undefined }),
      // Empty hosting means unknown: sometimes, not as often as fast-check's bias to small arrays would make it.
      hosting: fc.oneof({ weight: 4, arbitrary: fc.uniqueArray(country, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant<string[]>([]) }),
      subprocessors: fc.option(fc.array(entity, { maxLength: 2 }), { nil: undefined }),
      zeroRetention: fc.option(fc.boolean(), { nil: undefined }),
    })
    .map(({ name, country: home, parents, hosting, subprocessors, zeroRetention }) =>
      defined<JurisdictionFacts>({ operator: defined<JurisdictionFacts['operator']>({ name, country: home, parents }), hosting, subprocessors, zeroRetention }),
    ),
  { nil: undefined, freq: 5 },
);

const offer: fc.Arbitrary<ModelOffer> = fc
  .record({
    id: fc.constantFrom(...canonical),
    native: fc.option(fc.constantFrom(...natives), { nil: undefined }),
    price: fc.option(fc.record({ input: fc.double({ min: 0, max: 5, noNaN: true }), output: fc.double({ min: 0, max: 5, noNaN: true }), currency: fc.constantFrom('EUR' as const, 'USD' as const) }), { nil: undefined }),
    extra: fc.subarray(['tools', 'completions'] as const),
  })
  .map(({ id, native, price, extra }) =>
    defined<ModelOffer>({ id, native, price, capabilities: id === 'embed-x' ? ['embeddings'] : ['chat', ...extra] }),
  );

const providerList = (maxLength: number) => fc.uniqueArray(fc.constantFrom(...providerIds, ...presetIds), { maxLength });
const countryList = fc.oneof(fc.constantFrom('EU' as const, 'EEA' as const), fc.uniqueArray(country, { minLength: 1, maxLength: 4 }));

const customPolicy = (name: string): fc.Arbitrary<JurisdictionPolicy> =>
  fc
    .record({
      hosting: sometimes(countryList),
      operator: sometimes(countryList),
      allowUsControl: sometimes(fc.boolean()),
      allowUsSubprocessors: sometimes(fc.boolean()),
      allow: sometimes(providerList(6)),
      deny: sometimes(providerList(2)),
      zeroRetention: sometimes(fc.boolean()),
    })
    .map(({ allow, deny, ...rest }) =>
      defined<JurisdictionPolicy>({ name, ...rest, providers: allow || deny ? defined<NonNullable<JurisdictionPolicy['providers']>>({ allow, deny }) : undefined }),
    );

const policy = (customName: string) =>
  fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...Object.values(specifiedPresets)) }, { weight: 1, arbitrary: customPolicy(customName) });

const script = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...outcomes), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constant<Outcome[]>(Array.from({ length: 12 }, () => 'server-error')) }, // an "open circuit"
);

export const scenario = fc.record({
  custom: fc.uniqueArray(fc.record({ id: fc.constantFrom(...providerIds), facts, models: fc.uniqueArray(offer, { minLength: 1, maxLength: 4, selector: (entry) => entry.id }) }), {
    minLength: 1,
    maxLength: 5,
    selector: (entry) => entry.id,
  }),
  presets: fc.subarray([...presetIds], { maxLength: 3 }),
  scripts: fc.dictionary(fc.constantFrom(...providerIds, ...presetIds), script),
  routerPolicy: policy('custom-router'),
  keyPolicy: fc.option(policy('custom-key'), { nil: undefined, freq: 2 }),
  keyName: fc.constantFrom('sk-key-1', 'sk-key-1', 'test-key-1'),
  routerKey: fc.constantFrom('sk-router', 'sk-router', 'test-router'),
  retries: fc.integer({ min: 0, max: 2 }),
  requests: fc.array(
    fc.record({
      endpoint: fc.constantFrom('chat', 'chat', 'stream', 'embeddings', 'completions'),
      caller: fc.constantFrom('router', 'router', 'key', 'key', 'stranger'),
      form: fc.constantFrom('tier1', 'tier2', 'tier2+', 'tier3', 'auto', 'pinned', 'native'),
      /** Picks a configured provider for tier 1; sometimes one that is not configured. */
      provider: fc.oneof({ weight: 4, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.constantFrom(...providerIds, ...presetIds) }),
      jurisdiction: fc.constantFrom('eu-sovereign', 'eu-hosted', 'global', 'eu-sovereign', 'eu-hosted', 'global', 'custom-router', 'custom-key'),
      /** Picks a model the catalogue serves (by canonical or native id); sometimes any id at all. */
      model: fc.oneof({ weight: 4, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.constantFrom(...canonical, ...natives, 'no-such-model') }),
      strategy: fc.constantFrom(...strategies),
      tools: fc.constantFrom(false, false, false, true),
      route: sometimes(
        fc
          .record({
            only: sometimes(providerList(3)),
            ignore: sometimes(providerList(2)),
            order: sometimes(providerList(3)),
            allow_fallbacks: sometimes(fc.boolean()),
          })
          .map((route) => defined<NonNullable<RouteOptions>>(route)),
      ),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

export type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
export type RequestSpec = Scenario['requests'][number];

/** The model id a request names: one the catalogue serves for its endpoint when it can. */
function pickModel(request: RequestSpec, providers: readonly Provider[], native: boolean): string {
  if (typeof request.model === 'string') return request.model;
  const capability = request.endpoint === 'embeddings' ? 'embeddings' : request.endpoint === 'completions' ? 'completions' : 'chat';
  const offers = providers.flatMap((provider) => provider.models);
  const fitting = offers.filter((offer) => offer.capabilities?.includes(capability) ?? capability === 'chat');
  const pool = fitting.length > 0 ? fitting : offers;
  const offer = pool[request.model % Math.max(pool.length, 1)];
  if (offer === undefined) return 'no-such-model';
  return native && offer.native !== undefined ? offer.native : offer.id;
}

export function modelString(request: RequestSpec, providers: readonly Provider[]): { model: string; jurisdiction: string | undefined } {
  switch (request.form) {
    case 'tier1': {
      if (typeof request.provider === 'string' || providers.length === 0) {
        return { model: `${String(request.provider)}/${pickModel(request, providers, false)}`, jurisdiction: undefined };
      }
      const provider = providers[request.provider % providers.length]!;
      const offer = provider.models[request.provider % provider.models.length]!;
      return { model: `${provider.id}/${offer.id}`, jurisdiction: undefined };
    }
    case 'tier2':
      return { model: `${request.jurisdiction}/${pickModel(request, providers, false)}`, jurisdiction: request.jurisdiction };
    case 'tier2+':
      return { model: `${request.jurisdiction}-${request.strategy}/${pickModel(request, providers, false)}`, jurisdiction: request.jurisdiction };
    case 'tier3':
      return { model: `${request.jurisdiction}/${request.strategy}`, jurisdiction: request.jurisdiction };
    case 'auto':
      return { model: request.strategy === 'balanced' ? 'auto' : 'auto:cheap', jurisdiction: undefined };
    case 'pinned':
      return { model: pickModel(request, providers, false), jurisdiction: undefined };
    case 'native':
      return { model: pickModel(request, providers, true), jurisdiction: undefined };
  }
}

