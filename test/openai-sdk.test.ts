import OpenAI from 'openai';
import { Stream } from 'openai/streaming';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, RouterError } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

// Every upstream is a real-looking URL; with a test- key none may be contacted.
const upstream = mockServer();

function setup() {
  const audit = memoryAudit();
  const router = createRouter({ providers: testProviders(), policy: 'eu-hosted', apiKey: 'test-demo', audit: [audit] });
  // Constructed after msw listens, and with our fetch: the SDK reads fetch at construction.
  const client = new OpenAI({ apiKey: 'test-demo', baseURL: 'http://sovroute.local/v1', fetch: router.fetch, maxRetries: 0 });
  return { router, client, audit };
}

const messages = [{ role: 'user' as const, content: 'Summarise the GDPR in one paragraph.' }];

describe('the official openai SDK through router.fetch', () => {
  it('creates a non-streamed completion with provider, route and cost', async () => {
    const { client } = setup();
    const completion = await client.chat.completions.create({ model: 'eu-hosted/cheapest', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toMatch(/^Pseudo-LLM reply to "Summarise the GDPR/);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const extra = completion as unknown as { provider: string; route: { tier: string; simulated_for: unknown }; usage: { cost: number; currency: string } };
    // eu-hosted: the hyperscaler's EU deployment (0.20) beats eu-cloud (0.30); us-ai is excluded.
    expect(extra.provider).toBe('hyperscaler-eu');
    expect(extra.route.tier).toBe('3');
    expect(extra.route.simulated_for).toEqual({ provider: 'hyperscaler-eu', model: 'llama-3.3-70b-instruct' });
    expect(extra.usage.cost).toBeGreaterThan(0);
    expect(extra.usage.currency).toBe('EUR');
    expect(upstream.requests).toHaveLength(0);
  });

  it('streams with for await, and the last chunk carries usage with cost, provider and route', async () => {
    const { client } = setup();
    const stream = await client.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text.length).toBeGreaterThan(20);
    const last = chunks.at(-1) as unknown as { choices: unknown[]; usage: { cost: number; total_tokens: number }; provider: string; route: { attempts: unknown[] } };
    expect(last.choices).toEqual([]);
    expect(last.usage.total_tokens).toBeGreaterThan(0);
    expect(last.usage.cost).toBeGreaterThan(0);
    expect(last.provider).toBe('hyperscaler-eu');
    expect(last.route.attempts).toHaveLength(1);
    // Without include_usage, content chunks carry no usage key at all.
    expect(chunks.slice(0, -1).every((chunk) => !('usage' in chunk))).toBe(true);
    expect(upstream.requests).toHaveLength(0);
  });

  it('satisfies the SDK stream helper (role first, one finish_reason, tool call indexes)', async () => {
    const { client } = setup();
    const runner = client.chat.completions.stream({
      model: 'llama-3.3-70b-instruct',
      messages,
      tools: [{ type: 'function', function: { name: 'lookup_article', parameters: { type: 'object', properties: { number: { type: 'integer' } }, required: ['number'] } } }],
      tool_choice: 'required',
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]! as { function: { name: string; arguments: string } };
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.function.name).toBe('lookup_article');
    expect(Number.isInteger(JSON.parse(call.function.arguments).number)).toBe(true);
  });

  it('lists models, awaited and iterated', async () => {
    const { client } = setup();
    const page = await client.models.list();
    const ids = page.data.map((model) => model.id);
    expect(ids).toContain('eu-cloud/llama-3.3-70b-instruct');
    expect(ids).toContain('hyperscaler-eu/llama-3.3-70b-instruct');
    expect(ids.some((id) => id.startsWith('us-ai/'))).toBe(false); // not reachable under eu-hosted
    const iterated = [];
    for await (const model of client.models.list()) iterated.push(model.id);
    expect(iterated).toEqual(ids);
  });

  it('raises the SDK BadRequestError with status 400, our code and the field', async () => {
    const { client, router, audit } = setup();
    const error = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'x' }], temperature: 7 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe('invalid_request');
    expect(apiError.param).toBe('temperature');
    await router.flush();
    expect(audit.records.at(-1)!.outcome).toBe('invalid');
    expect(upstream.requests).toHaveLength(0);
  });

  it('raises PermissionDeniedError (403 policy_violation) for a provider the policy excludes', async () => {
    const { client } = setup();
    const error = await client.chat.completions.create({ model: 'us-ai/gpt-4o', messages }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('policy_violation');
    expect(upstream.requests).toHaveLength(0);
  });

  it('raises the SDK’s own timeout and abort errors, as a real fetch would, each leaving one aborted record', async () => {
    const { client, router, audit } = setup();
    const slow = { model: 'auto', messages, simulate: { latency_ms: 5_000 } } as never;
    await expect(client.chat.completions.create(slow, { timeout: 50 })).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const controller = new AbortController();
    const pending = client.chat.completions.create(slow, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await router.flush();
    expect(audit.records.map((record) => record.outcome)).toEqual(['aborted', 'aborted']);
  });

  // Over a real connection an abort errors the body with an AbortError, which the SDK takes as
  // the caller's wish: the loop ends without an error. The upstream here waits a minute between
  // chunks, so the abort always finds the stream under way.
  it.each(['chat.completions', 'responses'])('ends a %s stream quietly when the caller aborts it mid-way with stream.controller.abort(), with one aborted record', async (endpoint) => {
    const { client, router, audit } = setup();
    const simulate = { chunk_delay_ms: 60_000 };
    const stream = (
      endpoint === 'responses'
        ? await client.responses.create({ model: 'llama-3.3-70b-instruct', input: 'Summarise the GDPR.', stream: true, simulate } as never)
        : await client.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages, stream: true, simulate } as never)
    ) as unknown as Stream<unknown>;
    let events = 0;
    for await (const _event of stream) {
      events += 1;
      stream.controller.abort();
    }
    expect(events).toBe(1);
    await router.flush();
    expect(audit.records.map((record) => [record.endpoint, record.outcome])).toEqual([[endpoint, 'aborted']]);
  });

  it('decodes embeddings, which the SDK requests as base64', async () => {
    const { client } = setup();
    const response = await client.embeddings.create({ model: 'embed-small', input: ['a', 'b'], dimensions: 8 });
    expect(response.data).toHaveLength(2);
    expect(response.data[0]!.embedding).toHaveLength(8);
    const norm = Math.hypot(...response.data[0]!.embedding);
    expect(norm).toBeCloseTo(1, 5);
  });
});

