import { http, HttpResponse } from 'msw';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible, type ResponseObject, type ResponseStore, type RouterError, type StoredResponse } from '../src/index.js';
import { controlledBody, mockServer, sseBody, sseEvents } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

/* The Responses API through the official openai SDK and router.fetch, with test keys and with a real upstream. */

const upstream = mockServer();

function setup(options: { content?: 'full'; store?: false } = {}) {
  const audit = memoryAudit();
  const router = createRouter({
    providers: testProviders(),
    policy: 'eu-sovereign',
    apiKey: 'test-demo',
    audit: { sinks: [audit], ...(options.content ? { content: options.content } : {}) },
    ...(options.store === false ? { responses: { store: false as const } } : {}),
  });
  const client = new OpenAI({ apiKey: 'test-demo', baseURL: 'http://sovroute.local/v1', fetch: router.fetch, maxRetries: 0 });
  return { router, client, audit };
}

type Routed = ResponseObject & { provider: string; route: { audit_id: string; policy: string; simulated_for?: unknown } };

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

describe('responses.create through router.fetch (openai SDK, test key)', () => {
  it('answers with the pseudo-LLM’s text, provider, route and cost', async () => {
    const { client } = setup();
    const response = (await client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi' })) as unknown as Routed;
    const chat = await client.chat.completions.create({ model: 'eu-sovereign/cheapest', messages: [{ role: 'user', content: 'Hi' }] });
    expect(response.output_text).toMatch(/^Pseudo-LLM reply to "Hi"/);
    expect(response.output_text).toBe(chat.choices[0]!.message.content);
    expect(response).toMatchObject({ object: 'response', status: 'completed', provider: 'eu-cloud', store: true, metadata: {} });
    expect(response.id).toMatch(/^resp_/);
    expect(response.route).toMatchObject({ policy: 'eu-sovereign', simulated_for: { provider: 'eu-cloud', model: 'llama-3.3-70b-instruct' } });
    expect(response.usage).toMatchObject({ input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 }, currency: 'EUR' });
    expect(response.usage!.cost).toBeGreaterThan(0);
    expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
    expect(upstream.requests).toHaveLength(0);
  });

  it('streams the typed event sequence, numbered, ending with usage and cost', async () => {
    const { client } = setup();
    const stream = await client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', stream: true });
    const events = [];
    for await (const event of stream) events.push(event);
    const types = [...new Set(events.map((event) => event.type))];
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const text = events.map((event) => (event.type === 'response.output_text.delta' ? event.delta : '')).join('');
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    const response = completed.response as unknown as Routed;
    expect(text).toMatch(/^Pseudo-LLM reply to "Hi"/);
    expect(response.output_text).toBe(text);
    expect(response.usage!.cost).toBeGreaterThan(0);
    expect(response.provider).toBe('eu-cloud');
    expect(events[0]!.type === 'response.created' && events[0].response.id).toBe(response.id);
  });

  it('satisfies responses.stream(): text, and a tool call as a function_call item', async () => {
    const { client } = setup();
    const text = await client.responses.stream({ model: 'eu-sovereign/cheapest', input: 'Hi' }).finalResponse();
    expect(text.status).toBe('completed');
    expect(text.output_text).toMatch(/^Pseudo-LLM reply to "Hi"/);

    const runner = client.responses.stream({ model: 'eu-sovereign/cheapest', input: 'What is the weather in Paris?', tools: [weather] });
    const argumentDeltas: string[] = [];
    runner.on('response.function_call_arguments.delta', (event) => argumentDeltas.push(event.delta));
    const called = await runner.finalResponse();
    const call = called.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
    expect(call.id).toMatch(/^fc_/);
    expect(argumentDeltas.join('')).toBe(call.arguments);
    expect(JSON.parse(call.arguments)).toHaveProperty('city');
    expect(called.output_text).toBe('');
  });

  it('continues a stored response with previous_response_id, the tool result answered in context', async () => {
    const { client, router, audit } = setup({ content: 'full' });
    const first = await client.responses.create({ model: 'eu-sovereign/cheapest', input: 'What is the weather in Paris?', tools: [weather], instructions: 'Be brief.' });
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    const second = await client.responses.create({
      model: 'eu-sovereign/cheapest',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":18}' }],
      tools: [weather],
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toMatch(/^Pseudo-LLM reply to "What is the weather in Paris\?"/);
    await router.flush();
    // The upstream (here the pseudo-LLM) got the whole conversation; instructions do not carry over.
    expect(audit.records[1]!.content).toMatchObject({
      mode: 'full',
      prompt: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: call.arguments } }] },
        { role: 'tool', tool_call_id: call.call_id, content: '{"temp_c":18}' },
      ],
    });
  });

  it('resolves item_reference to a stored item (the AI SDK’s form of a later step)', async () => {
    const { client, router, audit } = setup({ content: 'full' });
    const first = await client.responses.create({ model: 'eu-sovereign/cheapest', input: 'What is the weather in Paris?', tools: [weather], stream: true });
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of first) if (event.type === 'response.completed') final = event.response;
    const call = final!.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    await client.responses.create({
      model: 'eu-sovereign/cheapest',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'What is the weather in Paris?' }] },
        { type: 'item_reference', id: call.id! },
        { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":18}' },
      ],
      tools: [weather],
    });
    await router.flush();
    expect((audit.records[1]!.content as { prompt: unknown[] }).prompt[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: call.arguments } }],
    });
  });

  it('refuses an unknown previous_response_id or item id with a 400 naming the field', async () => {
    const { client } = setup();
    const unknown = client.responses.create({ model: 'eu-sovereign/cheapest', previous_response_id: 'resp_nope', input: 'Hi' });
    await expect(unknown).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(unknown).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
    const reference = client.responses.create({ model: 'eu-sovereign/cheapest', input: [{ role: 'user', content: 'Hi' }, { type: 'item_reference', id: 'fc_nope' }] });
    await expect(reference).rejects.toMatchObject({ status: 400, param: 'input[1].id' });
  });

  it('keeps nothing of a store: false response, nor with responses.store: false', async () => {
    const { client } = setup();
    const unstored = await client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', store: false });
    expect((unstored as unknown as ResponseObject).store).toBe(false);
    await expect(client.responses.create({ model: 'eu-sovereign/cheapest', previous_response_id: unstored.id, input: 'More.' })).rejects.toMatchObject({
      status: 400,
      param: 'previous_response_id',
    });
    const { client: storeless } = setup({ store: false });
    const kept = await storeless.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi' });
    // The response says what happened to it: not stored, though the request left store at its default.
    expect((kept as unknown as ResponseObject).store).toBe(false);
    const streamed = await storeless.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', stream: true });
    for await (const event of streamed) {
      if (event.type === 'response.created' || event.type === 'response.completed') expect((event.response as unknown as ResponseObject).store).toBe(false);
    }
    await expect(storeless.responses.create({ model: 'eu-sovereign/cheapest', previous_response_id: kept.id, input: 'More.' })).rejects.toMatchObject({
      status: 400,
      param: 'previous_response_id',
    });
  });

  it('does not let another key continue a response', async () => {
    const router = createRouter({ providers: testProviders(), keys: { 'test-a': { label: 'a' }, 'test-b': { label: 'b' } } });
    const a = new OpenAI({ apiKey: 'test-a', baseURL: 'http://sovroute.local/v1', fetch: router.fetch, maxRetries: 0 });
    const b = new OpenAI({ apiKey: 'test-b', baseURL: 'http://sovroute.local/v1', fetch: router.fetch, maxRetries: 0 });
    const first = await a.responses.create({ model: 'llama-3.3-70b-instruct', input: 'Hi' });
    await expect(a.responses.create({ model: 'llama-3.3-70b-instruct', previous_response_id: first.id, input: 'More.' })).resolves.toBeDefined();
    await expect(b.responses.create({ model: 'llama-3.3-70b-instruct', previous_response_id: first.id, input: 'More.' })).rejects.toMatchObject({
      param: 'previous_response_id',
    });
  });

  it('names the Responses field, not the chat one it became, when the translated request is refused', async () => {
    const { router, audit } = setup();
    const refused = async (params: Record<string, unknown>) => {
      try {
        await router.responses.create({ model: 'llama-3.3-70b-instruct', ...params } as never);
      } catch (error) {
        return error as RouterError;
      }
      throw new Error('expected a 400');
    };
    const tool = await refused({ input: 'Hi', tools: [{ ...weather, name: 'get.weather' }] });
    expect(tool).toMatchObject({ status: 400, param: 'tools[0].name' });
    expect(tool.message).toMatch(/^Invalid tools\[0\]\.name: /);
    const image = await refused({
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: 'Hi' },
        { role: 'user', content: [{ type: 'input_image', image_url: 'https://example.test/a.png', detail: 'ultra' }] },
      ],
    });
    expect(image).toMatchObject({ status: 400, param: 'input[1]' });
    await router.flush();
    expect(audit.records.map((record) => [record.outcome, record.error_message])).toEqual([
      ['invalid', tool.message],
      ['invalid', image.message],
    ]);
  });

  it('refuses a built-in tool with a 400 naming it, before anything is sent', async () => {
    const { client } = setup();
    await expect(client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', tools: [{ type: 'web_search_preview' }] })).rejects.toMatchObject({
      status: 400,
      param: 'tools[0].type',
    });
    await expect(client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', background: true })).rejects.toMatchObject({ param: 'background' });
  });

  it('answers a failure before the first event as an HTTP error, and one after it as error + response.failed', async () => {
    const { client } = setup();
    await expect(
      client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', stream: true, simulate: { fault: 'server_error' } } as OpenAI.Responses.ResponseCreateParamsStreaming),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    const cut = await client.responses.create({
      model: 'eu-sovereign/cheapest',
      input: 'Hi',
      stream: true,
      simulate: { fault: 'stream_cut', cut_after_chunks: 3 },
    } as OpenAI.Responses.ResponseCreateParamsStreaming);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of cut) seen.push(event.type);
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(seen).toContain('response.output_text.delta');
    expect(seen).not.toContain('response.completed');
  });

  it('reports on response.failed the usage and cost the router counted for the audit record', async () => {
    const { router, audit } = setup();
    const cut = await router.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', stream: true, simulate: { fault: 'stream_cut', cut_after_chunks: 3 } });
    const events = [];
    for await (const event of cut) events.push(event);
    const failed = events.at(-1)!;
    expect(failed.type).toBe('response.failed');
    await router.flush();
    const record = audit.records[0]!;
    expect(record.outcome).toBe('error');
    // Tokens were spent before the cut: the failed response says how many, and what they cost.
    expect(record.usage!.completion_tokens).toBeGreaterThan(0);
    expect((failed.response as ResponseObject).usage).toMatchObject({
      input_tokens: record.usage!.prompt_tokens,
      output_tokens: record.usage!.completion_tokens,
      total_tokens: record.usage!.total_tokens,
      cost: record.cost,
      currency: 'EUR',
      estimated: true,
    });
  });

  it('reports a max_output_tokens cut-off as incomplete, streamed and not', async () => {
    const { client } = setup();
    const cut = await client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Tell me a long story.', max_output_tokens: 5 });
    expect(cut).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(cut.usage!.output_tokens).toBe(5);
    const streamed = await client.responses.stream({ model: 'eu-sovereign/cheapest', input: 'Tell me a long story.', max_output_tokens: 5 }).finalResponse();
    expect(streamed).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output_text: cut.output_text });
  });

  it('leaves exactly one audit record per request, endpoint responses', async () => {
    const { client, router, audit } = setup();
    await client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi' });
    const stream = await client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', stream: true });
    for await (const _event of stream);
    await expect(client.responses.create({ model: 'eu-sovereign/cheapest', previous_response_id: 'resp_nope', input: 'Hi' })).rejects.toThrow();
    await router.flush();
    expect(audit.records.map((record) => [record.endpoint, record.stream, record.outcome])).toEqual([
      ['responses', false, 'success'],
      ['responses', true, 'success'],
      ['responses', false, 'invalid'],
    ]);
    expect(audit.records[0]!.simulated).toBe(true);
    expect(audit.records[1]!.usage!.total_tokens).toBeGreaterThan(0);
    expect(audit.records[1]!.cost).toBeGreaterThan(0);
  });

  it('answers a wrong method or a body that is not JSON with an error and one responses record', async () => {
    const { router, audit } = setup();
    const get = await router.fetch('http://sovroute.local/v1/responses', { method: 'GET', headers: { authorization: 'Bearer test-demo' } });
    expect(get.status).toBe(405);
    const garbled = await router.fetch('http://sovroute.local/v1/responses', { method: 'POST', headers: { authorization: 'Bearer test-demo' }, body: '{not json' });
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    await router.flush();
    expect(audit.records.map((record) => [record.endpoint, record.outcome])).toEqual([
      ['responses', 'invalid'],
      ['responses', 'invalid'],
    ]);
  });

  it('is served in-process too: router.responses.create with the same shapes', async () => {
    const { router } = setup();
    const response = await router.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', metadata: { team: 'a' } });
    expect(response.output_text).toMatch(/^Pseudo-LLM reply to "Hi"/);
    expect(response.metadata).toEqual({ team: 'a' });
    const stream = await router.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.completed');
  });
});

