import { http, HttpResponse } from 'msw';
import OpenAI from 'openai';
import OpenAI4 from 'openai-v4';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible, RouterError, type ChatCompletionChunk } from '../src/index.js';
import { mockServer, sseBody, sseEvents } from './helpers/msw.js';

/* Chunk shapes real OpenAI-compatible upstreams send, as the caller and the audit record get them. */

const upstream = mockServer();
const jurisdiction = { operator: { name: 'Priced SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
const messages = [{ role: 'user' as const, content: 'Say hello.' }];

/** A router over deployments `primary` (cheaper, tried first) and `secondary`, whose upstreams send `bodies[id]`: raw SSE text. */
function routerOver(bodies: Record<string, string>) {
  const audit = memoryAudit();
  const tools = ['chat', 'tools'] as const;
  const providers = Object.entries(bodies).map(([id, text], rank) => {
    upstream.use(http.post(`https://${id}.test/v1/chat/completions`, () => new HttpResponse(sseBody([text]), { headers: { 'content-type': 'text/event-stream' } })));
    return openaiCompatible({ id, baseURL: `https://${id}.test/v1`, jurisdiction, models: [{ id: 'model-a', capabilities: [...tools], price: { input: 1 + rank, output: 2 + rank, currency: 'EUR' } }] });
  });
  const router = createRouter({ providers, strategy: 'cheapest', retry: { retries: 0 }, audit: { sinks: [audit], content: 'full' } });
  // As an app routes its openai SDK through the router.
  const client = new OpenAI({ apiKey: 'sk-caller', baseURL: 'http://sovroute.local/v1', fetch: router.fetch, maxRetries: 0 });
  return { router, audit, client };
}

const chunk = (delta: object, finish: string | null) => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'model-a', choices: [{ index: 0, delta, finish_reason: finish }] });

async function drain(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const received of stream) chunks.push(received);
    return { chunks, error: undefined };
  } catch (error) {
    if (!RouterError.isInstance(error)) throw error;
    return { chunks, error };
  }
}

// Ollama (before 0.2), SGLang 0.4 and some gateways send `finish_reason: ""` on every chunk that
// does not finish the answer: it is no finish reason.
describe('a stream whose chunks carry finish_reason "" until the end', () => {
  it('cut before its real finish reason, without [DONE], ends with an error, not as a complete answer', async () => {
    const { router, audit } = routerOver({ primary: sseEvents(chunk({ role: 'assistant', content: 'Hel' }, ''), chunk({ content: 'lo' }, '')) });
    const { chunks, error } = await drain(await router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(chunks.map((received) => received.choices[0]?.delta.content)).toEqual(['Hel', 'lo']);
    expect(error?.message).toMatch(/ended before completion/);
    await router.flush();
    expect(audit.records.map((record) => record.outcome)).toEqual(['error']);
  });

  it('finished by a real finish reason, without [DONE], is a complete answer', async () => {
    const { router, audit } = routerOver({ primary: sseEvents(chunk({ role: 'assistant', content: 'Hel' }, ''), chunk({ content: 'lo' }, 'stop')) });
    const { chunks, error } = await drain(await router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(error).toBeUndefined();
    expect(chunks).toHaveLength(3);
    await router.flush();
    expect(audit.records.map((record) => record.outcome)).toEqual(['success']);
  });

  it('opening with the role alone and finish_reason "", then failing, falls back: the role chunk is no substance', async () => {
    const { router, audit } = routerOver({
      primary: sseEvents(chunk({ role: 'assistant', content: '' }, ''), { error: { message: 'overloaded', type: 'server_error' } }),
      secondary: sseEvents(chunk({ role: 'assistant', content: 'Hello' }, null), chunk({}, 'stop'), '[DONE]'),
    });
    const { chunks, error } = await drain(await router.chat.completions.create({ model: 'model-a', messages, stream: true }));
    expect(error).toBeUndefined();
    expect(chunks[0]!.choices[0]!.delta.content).toBe('Hello');
    expect(chunks.at(-1)!.provider).toBe('secondary');
    await router.flush();
    expect(audit.records[0]).toMatchObject({ outcome: 'success', provider: 'secondary', fallback_used: true });
  });
});

const choices = (...entries: object[]) => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'model-a', choices: entries });
const usage = { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 };

