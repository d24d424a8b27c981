import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { catalogPresets } from '../src/catalog/default-catalog.js';
import { azureOpenAI, bedrock, createRouter, defaultCatalog, memoryAudit, openai, openaiCompatible, RouterError, type Provider } from '../src/index.js';
import { anyUpstream, stubPresetKeys } from './helpers/catalog.js';
import { mockServer } from './helpers/msw.js';
import { rejection } from './helpers/rejection.js';

/* Embeddings, legacy completions and the model listing obey the same policy as chat. */

const upstream = mockServer();

afterEach(() => {
  vi.unstubAllEnvs();
});

function router(policy: 'eu-sovereign' | 'eu-hosted' | 'global', apiKey?: string) {
  return createRouter({
    providers: defaultCatalog({ azureOpenAI: { resource: 'contoso-eu' } }),
    policy,
    strategy: 'cheapest',
    retry: { retries: 0 },
    ...(apiKey ? { apiKey } : {}),
  });
}

const hosts = () => upstream.requests.map((sent) => new URL(sent.url).host);

describe('embeddings', () => {
  it('go only to deployments the policy admits, even when a cheaper one is excluded', async () => {
    stubPresetKeys();
    upstream.use(...anyUpstream);
    // Nebius is ten times cheaper for qwen3-embedding-8b, but its serverless hosting is not EU-only.
    const response = await router('eu-sovereign').embeddings.create({ model: 'qwen3-embedding-8b', input: 'contract clause' });
    const sovereignHosts = { scaleway: 'api.scaleway.ai', regolo: 'api.regolo.ai', evroc: 'models.think.evroc.com' };
    expect(Object.keys(sovereignHosts)).toContain(response.provider);
    expect(hosts()).toEqual([sovereignHosts[response.provider as keyof typeof sovereignHosts]]);
    const global = await router('global').embeddings.create({ model: 'qwen3-embedding-8b', input: 'contract clause' });
    expect(global.provider).toBe('nebius');
  });

  it('refuse a tier-1 request for an excluded provider, and a model only excluded providers serve', async () => {
    const refused = await rejection(router('eu-sovereign').embeddings.create({ model: 'nebius/qwen3-embedding-8b', input: 'x' }));
    expect(refused).toMatchObject({ code: 'policy_violation', status: 403 });
    const none = await rejection(router('eu-sovereign').embeddings.create({ model: 'text-embedding-3-small', input: 'x' }));
    expect(none.code).toBe('no_eligible_provider');
    expect(none.message).toContain('azure-openai/text-embedding-3-small: parent Microsoft Corporation is in US');
    expect(upstream.requests).toHaveLength(0);
  });

  it('reach Azure’s EU data zone under eu-hosted, and never OpenAI’s global API', async () => {
    stubPresetKeys();
    upstream.use(...anyUpstream);
    const response = await router('eu-hosted').embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(response.provider).toBe('azure-openai');
    expect(hosts()).toEqual(['contoso-eu.openai.azure.com']);
  });
});