describe('responses options and stream control', () => {
  it('keeps responses in a ResponseStore given as responses.store, async methods included', async () => {
    const saved = new Map<string, StoredResponse>();
    const store: ResponseStore = {
      get: async (id) => saved.get(id),
      getItem: async () => undefined,
      set: async (response) => void saved.set(response.id, response),
    };
    const router = createRouter({ providers: testProviders(), apiKey: 'test-demo', responses: { store } });
    const stream = await router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'Hi', stream: true });
    for await (const _event of stream);
    expect([...saved.keys()]).toEqual([stream.responseId]);
    expect(saved.get(stream.responseId)!.input).toEqual([{ type: 'message', role: 'user', content: 'Hi' }]);
    expect(saved.get(stream.responseId)!.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    const next = await router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'More.', previous_response_id: stream.responseId });
    // The continuation keeps its own turn and a link to the one it continues.
    expect(saved.get(next.id)).toMatchObject({ previousResponseId: stream.responseId, input: [{ type: 'message', role: 'user', content: 'More.' }] });
  });

  it('answers, streamed and not, when the store fails to keep the response, says store: false, and tells the logger', async () => {
    const audit = memoryAudit();
    const logged: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string) => void logged.push(message) };
    const store: ResponseStore = {
      get: () => undefined,
      getItem: () => undefined,
      set: async () => {
        throw new Error('the shared store at redis://app:hunter2@cache.internal:6379 is down');
      },
    };
    const router = createRouter({ providers: testProviders(), apiKey: 'test-demo', audit: [audit], logger, responses: { store } });
    const response = await router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'Hi' });
    expect(response.output_text).toMatch(/^Pseudo-LLM reply to "Hi"/);
    // The caller learns it cannot continue it.
    expect(response.store).toBe(false);
    const stream = await router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'Hi', stream: true });
    const types: string[] = [];
    let completed: ResponseObject | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') completed = event.response as ResponseObject;
    }
    expect(types.at(-1)).toBe('response.completed');
    expect(completed!.store).toBe(false);
    expect(types).not.toContain('error');
    expect(logged).toHaveLength(2);
    expect(logged[0]).toContain(`could not keep response ${response.id}`);
    expect(logged[1]).toContain(`could not keep response ${stream.responseId}`);
    expect(logged[1]).toContain('is down');
    // The store's own words, but not a password its URL carries.
    expect(logged.join('\n')).not.toContain('hunter2');
    await router.flush();
    expect(audit.records.map((record) => record.outcome)).toEqual(['success', 'success']);
  });

  it('answers 503 store_unavailable, without the store\'s credentials, when the store cannot be read to continue a conversation', async () => {
    const audit = memoryAudit();
    const down = async () => {
      throw new Error('connect ECONNREFUSED redis://app:hunter2@cache.internal:6379');
    };
    const store: ResponseStore = { get: down, getItem: down, set: () => undefined };
    const router = createRouter({ providers: testProviders(), apiKey: 'test-demo', audit: [audit], responses: { store } });
    const continued = router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'More.', previous_response_id: 'resp_1' });
    await expect(continued).rejects.toMatchObject({ status: 503, code: 'store_unavailable', param: 'previous_response_id', isRetryable: true });
    const referenced = router.responses.create({ model: 'llama-3.3-70b-instruct', input: [{ type: 'item_reference', id: 'msg_1' }] });
    await expect(referenced).rejects.toMatchObject({ status: 503, code: 'store_unavailable', param: 'input[0].id' });
    await router.flush();
    expect(audit.records.map((record) => [record.endpoint, record.outcome, record.error_code])).toEqual([
      ['responses', 'error', 'store_unavailable'],
      ['responses', 'error', 'store_unavailable'],
    ]);
    const said = JSON.stringify([await continued.catch((error: Error) => error.message), audit.records]);
    expect(said).toContain('ECONNREFUSED');
    expect(said).not.toContain('hunter2');
  });

  it('refuses a responses option that is not one', () => {
    expect(() => createRouter({ providers: testProviders(), responses: { store: 'redis' as never } })).toThrow(/options\.responses\.store/);
    expect(() => createRouter({ providers: testProviders(), responses: { ttl: 5 } as never })).toThrow(/options\.responses/);
  });

  it('ends an aborted stream with the abort, recorded as aborted', async () => {
    const { router, audit } = setup();
    const stream = await router.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi', stream: true, simulate: { chunk_delay_ms: 5 } });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of stream) {
          seen.push(event.type);
          if (event.type === 'response.output_text.delta') stream.controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(seen).not.toContain('response.completed');
    await router.flush();
    expect(audit.records.map((record) => [record.endpoint, record.outcome])).toEqual([['responses', 'aborted']]);
  });
});