describe('n > 1: choices interleaved, finishing at different chunks', () => {
  it('reach the openai SDK as sent, ending without [DONE] once every choice finished; one success record holds both answers', async () => {
    const { router, audit, client } = routerOver({
      primary: sseEvents(
        choices({ index: 0, delta: { role: 'assistant', content: 'Bon' }, finish_reason: null }, { index: 1, delta: { role: 'assistant', content: 'Sal' }, finish_reason: null }),
        choices({ index: 1, delta: { content: 'ut.' }, finish_reason: 'stop' }),
        choices({ index: 0, delta: { content: 'jour.' }, finish_reason: null }),
        choices({ index: 0, delta: {}, finish_reason: 'length' }),
        { ...choices(), usage },
      ),
    });
    const received: OpenAI.ChatCompletionChunk[] = [];
    for await (const part of await client.chat.completions.create({ model: 'model-a', messages, n: 2, stream: true })) received.push(part);
    expect(received.map((part) => part.choices.map((choice) => `${choice.index}:${choice.delta.content ?? ''}:${choice.finish_reason}`).join(' '))).toEqual([
      '0:Bon:null 1:Sal:null',
      '1:ut.:stop',
      '0:jour.:null',
      '0::length',
      '',
    ]);
    expect(received.at(-1)!.usage).toMatchObject({ ...usage, currency: 'EUR' });
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'success', usage, content: { completion: [{ content: 'Bonjour.' }, { content: 'Salut.' }] } });
  });

  it('cut while one choice is unfinished, without [DONE], ends with an error and an error record', async () => {
    const { router, audit, client } = routerOver({
      primary: sseEvents(
        choices({ index: 0, delta: { role: 'assistant', content: 'Bon' }, finish_reason: null }, { index: 1, delta: { role: 'assistant', content: 'Salut.' }, finish_reason: null }),
        choices({ index: 1, delta: {}, finish_reason: 'stop' }),
      ),
    });
    const stream = await client.chat.completions.create({ model: 'model-a', messages, n: 2, stream: true });
    const error = await (async () => {
      for await (const _part of stream);
    })().catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/ended before completion/);
    await router.flush();
    expect(audit.records.map((record) => record.outcome)).toEqual(['error']);
  });
});

/** The final completion of a stream asking for the weather and time tools, as the openai SDK's stream helper reads it. */
function weatherAndTime(client: ReturnType<typeof routerOver>['client']) {
  const parameters = { type: 'object', properties: {} };
  return client.chat.completions
    .stream({ model: 'model-a', messages, tools: [{ type: 'function', function: { name: 'weather', parameters } }, { type: 'function', function: { name: 'time', parameters } }] })
    .finalChatCompletion();
}

/** The two calls those streams make. */
const weatherAndTimeCalls = [
  { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
  { id: 'call_b', type: 'function', function: { name: 'time', arguments: '{"zone":"CET"}' } },
];

describe('parallel tool calls streamed interleaved, the id only on each call\'s first delta', () => {
  it('come out of the openai SDK\'s stream helper as the calls made, priced with the usage-only chunk; the record holds the same calls', async () => {
    const call = (index: number, fn: object, extra: object = {}) => choices({ index: 0, delta: { tool_calls: [{ index, ...extra, function: fn }] }, finish_reason: null });
    const { router, audit, client } = routerOver({
      primary: sseEvents(
        choices({ index: 0, delta: { role: 'assistant', content: null, reasoning_content: 'Two lookups.' }, finish_reason: null }),
        call(0, { name: 'weather', arguments: '' }, { id: 'call_a', type: 'function' }),
        call(1, { name: 'time', arguments: '' }, { id: 'call_b', type: 'function' }),
        call(0, { arguments: '{"city":' }),
        call(1, { arguments: '{"zone":"CET"}' }),
        call(0, { arguments: '"Paris"}' }),
        choices({ index: 0, delta: {}, finish_reason: 'tool_calls' }),
        { ...choices(), usage },
        '[DONE]',
      ),
    });
    const final = await weatherAndTime(client);
    const calls = weatherAndTimeCalls;
    expect(final.choices[0]!.message.tool_calls).toEqual(calls);
    expect((final.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content).toBe('Two lookups.');
    expect(final.usage).toMatchObject({ ...usage, cost: (12 * 1 + 30 * 2) / 1e6 });
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'success', usage, content: { completion: [{ content: null, tool_calls: calls }] } });
  });
});

