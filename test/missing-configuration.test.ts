import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadBuilt } from './helpers/built-package.js';
import { answerWell, localUpstream, useLocalUpstreams } from './helpers/local-upstream.js';

/*
 * A deployment whose configuration is incomplete (no key, no Azure resource, no product id) is
 * left out at planning with the reason, not called and failed as an outage. Test keys still
 * simulate it. Through the built package.
 */

useLocalUpstreams();
afterEach(() => {
  vi.unstubAllEnvs();
});

const { createRouter, memoryAudit, openaiCompatible, scaleway, mistral, azureOpenAI, infomaniak, anthropic, RouterError } = await loadBuilt();

const messages = [{ role: 'user' as const, content: 'Say hello.' }];

describe('missingConfiguration()', () => {
  it('each preset names the setting it lacks, read from the environment when asked', () => {
    vi.stubEnv('SCW_SECRET_KEY', '');
    vi.stubEnv('MISTRAL_API_KEY', '');
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    vi.stubEnv('INFOMANIAK_API_TOKEN', '');
    vi.stubEnv('INFOMANIAK_PRODUCT_ID', '');
    expect(scaleway().missingConfiguration?.()).toBe('no API key: set SCW_SECRET_KEY or pass apiKey to scaleway()');
    expect(mistral().missingConfiguration?.()).toBe('no API key: set MISTRAL_API_KEY or pass apiKey to mistral()');
    expect(anthropic().missingConfiguration?.()).toBe('no API key: set ANTHROPIC_API_KEY or pass apiKey to anthropic()');
    expect(azureOpenAI({ apiKey: 'az-key' }).missingConfiguration?.()).toBe('no Azure resource: pass resource (or baseURL) to azureOpenAI()');
    expect(infomaniak({ apiKey: 'ik-key' }).missingConfiguration?.()).toBe('no product id: set INFOMANIAK_PRODUCT_ID or pass productId to infomaniak()');

    const provider = scaleway();
    vi.stubEnv('SCW_SECRET_KEY', 'scw-from-env');
    expect(provider.missingConfiguration?.()).toBeUndefined();
    expect(scaleway({ headers: { Authorization: 'Bearer from-a-header' } }).missingConfiguration?.()).toBeUndefined();
    vi.stubEnv('INFOMANIAK_PRODUCT_ID', '105123');
    expect(infomaniak({ apiKey: 'ik-key' }).missingConfiguration?.()).toBeUndefined();
  });

  it('openaiCompatible without a key is ready (local servers need none), unless requireApiKey says otherwise', () => {
    const base = { id: 'local', baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'model-a' }] };
    expect(openaiCompatible(base).missingConfiguration?.()).toBeUndefined();
    vi.stubEnv('LOCAL_KEY', '');
    const required = openaiCompatible({ ...base, apiKey: () => process.env.LOCAL_KEY || undefined, requireApiKey: true });
    expect(required.missingConfiguration?.()).toBe('no API key: pass apiKey to openaiCompatible() (or set the authorization header)');
    vi.stubEnv('LOCAL_KEY', 'now-set');
    expect(required.missingConfiguration?.()).toBeUndefined();
  });
});