describe('responses to a real openaiCompatible upstream', () => {
  const url = 'https://api.chat-only.test/v1/chat/completions';
  function chatOnlyRouter() {
    const provider = openaiCompatible({
      id: 'chat-only',
      baseURL: 'https://api.chat-only.test/v1',
      apiKey: 'sk-upstream',
      jurisdiction: { operator: { name: 'Chat Only SAS', country: 'FR', parents: [] }, hosting: ['FR'] },
      models: [{ id: 'model-a', native: 'vendor/model-a', price: { input: 2, output: 6, currency: 'EUR' }, capabilities: ['chat', 'tools', 'json'] }],
    });
    const router = createRouter({ providers: [provider], policy: 'eu-sovereign', retry: { retries: 0 } });
    return new OpenAI({ apiKey: 'sk-anything', baseURL: 'http://sovroute.local/v1', fetch: router.fetch, maxRetries: 0 });
  }
  const request = {
    model: 'chat-only/model-a',
    instructions: 'Answer briefly.',
    input: "What's the weather in Paris?",
    tools: [weather],
    tool_choice: 'auto' as const,
    max_output_tokens: 100,
    metadata: { team: 'a' },
    store: true,
    text: { format: { type: 'text' as const } },
    include: ['reasoning.encrypted_content' as const],
    truncation: 'disabled' as const,
  };
  const expectedChat = {
    model: 'vendor/model-a',
    messages: [
      { role: 'system', content: 'Answer briefly.' },
      { role: 'user', content: "What's the weather in Paris?" },
    ],
    tools: [{ type: 'function', function: { name: 'get_weather', description: weather.description, parameters: weather.parameters, strict: true } }],
    tool_choice: 'auto',
    max_tokens: 100,
  };

  it('sends a chat completion with the tool, none of the Responses-only fields, and returns the call as a function_call item', async () => {
    upstream.use(
      http.post(url, () =>
        HttpResponse.json({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1700000000,
          model: 'vendor/model-a',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'call_up', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
              finish_reason: 'tool_calls',
              logprobs: null,
            },
          ],
          usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 },
        }),
      ),
    );
    const response = (await chatOnlyRouter().responses.create(request)) as unknown as Routed;
    expect(await upstream.requests[0]!.json()).toEqual(expectedChat);
    expect(response.output).toEqual([
      { type: 'function_call', id: expect.stringMatching(/^fc_/), status: 'completed', call_id: 'call_up', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ]);
    expect(response.usage).toMatchObject({ input_tokens: 1000, output_tokens: 500, total_tokens: 1500, cost: 0.005, currency: 'EUR' });
    expect(response).toMatchObject({ provider: 'chat-only', metadata: { team: 'a' }, model: 'vendor/model-a', instructions: 'Answer briefly.' });
  });

  it('streams an upstream tool call as function_call argument deltas', async () => {
    const chunk = (delta: object, finish: string | null = null) => ({
      id: 'chatcmpl-2',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'vendor/model-a',
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    });
    upstream.use(
      http.post(url, () =>
        new HttpResponse(
          sseBody([
            sseEvents(
              chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_up', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
              chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
              chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
              chunk({}, 'tool_calls'),
              { id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1700000000, model: 'vendor/model-a', choices: [], usage: { prompt_tokens: 52, completion_tokens: 15, total_tokens: 67 } },
              '[DONE]',
            ),
          ]),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
      ),
    );
    const runner = chatOnlyRouter().responses.stream(request);
    const deltas: string[] = [];
    runner.on('response.function_call_arguments.delta', (event) => deltas.push(event.delta));
    const final = await runner.finalResponse();
    expect(await upstream.requests[0]!.json()).toEqual({ ...expectedChat, stream: true, stream_options: { include_usage: true } });
    expect(deltas).toEqual(['{"city":', '"Paris"}']);
    expect(final.output[0]).toMatchObject({ type: 'function_call', call_id: 'call_up', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
    expect(final.usage).toMatchObject({ input_tokens: 52, output_tokens: 15, total_tokens: 67 });
  });

  it('streams a provider’s reasoning_content as a reasoning item the stream helper keeps', async () => {
    const chunk = (delta: object, finish: string | null = null) => ({
      id: 'chatcmpl-3',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'vendor/model-a',
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    });
    upstream.use(
      http.post(url, () =>
        new HttpResponse(
          sseBody([sseEvents(chunk({ role: 'assistant', reasoning_content: 'France… ' }), chunk({ reasoning_content: 'Paris.' }), chunk({ content: 'Paris.' }), chunk({}, 'stop'), '[DONE]')]),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
      ),
    );
    const final = await chatOnlyRouter().responses.stream({ model: 'chat-only/model-a', input: 'Capital of France?' }).finalResponse();
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(final.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'France… Paris.' }] });
    expect(final.output_text).toBe('Paris.');
    // The upstream never reported usage: the router's estimate, marked, still carries a cost.
    expect(final.usage).toMatchObject({ estimated: true, currency: 'EUR' });
  });

  it('closes the upstream and records the caller leaving when the SSE body is cancelled while a read waits on a silent upstream', async () => {
    const body = controlledBody();
    upstream.use(http.post(url, () => new HttpResponse(body.body, { headers: { 'content-type': 'text/event-stream' } })));
    const audit = memoryAudit();
    const router = createRouter({
      providers: [openaiCompatible({ id: 'chat-only', baseURL: 'https://api.chat-only.test/v1', models: [{ id: 'model-a', native: 'vendor/model-a' }] })],
      audit: [audit],
      retry: { retries: 0 },
    });
    body.push(sseEvents({ id: 'chatcmpl-5', object: 'chat.completion.chunk', created: 1700000000, model: 'vendor/model-a', choices: [{ index: 0, delta: { content: 'Par' }, finish_reason: null }] }));
    const response = await router.fetch('http://sovroute.local/v1/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat-only/model-a', input: 'Capital of France?', stream: true }),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('response.output_text.delta')) text += decoder.decode((await reader.read()).value);
    // The next read waits on the upstream, which sends nothing more: the client goes away then.
    const waiting = reader.read();
    await new Promise((resolve) => setImmediate(resolve));
    const cancelled = reader.cancel();
    await router.flush();
    expect(audit.records.map((record) => [record.endpoint, record.outcome])).toEqual([['responses', 'aborted']]);
    expect(audit.records[0]!.error_message).toMatch(/closed the stream/);
    await cancelled;
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it('gives the AI SDK the reasoning and the answer, streamed and not', async () => {
    const reply = {
      id: 'chatcmpl-4',
      object: 'chat.completion',
      created: 1700000000,
      model: 'vendor/model-a',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.', reasoning_content: 'France… Paris.' }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 },
    };
    const chunk = (delta: object, finish: string | null = null) => ({ ...reply, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], usage: undefined });
    upstream.use(
      http.post(url, async ({ request: sent }) =>
        ((await sent.json()) as { stream?: boolean }).stream
          ? new HttpResponse(sseBody([sseEvents(chunk({ reasoning_content: 'France… Paris.' }), chunk({ content: 'Paris.' }), chunk({}, 'stop'), '[DONE]')]), {
              headers: { 'content-type': 'text/event-stream' },
            })
          : HttpResponse.json(reply),
      ),
    );
    const router = createRouter({
      providers: [openaiCompatible({ id: 'chat-only', baseURL: 'https://api.chat-only.test/v1', models: [{ id: 'model-a', native: 'vendor/model-a' }] })],
      retry: { retries: 0 },
    });
    const model = createOpenAI({ apiKey: 'sk-anything', baseURL: 'http://sovroute.local/v1', fetch: router.fetch as typeof fetch })('chat-only/model-a');
    const generated = await generateText({ model, prompt: 'Capital of France?' });
    expect(generated.reasoningText).toBe('France… Paris.');
    expect(generated.text).toBe('Paris.');
    const streamed = streamText({ model, prompt: 'Capital of France?' });
    for await (const _part of streamed.fullStream);
    expect(await streamed.reasoningText).toBe('France… Paris.');
    expect(await streamed.text).toBe('Paris.');
  });
});