// OpenAI's custom (freeform) tools: a call carries `custom: { name, input }`, no `function`.
describe('a streamed call of a custom tool', () => {
  it('is recorded as the custom call it is, and its input counts in the estimated completion tokens', async () => {
    const input = 'SELECT name FROM users WHERE id = 7'; // 35 characters, with the name: 38, 10 tokens
    const { router, audit, client } = routerOver({
      primary: sseEvents(
        choices({ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'custom', custom: { name: 'sql', input: '' } }] }, finish_reason: null }),
        choices({ index: 0, delta: { tool_calls: [{ index: 0, custom: { input: input.slice(0, 20) } }] }, finish_reason: null }),
        choices({ index: 0, delta: { tool_calls: [{ index: 0, custom: { input: input.slice(20) } }] }, finish_reason: 'tool_calls' }),
        '[DONE]',
      ),
    });
    let last: OpenAI.ChatCompletionChunk | undefined;
    for await (const part of await client.chat.completions.create({ model: 'model-a', messages, tools: [{ type: 'custom', custom: { name: 'sql' } }], stream: true })) last = part;
    expect(last!.usage).toMatchObject({ completion_tokens: 10, estimated: true });
    await router.flush();
    expect(audit.records[0]).toMatchObject({ outcome: 'success', content: { completion: [{ content: null, tool_calls: [{ id: 'call_1', type: 'custom', custom: { name: 'sql', input } }] }] } });
  });
});

describe('a call of a custom tool answered whole (not streamed)', () => {
  it('is the answer, not a malformed one: the caller gets the call, the record holds it, and its input counts in the estimate', async () => {
    const input = 'SELECT name FROM users WHERE id = 7'; // 35 characters, with the name: 38, 10 tokens
    const { router, audit, client } = routerOver({ primary: '' });
    const call = { id: 'call_1', type: 'custom', custom: { name: 'sql', input } };
    upstream.use(
      http.post('https://primary.test/v1/chat/completions', () =>
        HttpResponse.json({ id: 'chatcmpl-c', object: 'chat.completion', created: 1, model: 'model-a', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }] }),
      ),
    );
    const answer = await client.chat.completions.create({ model: 'model-a', messages, tools: [{ type: 'custom', custom: { name: 'sql' } }] });
    expect(answer.choices[0]!.message.tool_calls).toEqual([call]);
    expect(answer.usage).toMatchObject({ completion_tokens: 10, estimated: true });
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ outcome: 'success', content: { completion: [{ content: null, tool_calls: [call] }] } });
  });
});

describe('a call of a custom tool answered whole with function: null (serializers that write every field)', () => {
  it('is the answer, its input counted in the estimate', async () => {
    const input = 'SELECT name FROM users WHERE id = 7'; // 35 characters, with the name: 38, 10 tokens
    const { client } = routerOver({ primary: '' });
    const call = { id: 'call_1', type: 'custom', function: null, custom: { name: 'sql', input } };
    upstream.use(
      http.post('https://primary.test/v1/chat/completions', () =>
        HttpResponse.json({ id: 'chatcmpl-c', object: 'chat.completion', created: 1, model: 'model-a', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }] }),
      ),
    );
    const answer = await client.chat.completions.create({ model: 'model-a', messages, tools: [{ type: 'custom', custom: { name: 'sql' } }] });
    expect(answer.choices[0]!.message.tool_calls).toEqual([call]);
    expect(answer.usage).toMatchObject({ completion_tokens: 10, estimated: true });
  });
});

