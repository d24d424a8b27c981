import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, defaultCatalog, NoEligibleProviderError, type ExplainCandidate } from '../src/index.js';
import { anyUpstream, stubPresetKeys } from './helpers/catalog.js';
import { mockServer } from './helpers/msw.js';
import { rejection } from './helpers/rejection.js';

/* The jurisdiction acceptance criteria, against the built-in catalogue. */

const upstream = mockServer();
const messages = [{ role: 'user' as const, content: 'Summarise our data-processing agreement.' }];
const sovereignHosts = new Set([
  'api.eu.mistral.ai',
  'api.scaleway.ai',
  'oai.endpoints.kepler.ai.cloud.ovh.net',
  'openai.inference.de-txl.ionos.com',
  'api.openai-compat.model-serving.eu01.onstackit.cloud',
  'api.berget.ai',
  'api.regolo.ai',
  'llm-server.llmhub.t-systems.net',
  'models.think.evroc.com',
]);

afterEach(() => {
  vi.unstubAllEnvs();
});

/**
 * The default catalogue, configured: every preset has its key and Azure its resource, so only
 * the policy decides (an unconfigured deployment is left out before the policy could admit it).
 */
function router(policy: 'eu-sovereign' | 'eu-hosted' | 'global', apiKey?: string) {
  stubPresetKeys();
  return createRouter({ providers: defaultCatalog({ azureOpenAI: { resource: 'contoso-eu' } }), policy, ...(apiKey ? { apiKey } : {}), retry: { retries: 0 } });
}

const byProvider = (candidates: ExplainCandidate[]) => new Map(candidates.map((candidate) => [candidate.provider, candidate]));

describe('eu-sovereign/gpt-oss-120b with the default catalogue', () => {
  const decision = router('eu-sovereign').explain({ model: 'eu-sovereign/gpt-oss-120b', messages });
  const candidates = byProvider(decision.candidates);

  it('considers only EU-operated, EU-hosted deployments eligible, and chooses one of them', () => {
    const eligible = decision.candidates.filter((candidate) => candidate.eligible).map((candidate) => candidate.provider);
    expect(eligible.sort()).toEqual(['berget', 'evroc', 'ionos', 'ovhcloud', 'regolo', 'scaleway', 'stackit', 't-systems']);
    expect(eligible).toContain(decision.chosen?.provider);
    expect(decision.policy).toBe('eu-sovereign');
  });

  it('shows CloudFerro excluded because nobody has declared who owns it, not because of where it runs', () => {
    expect(candidates.get('cloudferro-sherlock')).toMatchObject({
      eligible: false,
      reasons: ['parent companies of operator CloudFerro S.A. are unknown; policy eu-sovereign requires them'],
    });
  });

  it('shows Infomaniak excluded for running in Switzerland, outside the EU/EEA (it does not serve the model either)', () => {
    expect(candidates.get('infomaniak')).toMatchObject({
      eligible: false,
      reasons: expect.arrayContaining(['infomaniak does not serve gpt-oss-120b', 'inference hosted in CH; policy eu-sovereign allows EEA']),
    });
  });

  it('shows Azure OpenAI, Groq and Together (and every other non-sovereign server of the model) excluded, with reasons', () => {
    expect(candidates.get('azure-openai')).toMatchObject({
      eligible: false,
      reasons: expect.arrayContaining(['operator Microsoft Ireland Operations Ltd is US-controlled through its parent Microsoft Corporation']),
    });
    expect(candidates.get('groq')).toMatchObject({
      eligible: false,
      reasons: expect.arrayContaining(['operator Groq, Inc. is US-controlled', 'inference hosted in US, CA, GB, SA; policy eu-sovereign allows EEA']),
    });
    expect(candidates.get('together')).toMatchObject({
      eligible: false,
      reasons: expect.arrayContaining(['operator Together Computer, Inc. is US-controlled']),
    });
    for (const provider of ['deepinfra', 'fireworks', 'cerebras', 'nebius']) {
      expect(candidates.get(provider)?.eligible, provider).toBe(false);
      expect(candidates.get(provider)?.reasons.length, provider).toBeGreaterThan(0);
    }
    expect(candidates.get('nebius')?.reasons).toEqual(['inference hosted in GB, US; policy eu-sovereign allows EEA']);
  });

  it('shows OpenAI excluded too: it does not serve gpt-oss-120b on its API, and the policy would refuse it anyway', () => {
    expect(candidates.get('openai')).toEqual({
      provider: 'openai',
      model: 'gpt-oss-120b',
      eligible: false,
      reasons: expect.arrayContaining(['openai does not serve gpt-oss-120b', 'operator OpenAI OpCo, LLC is US-controlled']),
    });
    // Listed after every provider that serves the model, and never chosen.
    const servers = decision.candidates.filter((candidate) => !candidate.reasons.some((reason) => reason.includes('does not serve')));
    expect(decision.candidates.slice(0, servers.length)).toEqual(servers);
  });
});