describe('what a refusal quotes of the request', () => {
  it('quotes at most 256 characters of an id, a type or a role the caller sent, in the error and the audit record', async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: testProviders(), apiKey: 'test-demo', audit: [audit] });
    const long = 'x'.repeat(100_000);
    const weatherTool = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } };
    const requests: Record<string, unknown>[] = [
      { input: 'Hi', previous_response_id: `resp_${long}` },
      { input: [{ type: 'item_reference', id: `msg_${long}` }] },
      { input: 'Hi', include: [long] },
      { input: 'Hi', tools: [{ type: long }] },
      { input: 'Hi', tools: [weatherTool], tool_choice: { type: long } },
      { input: 'Hi', text: { format: { type: long } } },
      { input: [{ type: long }] },
      { input: [{ type: 'message', role: long, content: 'Hi' }] },
      { input: [{ type: 'message', role: 'user', content: [{ type: long }] }] },
      { input: [{ type: 'message', role: 'system', content: [{ type: long }] }] },
    ];
    const messages: string[] = [];
    for (const params of requests) {
      const refused = await router.responses.create({ model: 'llama-3.3-70b-instruct', ...params } as never).then(
        () => undefined,
        (error: RouterError) => error,
      );
      expect(refused).toMatchObject({ status: 400 });
      messages.push(refused!.message);
    }
    await router.flush();
    expect(audit.records).toHaveLength(requests.length);
    for (const [index, message] of messages.entries()) {
      expect(message).toMatch(/x{200,256}…/);
      expect(message).not.toContain('x'.repeat(257));
      expect(message.length).toBeLessThan(1024);
      expect(audit.records[index]!.error_message).toBe(message);
    }
  });
});

