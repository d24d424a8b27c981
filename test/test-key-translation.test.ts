import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { anthropic, bedrock, createRouter, gemini, memoryAudit, RouterError, vertex, type Provider } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';
import { rejection } from './helpers/rejection.js';

/*
 * A test key simulates the deployment a real key would call: a request that deployment's
 * translation refuses before sending anything is refused alike, with the same error and the same
 * attempts, so a CI running on test keys sees what production will. No handler is registered:
 * the upstream must be reached by neither key.
 */

const upstream = mockServer();
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const question = [{ role: 'user' as const, content: 'Describe this picture.' }];
const httpImage = [
  {
    role: 'user' as const,
    content: [
      { type: 'text' as const, text: 'Describe this picture.' },
      { type: 'image_url' as const, image_url: { url: 'https://example.com/cat.png' } },
    ],
  },
];

beforeEach(() => {
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_BEARER_TOKEN_BEDROCK', 'GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_PROJECT']) {
    vi.stubEnv(name, '');
  }
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
  vi.stubEnv('CLOUDSDK_CONFIG', '/nonexistent/gcloud');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** What a caller and the audit see of a refusal. */
function seen(error: RouterError) {
  return { envelope: error.toJSON(), status: error.status, providerId: error.providerId };
}

/** The attempts of each audit record, without their timings. */
function attemptsOf(records: readonly { attempts: readonly Record<string, unknown>[] }[]) {
  return records.map((record) => record.attempts.map(({ latency_ms: _latency, ...attempt }) => attempt));
}

type Body = Record<string, unknown>;

/** The same request with a real key and with a test key: both refused alike, nothing sent. */
async function refusedAlike(providers: () => Provider[], policy: 'global' | 'eu-hosted', body: Body, expected: { param: string | null; message: RegExp; providerId: string | undefined }) {
  for (const stream of [false, true]) {
    const outcomes = [];
    for (const apiKey of ['sk-real-key', 'test-ci']) {
      const audit = memoryAudit();
      const router = createRouter({ providers: providers(), policy, retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 }, audit: [audit] });
      const error = await rejection(router.chat.completions.create({ ...body, stream } as never, { apiKey }));
      await router.flush();
      outcomes.push({ error: seen(error), attempts: attemptsOf(audit.records as never) });
    }
    const [real, simulated] = outcomes;
    expect(real!.error).toMatchObject({ status: 400, providerId: expected.providerId, envelope: { error: { code: 'invalid_request', param: expected.param } } });
    expect(real!.error.envelope.error.message).toMatch(expected.message);
    expect(simulated).toEqual(real);
  }
  expect(upstream.requests).toHaveLength(0);
}