describe('under eu-hosted', () => {
  it('makes Azure OpenAI (EU data zone) eligible, and not OpenAI (global)', () => {
    const gptOss = byProvider(router('eu-hosted').explain({ model: 'gpt-oss-120b', messages }).candidates);
    expect(gptOss.get('azure-openai')).toMatchObject({ eligible: true });
    // Hosting in Poland is all eu-hosted asks: CloudFerro's unknown owners do not matter here.
    expect(gptOss.get('cloudferro-sherlock')).toMatchObject({ eligible: true, reasons: [] });
    expect(gptOss.get('groq')?.eligible).toBe(false);
    expect(gptOss.get('openai')).toMatchObject({
      eligible: false,
      reasons: ['openai does not serve gpt-oss-120b', 'inference hosted in US; policy eu-hosted allows EEA'],
    });

    const gpt4oMini = byProvider(router('eu-hosted').explain({ model: 'gpt-4o-mini', messages }).candidates);
    expect(gpt4oMini.get('azure-openai')).toMatchObject({ eligible: true });
    expect(gpt4oMini.get('openai')).toMatchObject({ eligible: false, reasons: ['inference hosted in US; policy eu-hosted allows EEA'] });
  });
});

describe('requests the policy refuses', () => {
  it('eu-sovereign/gpt-4o fails with no_eligible_provider, listing every provider serving gpt-4o and why; nothing is sent', async () => {
    stubPresetKeys();
    upstream.use(...anyUpstream);
    const error = await rejection(router('eu-sovereign').chat.completions.create({ model: 'eu-sovereign/gpt-4o', messages }));
    expect(error).toBeInstanceOf(NoEligibleProviderError);
    expect(error).toMatchObject({ code: 'no_eligible_provider', status: 404 });
    const excluded = (error as NoEligibleProviderError).excluded;
    expect(excluded.map((entry) => entry.provider).sort()).toEqual(['azure-openai', 'openai']);
    expect(error.message).toContain('openai/gpt-4o: inference hosted in US; policy eu-sovereign allows EEA');
    expect(error.message).toContain('operator OpenAI OpCo, LLC is US-controlled');
    expect(error.message).toContain('azure-openai/gpt-4o: parent Microsoft Corporation is in US');
    expect(upstream.requests).toHaveLength(0);
  });

  it('openai/gpt-4o under eu-sovereign fails with 403 policy_violation and the reasons; nothing is sent', async () => {
    stubPresetKeys();
    upstream.use(...anyUpstream);
    const error = await rejection(router('eu-sovereign').chat.completions.create({ model: 'openai/gpt-4o', messages }));
    expect(error).toMatchObject({ code: 'policy_violation', status: 403, type: 'permission_error' });
    expect(error.message).toContain('policy eu-sovereign excludes openai: ');
    expect(error.message).toContain('operator OpenAI OpCo, LLC is US-controlled');
    // What to do: no deployment the policy admits serves gpt-4o, so another model.
    expect(error.message).toContain('Nothing was sent. No deployment it admits serves gpt-4o: choose a model one does (router.models.list() lists what it admits).');
    expect(upstream.requests).toHaveLength(0);
  });

  it('a pinned provider the policy refuses, for a model admitted deployments serve: the 403 names them and the model string that reaches them', async () => {
    const error = await rejection(router('eu-sovereign').chat.completions.create({ model: 'groq/llama-3.3-70b-instruct', messages }));
    expect(error).toMatchObject({ code: 'policy_violation', status: 403 });
    expect(error.message).toMatch(/Nothing was sent\. It admits .*scaleway.* for llama-3\.3-70b-instruct: request "llama-3\.3-70b-instruct" \(router\.models\.list\(\) lists what it admits\)\.$/);
    expect(error.message).not.toMatch(/It admits .*groq/);
  });

  it('a model only refused deployments serve: the 404 says which models the policy does admit', async () => {
    const error = await rejection(router('eu-sovereign').chat.completions.create({ model: 'gpt-4o', messages }));
    expect(error).toMatchObject({ code: 'no_eligible_provider', status: 404 });
    expect(error.message).toContain('nothing was sent. Choose a model the policy admits (router.models.list() lists them).');
  });

  it.each([
    ['a prompt beyond its context window', { max_tokens: 10_000_000 }],
    ['route.ignore naming it too', { route: { ignore: ['openai'] } }],
  ])('is still a 403 policy_violation when %s also rules it out', async (_case, extra) => {
    const error = await rejection(router('eu-sovereign').chat.completions.create({ model: 'openai/gpt-4o', messages, ...extra }));
    expect(error).toMatchObject({ code: 'policy_violation', status: 403 });
    expect(error.message).toContain('operator OpenAI OpCo, LLC is US-controlled');
  });
});