describe('the memory store’s bounds', () => {
  it('says store: false, and tells the logger, of a response larger than responses.maxBytes on its own, streamed and not', async () => {
    const logged: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string) => void logged.push(message) };
    const router = createRouter({ providers: testProviders(), apiKey: 'test-demo', logger, responses: { maxBytes: 4096 } });
    const small = await router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'Hi' });
    expect(small.store).toBe(true);
    const large = await router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'x'.repeat(10_000) });
    expect(large.store).toBe(false);
    const stream = await router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'y'.repeat(10_000), stream: true });
    let completed: ResponseObject | undefined;
    for await (const event of stream) if (event.type === 'response.completed') completed = event.response as ResponseObject;
    expect(completed!.store).toBe(false);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toContain(`could not keep response ${large.id}`);
    expect(logged[0]).toContain('maxBytes');
    await expect(router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'More.', previous_response_id: large.id })).rejects.toMatchObject({
      status: 400,
      param: 'previous_response_id',
    });
    // The responses it kept are still there.
    await expect(router.responses.create({ model: 'llama-3.3-70b-instruct', input: 'More.', previous_response_id: small.id })).resolves.toMatchObject({ store: true });
  });
});

describe('the memory store’s bounds and a conversation in use', () => {
  it('says store: false of a response whose conversation would no longer fit, instead of evicting its own earlier turns', async () => {
    const logged: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string) => void logged.push(message) };
    const router = createRouter({ providers: testProviders(), apiKey: 'test-demo', logger, responses: { maxEntries: 3 } });
    const model = 'llama-3.3-70b-instruct';
    const other = await router.responses.create({ model, input: 'Another conversation.' });
    let previous: ResponseObject | undefined;
    for (let turn = 0; turn < 3; turn++) {
      previous = await router.responses.create({ model, input: `Turn ${turn}.`, ...(previous ? { previous_response_id: previous.id } : {}) });
      expect(previous.store).toBe(true);
    }
    // A fourth turn needs four stored responses: the store keeps three.
    const fourth = await router.responses.create({ model, input: 'Turn 3.', previous_response_id: previous!.id });
    expect(fourth.store).toBe(false);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('maxEntries');
    // The conversation up to the third turn is whole: it can still be continued from there.
    await expect(router.responses.create({ model, input: 'Turn 3 again.', previous_response_id: previous!.id, store: false })).resolves.toMatchObject({
      status: 'completed',
    });
    expect(other.store).toBe(true);
  });
});