describe('legacy completions', () => {
  it('go only to admitted deployments that serve completions', async () => {
    stubPresetKeys();
    upstream.use(...anyUpstream);
    // DeepInfra, Together and Fireworks serve gpt-oss-120b completions for less; only T-Systems and
    // STACKIT are EU-sovereign, and T-Systems' input price is the lower.
    const response = await router('eu-sovereign').completions.create({ model: 'gpt-oss-120b', prompt: 'The data controller is' });
    expect(response).toMatchObject({ object: 'text_completion', provider: 't-systems', route: { policy: 'eu-sovereign' } });
    expect(response.route.attempts).toHaveLength(1);
    expect(response.usage).toMatchObject({ total_tokens: 16, currency: 'EUR' });
    expect(hosts()).toEqual(['llm-server.llmhub.t-systems.net']);
    const stackitOnly = await router('eu-sovereign').completions.create({ model: 'gpt-oss-120b', prompt: 'x', route: { ignore: ['t-systems'] } });
    expect(stackitOnly.provider).toBe('stackit');
    const global = await router('global').completions.create({ model: 'gpt-oss-120b', prompt: 'The data controller is' });
    expect(global.provider).toBe('deepinfra');
  });

  it('are refused for excluded providers and explain models that serve no completions', async () => {
    const refused = await rejection(router('eu-sovereign').completions.create({ model: 'together/gpt-oss-120b', prompt: 'x' }));
    expect(refused).toMatchObject({ code: 'policy_violation', status: 403 });
    const unsupported = await rejection(router('global').completions.create({ model: 'mistral-small-4', prompt: 'x' }));
    expect(unsupported.code).toBe('no_eligible_provider');
    expect(unsupported.message).toContain('mistral-eu/mistral-small-4: model does not support legacy completions');
    expect(upstream.requests).toHaveLength(0);
  });

  it('work through router.fetch with the SDK, and with a test key without network', async () => {
    const simulated = router('eu-sovereign', 'test-completions');
    const client = new OpenAI({ apiKey: 'test-completions', baseURL: 'http://sovroute.local/v1', fetch: simulated.fetch, maxRetries: 0 });
    const completion = await client.completions.create({ model: 'eu-sovereign/llama-3.3-70b-instruct', prompt: 'Dear customer,', max_tokens: 12 });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.choices[0]?.text.length).toBeGreaterThan(0);
    expect((completion as unknown as { route: { simulated_for: unknown } }).route.simulated_for).toEqual({ provider: 'stackit', model: 'llama-3.3-70b-instruct' });
    const refused = await client.completions.create({ model: 'deepinfra/gpt-oss-120b', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('models.list()', () => {
  it('shows only what the policy can reach, each with its provider’s jurisdiction summary', async () => {
    // Configured, as a deployment without its key is not listed (missing-configuration.test.ts).
    stubPresetKeys();
    const sovereign = (await router('eu-sovereign').models.list()).data;
    const providers = new Set(sovereign.map((model) => model.provider));
    expect([...providers].sort()).toEqual(['berget', 'evroc', 'ionos', 'mistral-eu', 'ovhcloud', 'regolo', 'scaleway', 'stackit', 't-systems']);
    expect(sovereign.every((model) => model.jurisdiction.tier === 'eu-sovereign' && model.jurisdiction.us_controlled === false)).toBe(true);
    expect(sovereign.find((model) => model.id === 'ovhcloud/llama-3.3-70b-instruct')).toMatchObject({
      canonical: 'llama-3.3-70b-instruct',
      jurisdiction: { operator: 'OVH SAS', operator_country: 'FR', hosting: ['FR'], us_controlled: false, tier: 'eu-sovereign' },
      price: { input: 0.67, output: 0.67, currency: 'EUR' },
      context: 131_072,
    });

    const hosted = (await router('eu-hosted').models.list()).data;
    expect(hosted.find((model) => model.id === 'azure-openai/gpt-4o-mini')?.jurisdiction).toMatchObject({
      operator: 'Microsoft Ireland Operations Ltd',
      us_controlled: true,
      tier: 'eu-hosted',
    });
    expect(hosted.some((model) => model.provider === 'openai' || model.provider === 'groq')).toBe(false);

    const everything = (await router('global').models.list()).data;
    expect(everything.find((model) => model.id === 'openai/gpt-4o')?.jurisdiction).toMatchObject({ tier: 'global', hosting: ['US'] });
  });
});

describe('an Azure preset without a resource', () => {
  it('is left out of routing with the missing resource as its reason, and the next eligible deployment answers', async () => {
    stubPresetKeys();
    upstream.use(...anyUpstream);
    const routed = createRouter({
      providers: [azureOpenAI({ prices: { 'gpt-oss-120b': { input: 0, output: 0, currency: 'USD' } } }), ...defaultCatalog({ exclude: ['azureOpenAI'] })],
      policy: 'eu-hosted',
      strategy: 'cheapest',
      retry: { retries: 0 },
    });
    const request = { model: 'gpt-oss-120b', messages: [{ role: 'user' as const, content: 'Hi' }] };
    expect(routed.explain(request).candidates.find((candidate) => candidate.provider === 'azure-openai')).toMatchObject({
      eligible: false,
      reasons: ['not configured: no Azure resource: pass resource (or baseURL) to azureOpenAI()'],
    });
    const response = await routed.chat.completions.create(request);
    expect(response.route.attempts.map((attempt) => attempt.provider)).toEqual(['ovhcloud']);
    expect(response.provider).toBe('ovhcloud');
    expect(hosts()).toEqual(['oai.endpoints.kepler.ai.cloud.ovh.net']);
  });
});

describe('provider lists in policies', () => {
  it('refuse at createRouter an entry that is no provider id, which would never match: a deny list that denies nothing', () => {
    const providers = defaultCatalog();
    const refusal = (build: () => unknown) => {
      try {
        build();
      } catch (error) {
        return error as RouterError;
      }
      throw new Error('createRouter accepted the policy');
    };
    const denied = refusal(() => createRouter({ providers, policy: { name: 'no-openai', providers: { deny: ['OpenAI'] } } }));
    expect(denied).toMatchObject({ code: 'invalid_request', param: 'policy' });
    expect(denied.message).toMatch(/policy "no-openai" names "OpenAI" in providers\.deny, which is not a provider id .* use "openai"/);
    const keyed = refusal(() =>
      createRouter({ providers, keys: { 'sk-a': { policy: { name: 'team', providers: { allow: ['scaleway', 'Mistral AI'] } } } } }),
    );
    expect(keyed).toMatchObject({ code: 'invalid_request', param: 'keys.<key>.policy' });
    expect(keyed.message).toMatch(/policy "team" names "Mistral AI" in providers\.allow, which is not a provider id/);
    expect(keyed.message).not.toContain('sk-a');
    // A name cut before a configured preset's id (the factory's, bedrock for bedrock-eu-central-1) would deny none of them.
    const regions = [bedrock({ region: 'eu-central-1' }), bedrock({ region: 'eu-west-3' })];
    const cut = refusal(() => createRouter({ providers: [...providers, ...regions], policy: { name: 'no-aws', providers: { deny: ['bedrock'] } } }));
    expect(cut).toMatchObject({ code: 'invalid_request', param: 'policy' });
    expect(cut.message).toContain('names "bedrock" in providers.deny, which no configured provider has as its id or preset, so it would match none; use "bedrock-eu-central-1", "bedrock-eu-west-3"');
    // A custom provider's id starting with the entry is no factory name: the entry is taken as it is.
    const custom = openaiCompatible({ id: 'acme-eu', baseURL: 'https://acme.test/v1', jurisdiction: { operator: { name: 'Acme SAS', country: 'FR', parents: [] }, hosting: ['FR'] }, models: [{ id: 'm' }] });
    expect(() => createRouter({ providers: [custom], policy: { name: 'shared', providers: { deny: ['acme'] } } })).not.toThrow();
    // An id, configured or not, is taken as it is.
    const router = createRouter({ providers, policy: { name: 'no-openai', providers: { deny: ['openai', 'not-configured'] } } });
    expect(router.explain({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] }).candidates[0]?.reasons).toContain(
      'provider openai is in the deny list of policy no-openai',
    );
  });

  describe('a deployment built from a preset under another id (openai({ id: "openai-prod" }))', () => {
    // gpt-4o: OpenAI's API lists it cheaper than Azure's EU data zone, so `cheapest` picks OpenAI unless it is kept out.
    const deployments = () => [openai({ id: 'openai-prod', apiKey: 'sk-openai' }), azureOpenAI({ resource: 'contoso-eu', apiKey: 'sk-azure' })];
    const request = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'x' }] };
    const build = (providers: { deny?: string[]; allow?: string[] }) => {
      const audit = memoryAudit();
      const routed = createRouter({ providers: deployments(), policy: { name: 'no-openai', providers }, strategy: 'cheapest', retry: { retries: 0 }, audit: { sinks: [audit] } });
      return { routed, audit };
    };

    it('is kept out by a deny list naming the preset, and explain(), the audit record and the 403 of a pin say why', async () => {
      upstream.use(...anyUpstream);
      const { routed, audit } = build({ deny: ['openai'] });
      const reason = 'provider openai-prod is built from preset openai, which is in the deny list of policy no-openai';
      const candidate = routed.explain(request).candidates.find((shown) => shown.provider === 'openai-prod');
      expect(candidate).toMatchObject({ eligible: false, reasons: [reason] });

      const response = await routed.chat.completions.create(request);
      expect(response.provider).toBe('azure-openai');
      expect(hosts()).toEqual(['contoso-eu.openai.azure.com']);

      const pinned = await rejection(routed.chat.completions.create({ ...request, model: 'openai-prod/gpt-4o' }));
      expect(pinned).toMatchObject({ code: 'policy_violation', status: 403 });
      expect(pinned.message).toContain(reason);
      expect(hosts()).toEqual(['contoso-eu.openai.azure.com']);

      await routed.flush();
      expect(audit.records[0]!.excluded).toEqual([{ reason, count: 1, examples: ['openai-prod/gpt-4o'] }]);
      const listed = new Set((await routed.models.list()).data.map((model) => model.provider));
      expect([...listed]).toEqual(['azure-openai']);
    });

    it('is still kept out by a deny list naming its own id, and an allow list naming only the preset does not admit it', async () => {
      expect(build({ deny: ['openai-prod'] }).routed.explain(request).candidates.find((shown) => shown.provider === 'openai-prod')).toMatchObject({
        eligible: false,
        reasons: ['provider openai-prod is in the deny list of policy no-openai'],
      });
      const allowed = build({ allow: ['openai', 'azure-openai'] }).routed.explain(request).candidates;
      expect(allowed.find((shown) => shown.provider === 'openai-prod')).toMatchObject({
        eligible: false,
        reasons: [
          'provider openai-prod is not in the allow list of policy no-openai (it is built from preset openai, which is listed; allow lists admit provider ids exactly: add openai-prod to admit it)',
        ],
      });
      expect(allowed.find((shown) => shown.provider === 'azure-openai')?.eligible).toBe(true);
    });

    it('holds for every built-in preset, Anthropic, Bedrock and Vertex (with their own adapters) included', () => {
      for (const [name, factory] of Object.entries(catalogPresets) as [string, (options?: object) => Provider][]) {
        const presetId = factory().id;
        const renamed = factory({ id: 'renamed-deployment' });
        const routed = createRouter({ providers: [renamed], policy: { name: 'no-preset', providers: { deny: [presetId] } } });
        const [shown] = routed.explain({ model: `renamed-deployment/${renamed.models[0]!.id}`, messages: [{ role: 'user', content: 'x' }] }).candidates;
        expect(shown?.reasons, name).toContain(`provider renamed-deployment is built from preset ${presetId}, which is in the deny list of policy no-preset`);
      }
    });

    it('is left out by route.ignore naming the preset, alone or with the model, and a preset named in another case is a 400', async () => {
      upstream.use(...anyUpstream);
      const routed = createRouter({ providers: deployments(), strategy: 'cheapest', retry: { retries: 0 } });
      for (const ignore of [['openai'], ['openai/gpt-4o']]) {
        const shown = routed.explain({ ...request, route: { ignore } }).candidates.find((candidate) => candidate.provider === 'openai-prod');
        expect(shown, ignore[0]).toMatchObject({ eligible: false, reasons: ['built from preset openai, which route.ignore lists'] });
        const response = await routed.chat.completions.create({ ...request, route: { ignore } });
        expect(response.provider).toBe('azure-openai');
      }
      expect(hosts()).toEqual(['contoso-eu.openai.azure.com', 'contoso-eu.openai.azure.com']);
      const miscased = await rejection(routed.chat.completions.create({ ...request, route: { ignore: ['OpenAI'] } }));
      expect(miscased).toMatchObject({ code: 'invalid_request', status: 400, param: 'route.ignore[0]' });
      expect(miscased.message).toContain('did you mean "openai"?');
      expect(hosts()).toHaveLength(2);
    });
  });
});