describe('a jurisdiction in the model string only narrows', () => {
  it('global/… on an eu-sovereign router is routed only to eu-sovereign deployments', async () => {
    stubPresetKeys();
    upstream.use(...anyUpstream);
    const routed = router('eu-sovereign');
    const decision = routed.explain({ model: 'global/llama-3.3-70b-instruct', messages });
    expect(decision.policy).toBe('eu-sovereign');
    expect(byProvider(decision.candidates).get('groq')?.eligible).toBe(false);

    const response = await routed.chat.completions.create({ model: 'global/llama-3.3-70b-instruct', messages });
    expect(response.route.policy).toBe('eu-sovereign');
    expect(upstream.requests.length).toBeGreaterThan(0);
    for (const sent of upstream.requests) expect(sovereignHosts.has(new URL(sent.url).host), sent.url).toBe(true);
  });

  it('eu-sovereign/… on a global router excludes what eu-sovereign excludes', () => {
    const decision = router('global').explain({ model: 'eu-sovereign/llama-3.3-70b-instruct', messages });
    expect(decision.policy).toBe('eu-sovereign');
    const eligible = decision.candidates.filter((candidate) => candidate.eligible).map((candidate) => candidate.provider);
    expect(eligible.sort()).toEqual(['berget', 'evroc', 'ionos', 'ovhcloud', 'regolo', 'scaleway', 'stackit']);
  });
});

describe('a test key', () => {
  it('reproduces the same decisions and errors, without network', async () => {
    const real = router('eu-sovereign');
    const simulated = router('eu-sovereign', 'test-policy-check');

    const response = await simulated.chat.completions.create({ model: 'eu-sovereign/gpt-oss-120b', messages });
    expect(response.route.simulated_for).toEqual(real.explain({ model: 'eu-sovereign/gpt-oss-120b', messages }).chosen);

    const noneEligible = await rejection(simulated.chat.completions.create({ model: 'eu-sovereign/gpt-4o', messages }));
    const noneEligibleReal = await rejection(real.chat.completions.create({ model: 'eu-sovereign/gpt-4o', messages }));
    expect(noneEligible.code).toBe('no_eligible_provider');
    expect(noneEligible.message).toBe(noneEligibleReal.message);

    const refused = await rejection(simulated.chat.completions.create({ model: 'openai/gpt-4o', messages }));
    expect(refused).toMatchObject({ code: 'policy_violation', status: 403 });
    expect(upstream.requests).toHaveLength(0);
  });
});