describe('what router.fetch serves of /v1/responses', () => {
  it('answers retrieve, delete, input items and cancel with a 404 saying stored responses are only continued', async () => {
    const { router, client, audit } = setup();
    const response = await client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi' });
    const calls = [
      () => client.responses.retrieve(response.id),
      () => client.responses.delete(response.id),
      () => client.responses.inputItems.list(response.id),
      () => client.responses.cancel(response.id),
    ];
    for (const call of calls) {
      const refused = await call().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
      expect((refused as Error).message).toMatch(/is not served: this router keeps a response only so that it can be continued with previous_response_id/);
    }
    // Other paths under /v1/responses (counting input tokens) are simply unknown.
    const count = await router.fetch('http://sovroute.local/v1/responses/input_tokens', { method: 'POST', body: '{}' });
    expect(count.status).toBe(404);
    expect(((await count.json()) as { error: { message: string } }).error.message).toBe('Unknown path /v1/responses/input_tokens.');
    await router.flush();
    expect(audit.records).toHaveLength(1);
  });
});

describe('a router that keeps no responses', () => {
  it('says so when a request continues a response or names an item, rather than blame the request’s store field', async () => {
    const { client } = setup({ store: false });
    const kept = await client.responses.create({ model: 'eu-sovereign/cheapest', input: 'Hi' });
    const continued = client.responses.create({ model: 'eu-sovereign/cheapest', previous_response_id: kept.id, input: 'More.' });
    await expect(continued).rejects.toMatchObject({ status: 400, param: 'previous_response_id', message: expect.stringMatching(/keeps no responses \(responses: \{ store: false \}\)/) });
    const referenced = client.responses.create({ model: 'eu-sovereign/cheapest', input: [{ type: 'item_reference', id: 'msg_1' }] });
    await expect(referenced).rejects.toMatchObject({ status: 400, param: 'input[0].id', message: expect.stringMatching(/keeps no responses/) });
  });
});