describe('in-process API and router.fetch agree', () => {
  it('returns the same content, usage and provider both ways', async () => {
    const { client, router } = setup();
    const request = { model: 'eu-hosted/llama-3.3-70b-instruct', messages, seed: 7, n: 2 };
    const viaSdk = await client.chat.completions.create(request);
    const inProcess = await router.chat.completions.create(request);
    expect(inProcess.choices.map((choice) => choice.message.content)).toEqual(viaSdk.choices.map((choice) => choice.message.content));
    expect(inProcess.usage.total_tokens).toBe(viaSdk.usage!.total_tokens);
    expect(inProcess.provider).toBe((viaSdk as unknown as { provider: string }).provider);

    const streamed = await router.chat.completions.create({ ...request, n: 1, stream: true });
    let text = '';
    for await (const chunk of streamed) text += chunk.choices[0]?.delta.content ?? '';
    const single = await client.chat.completions.create({ ...request, n: 1 });
    expect(text).toBe(single.choices[0]!.message.content);
  });

  it('rejects in-process with the same RouterError the SDK sees', async () => {
    const { router, client } = setup();
    for (const bad of [
      { model: 'auto', messages: [] },
      { model: 'auto', messages, temperature: 7 },
      { model: 'unknown-provider/some-model', messages },
    ]) {
      const inProcess = (await router.chat.completions.create(bad as never).catch((caught: unknown) => caught)) as RouterError;
      const viaSdk = (await client.chat.completions.create(bad as never).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
      expect(RouterError.isInstance(inProcess)).toBe(true);
      expect(viaSdk).toBeInstanceOf(OpenAI.APIError);
      expect({ status: inProcess.status, code: inProcess.code, param: inProcess.param, message: inProcess.message }).toEqual({
        status: viaSdk.status,
        code: viaSdk.code,
        param: viaSdk.param,
        message: (viaSdk.error as { message: string }).message,
      });
    }
  });

  it('lists the same models both ways, awaited or iterated', async () => {
    const { router, client } = setup();
    const inProcess = (await router.models.list()).data.map((model) => model.id);
    const iterated: string[] = [];
    for await (const model of router.models.list()) iterated.push(model.id);
    const viaSdk = (await client.models.list()).data.map((model) => model.id);
    expect(inProcess.length).toBeGreaterThan(0);
    expect(iterated).toEqual(inProcess);
    expect(viaSdk).toEqual(inProcess);
  });

  it('turns a stream into newline-delimited JSON that the SDK reads back as the same stream', async () => {
    const { router } = setup();
    const request = { model: 'eu-hosted/llama-3.3-70b-instruct', messages, seed: 3 };
    const expected = (await router.chat.completions.create(request)).choices[0]!.message.content;

    const bytes = (await router.chat.completions.create({ ...request, stream: true })).toReadableStream();
    const body = await new Response(bytes).text();
    expect(body.endsWith('\n')).toBe(true);
    const lines = body.slice(0, -1).split('\n');
    const chunks = lines.map((line) => JSON.parse(line) as { object: string; choices: { delta: { content?: string } }[]; usage?: unknown });
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(expected);
    expect(chunks.at(-1)!.usage).toMatchObject({ cost: expect.any(Number) });

    // The SDK's own reader of that format gives the same chunks back.
    const again = (await router.chat.completions.create({ ...request, stream: true })).toReadableStream();
    const read = [];
    for await (const chunk of Stream.fromReadableStream(again, new AbortController())) read.push(chunk);
    expect((read as typeof chunks).map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(expected);
  });
});