describe('planning leaves an unconfigured deployment out', () => {
  it('explain() shows why, and a call goes to the configured deployment without trying the other', async () => {
    vi.stubEnv('SCW_SECRET_KEY', '');
    const unconfigured = await localUpstream(answerWell('from scaleway'));
    const configured = await localUpstream(answerWell('from local'));
    const router = createRouter({
      providers: [
        scaleway({ baseURL: unconfigured.baseURL, prices: { 'gpt-oss-120b': { input: 0.01, output: 0.01, currency: 'EUR' } } }),
        openaiCompatible({ id: 'local', baseURL: configured.baseURL, models: [{ id: 'gpt-oss-120b', price: { input: 1, output: 1, currency: 'EUR' } }] }),
      ],
      strategy: 'cheapest',
    });
    const decision = router.explain({ model: 'gpt-oss-120b', messages });
    expect(decision.chosen).toEqual({ provider: 'local', model: 'gpt-oss-120b' });
    expect(decision.candidates.find((candidate) => candidate.provider === 'scaleway')).toMatchObject({
      eligible: false,
      reasons: ['not configured: no API key: set SCW_SECRET_KEY or pass apiKey to scaleway()'],
    });
    const response = await router.chat.completions.create({ model: 'gpt-oss-120b', messages });
    expect(response.provider).toBe('local');
    expect(response.route.attempts.map((attempt) => attempt.provider)).toEqual(['local']);
    expect([unconfigured.hits, configured.hits]).toEqual([0, 1]);
  });

  it('when only unconfigured deployments are eligible: 503 no_eligible_provider naming the setting, nothing sent; a test key simulates it', async () => {
    vi.stubEnv('SCW_SECRET_KEY', '');
    const upstream = await localUpstream(answerWell('from scaleway'));
    const audit = memoryAudit();
    const router = createRouter({ providers: [scaleway({ baseURL: upstream.baseURL })], policy: 'eu-sovereign', audit: [audit] });

    const error = await router.chat.completions.create({ model: 'eu-sovereign/cheapest', messages }).catch((caught: unknown) => caught);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'no_eligible_provider', status: 503, type: 'server_error', isRetryable: false });
    expect((error as Error).message).toContain('scaleway (no API key: set SCW_SECRET_KEY or pass apiKey to scaleway())');
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect((error as InstanceType<typeof RouterError>).route?.attempts ?? []).toEqual([]);
    expect(upstream.hits).toBe(0);

    // Over HTTP too, with the OpenAI envelope.
    const wire = await router.fetch(
      new Request('http://sovroute.local/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'eu-sovereign/cheapest', messages }) }),
    );
    expect(wire.status).toBe(503);
    expect(((await wire.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'no_eligible_provider', message: expect.stringContaining('SCW_SECRET_KEY') });
    expect(upstream.hits).toBe(0);

    await router.flush();
    expect(audit.records[0]).toMatchObject({ outcome: 'error', error_code: 'no_eligible_provider', attempts: [] });
    expect(audit.records[0]!.candidates.every((candidate) => candidate.reasons.some((reason) => reason.includes('SCW_SECRET_KEY')))).toBe(true);

    const simulated = await router.chat.completions.create({ model: 'eu-sovereign/cheapest', messages }, { apiKey: 'test-key' });
    expect(simulated.provider).toBe('scaleway');
    expect(router.explain({ model: 'eu-sovereign/cheapest', messages }, { apiKey: 'test-key' }).chosen?.provider).toBe('scaleway');
    expect(upstream.hits).toBe(0);
  });

  it('models.list() leaves out what a call cannot reach for want of configuration, and shows it once configured or to a test key', async () => {
    vi.stubEnv('SCW_SECRET_KEY', '');
    const router = createRouter({
      providers: [
        scaleway({ baseURL: 'http://127.0.0.1:9/v1', prices: { 'gpt-oss-120b': { input: 0.01, output: 0.01, currency: 'EUR' } } }),
        openaiCompatible({ id: 'local', baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'gpt-oss-120b', price: { input: 1, output: 1, currency: 'EUR' } }] }),
      ],
    });
    const providers = (list: { data: { provider: string }[] }) => [...new Set(list.data.map((entry) => entry.provider))];

    expect(providers(await router.models.list())).toEqual(['local']);
    const wire = await router.fetch(new Request('http://sovroute.local/v1/models'));
    expect(providers((await wire.json()) as { data: { provider: string }[] })).toEqual(['local']);
    // A test key simulates every deployment, configured or not.
    expect(providers(await router.models.list({ apiKey: 'test-key' }))).toContain('scaleway');

    vi.stubEnv('SCW_SECRET_KEY', 'scw-from-env');
    expect(providers(await router.models.list())).toContain('scaleway');
  });
});