// Mistral AI (and Mistral models on Azure AI Foundry) stream a tool call whole in one delta, with
// its id and function but no `type`: the openai SDK 4's stream helper then fails with "missing
// choices[0].tool_calls[0].type".
describe('a streamed tool call whose first delta has no type (Mistral AI)', () => {
  it("reaches the caller with type 'function', as OpenAI sends it, and the openai SDK 4 stream helper reads it", async () => {
    const { router, client } = routerOver({
      primary: sseEvents(
        choices({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }),
        choices({ index: 0, delta: { tool_calls: [{ id: 'D681PevKs', function: { name: 'weather', arguments: '{"city":"Paris"}' }, index: 0 }] }, finish_reason: 'tool_calls' }),
        { ...choices(), usage },
        '[DONE]',
      ),
    });
    const received: OpenAI.ChatCompletionChunk[] = [];
    const tools = [{ type: 'function' as const, function: { name: 'weather', parameters: { type: 'object', properties: {} } } }];
    for await (const part of await client.chat.completions.create({ model: 'model-a', messages, tools, stream: true })) received.push(part);
    expect(received[1]!.choices[0]!.delta.tool_calls).toEqual([{ index: 0, id: 'D681PevKs', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }]);

    const v4 = new OpenAI4({ apiKey: 'sk-caller', baseURL: 'http://sovroute.local/v1', fetch: router.fetch as never, maxRetries: 0 });
    const final = await v4.beta.chat.completions.stream({ model: 'model-a', messages, tools }).finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls).toEqual([{ id: 'D681PevKs', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }]);
  });
});

// Ollama before 0.4.7, SGLang, mistral.rs and some proxies stream tool-call deltas without
// `index`: the openai SDK's stream helper keys calls on it.
describe('streamed tool calls whose deltas have no index', () => {
  it('reach the caller numbered in order of appearance, a delta without an id continuing the last call', async () => {
    const call = (fn: object, extra: object = {}) => choices({ index: 0, delta: { tool_calls: [{ ...extra, function: fn }] }, finish_reason: null });
    const { router, audit, client } = routerOver({
      primary: sseEvents(
        choices({ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }),
        call({ name: 'weather', arguments: '' }, { id: 'call_a', type: 'function' }),
        call({ arguments: '{"city":"Paris"}' }),
        call({ name: 'time', arguments: '' }, { id: 'call_b', type: 'function' }),
        call({ arguments: '{"zone":"CET"}' }),
        choices({ index: 0, delta: {}, finish_reason: 'tool_calls' }),
        { ...choices(), usage },
        '[DONE]',
      ),
    });
    const final = await weatherAndTime(client);
    const calls = weatherAndTimeCalls;
    expect(final.choices[0]!.message.tool_calls).toEqual(calls);
    await router.flush();
    expect(audit.records[0]).toMatchObject({ outcome: 'success', content: { completion: [{ content: null, tool_calls: calls }] } });
  });
});

// Ollama (issue 15457) and LiteLLM's ollama_chat give every parallel call index 0, each with its
// own id and name: keyed on index, the openai SDK's stream helper glues them into one call with
// arguments that are not JSON ({"path":"a.rs"}{"path":"b.rs"}).
describe('parallel tool calls streamed all at index 0, each with its own id and name', () => {
  it('reach the caller as separate calls, numbered in order, a delta without an id continuing its call', async () => {
    const call = (delta: object) => choices({ index: 0, delta: { tool_calls: [{ index: 0, ...delta }] }, finish_reason: null });
    const { router, audit, client } = routerOver({
      primary: sseEvents(
        choices({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }),
        call({ id: 'call_a', type: 'function', function: { name: 'read', arguments: '{"path":' } }),
        call({ function: { arguments: '"a.rs"}' } }),
        call({ id: 'call_b', type: 'function', function: { name: 'read', arguments: '{"path":"b.rs"}' } }),
        choices({ index: 0, delta: {}, finish_reason: 'tool_calls' }),
        '[DONE]',
      ),
    });
    const tools = [{ type: 'function' as const, function: { name: 'read', parameters: { type: 'object', properties: {} } } }];
    const final = await client.chat.completions.stream({ model: 'model-a', messages, tools }).finalChatCompletion();
    const calls = [
      { id: 'call_a', type: 'function', function: { name: 'read', arguments: '{"path":"a.rs"}' } },
      { id: 'call_b', type: 'function', function: { name: 'read', arguments: '{"path":"b.rs"}' } },
    ];
    expect(final.choices[0]!.message.tool_calls).toEqual(calls);
    await router.flush();
    expect(audit.records[0]).toMatchObject({ outcome: 'success', content: { completion: [{ content: '', tool_calls: calls }] } });
  });
});