describe('a test key meets the refusals of the translation it simulates', () => {
  const anthropicOnly = () => [anthropic({ apiKey: 'sk-ant-real' })];

  it.each([
    ['n: 2', { n: 2 }, 'n', /returns one choice per request/],
    ['logprobs', { logprobs: true }, 'logprobs', /no log probabilities/],
    ['a whitespace-only stop sequence', { stop: ['\n'] }, 'stop', /whitespace-only stop sequences/],
    ['temperature above 1', { temperature: 1.5 }, 'temperature', /temperature from 0 to 1/],
  ])('anthropic(): %s', async (_name, fields, param, message) => {
    await refusedAlike(anthropicOnly, 'global', { model: 'anthropic/claude-sonnet-4-6', messages: question, ...fields }, { param, message, providerId: 'anthropic' });
  });

  it('bedrock(): an http image URL and n: 2', async () => {
    const providers = () => [bedrock({ region: 'eu-central-1', credentials })];
    const model = 'bedrock-eu-central-1/claude-sonnet-4-6';
    await refusedAlike(providers, 'eu-hosted', { model, messages: httpImage }, { param: 'messages[0].content[1].image_url.url', message: /Bedrock takes images as bytes/, providerId: 'bedrock-eu-central-1' });
    await refusedAlike(providers, 'eu-hosted', { model, messages: question, n: 2 }, { param: 'n', message: /Converse returns one choice/, providerId: 'bedrock-eu-central-1' });
  });

  it('vertex() Claude: an http image URL and logprobs', async () => {
    const providers = () => [vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.real-token' })];
    const model = 'vertex-europe-west4/claude-sonnet-4-6';
    await refusedAlike(providers, 'eu-hosted', { model, messages: httpImage }, { param: 'messages[0].content[1].image_url.url', message: /Claude on Vertex AI takes images as bytes/, providerId: 'vertex-europe-west4' });
    await refusedAlike(providers, 'eu-hosted', { model, messages: question, logprobs: true }, { param: 'logprobs', message: /no log probabilities/, providerId: 'vertex-europe-west4' });
  });

  it('ends the walk as a real key does when the first deployment refuses, without falling back', async () => {
    const providers = () => [bedrock({ region: 'eu-central-1', credentials }), vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.real-token' })];
    await refusedAlike(providers, 'eu-hosted', { model: 'claude-sonnet-4-6', route: { objective: 'cheapest' }, messages: question, stop: [' '] }, { param: 'stop', message: /whitespace-only/, providerId: expect.any(String) as never });
  });

  it('the Responses API meets the same refusals', async () => {
    for (const stream of [false, true]) {
      const errors = [];
      for (const apiKey of ['sk-real-key', 'test-ci']) {
        const router = createRouter({ providers: [anthropic({ apiKey: 'sk-ant-real' })], policy: 'global', retry: { retries: 0 } });
        errors.push(seen(await rejection(router.responses.create({ model: 'anthropic/claude-sonnet-4-6', input: 'Hello', temperature: 1.5, stream } as never, { apiKey }))));
      }
      expect(errors[0]).toMatchObject({ status: 400, envelope: { error: { code: 'invalid_request', param: 'temperature' } } });
      expect(errors[1]).toEqual(errors[0]);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('Gemini (gemini(), vertex()) translates nothing it could refuse: a test key still answers', async () => {
    const router = createRouter({ providers: [gemini({ apiKey: 'gemini-real' }), vertex({ project: 'acme-eu-prod', location: 'europe-west4', accessToken: 'ya29.real-token' })], policy: 'global' });
    for (const model of ['gemini/gemini-2.5-flash', 'vertex-europe-west4/gemini-2.5-flash']) {
      const answer = await router.chat.completions.create({ model, messages: question, n: 2, logprobs: true, stop: ['\n\n'] }, { apiKey: 'test-ci' });
      expect(answer.choices).toHaveLength(2);
    }
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('a test key meets the refusal of a request JSON cannot write', () => {
  it('a BigInt in a tool call of the history (in-process): 400 invalid_request naming it, as with a real key', async () => {
    const history = [
      { role: 'user', content: 'Find order 42.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"order":42}', parsed: { order: 42n } } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'shipped' },
    ];
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { order: { type: 'integer' } } } } }];
    await refusedAlike(testProviders, 'global', { model: 'eu-cloud/llama-3.3-70b-instruct', messages: history, tools }, {
      param: null,
      message: /^the request could not be serialised as JSON for eu-cloud: Do not know how to serialize a BigInt/,
      providerId: undefined,
    });
  });

  it('a BigInt in an embeddings request (in-process): the same 400 as with a real key, not an answer', async () => {
    const outcomes = [];
    for (const apiKey of ['sk-real-key', 'test-ci']) {
      const router = createRouter({ providers: testProviders(), policy: 'global', retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 } });
      outcomes.push(seen(await rejection(router.embeddings.create({ model: 'eu-cloud/embed-small', input: 'Hello', user_tag: 7n } as never, { apiKey }))));
    }
    expect(outcomes[0]).toMatchObject({ status: 400, envelope: { error: { code: 'invalid_request', message: expect.stringMatching(/^the request could not be serialised as JSON for eu-cloud/) } } });
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('a test key meets the refusals of the embeddings translation it simulates', () => {
  it.each([
    ['token ids to Titan on Bedrock', { model: 'titan-embed-text-v2', input: [1, 2, 3] }, 'input', /embeds text, not token ids/],
    ['dimensions to Cohere on Bedrock', { model: 'cohere-embed-v4', input: 'Hello', dimensions: 256 }, 'dimensions', /returns vectors of its own size/],
    // Bedrock refuses any other size after the call; the pseudo-LLM answered it.
    ['dimensions Titan Text Embeddings V2 does not offer', { model: 'titan-embed-text-v2', input: 'Hello', dimensions: 1536 }, 'dimensions', /256, 512 or 1024/],
  ])('bedrock(): %s', async (_name, body, param, message) => {
    const outcomes = [];
    for (const apiKey of ['sk-real-key', 'test-ci']) {
      const audit = memoryAudit();
      const router = createRouter({
        providers: [bedrock({ region: 'eu-central-1', credentials, models: [{ id: 'cohere-embed-v4', native: 'eu.cohere.embed-v4:0', capabilities: ['embeddings'] }] })],
        policy: 'eu-hosted',
        retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 },
        audit: [audit],
      });
      const error = await rejection(router.embeddings.create(body as never, { apiKey }));
      await router.flush();
      outcomes.push({ error: seen(error), attempts: attemptsOf(audit.records as never) });
    }
    const [real, simulated] = outcomes;
    expect(real!.error).toMatchObject({ status: 400, providerId: 'bedrock-eu-central-1', envelope: { error: { code: 'invalid_request', param } } });
    expect(real!.error.envelope.error.message).toMatch(message);
    expect(simulated).toEqual(real);
    expect(upstream.requests).toHaveLength(0);
  });
});
