import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAI as createOpenAIV2 } from '@ai-sdk/openai-v2';
import { AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import * as aiV5 from 'ai-v5';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRouter, memoryAudit, type Router } from '../src/index.js';
import { serve } from '../src/node/index.js';
import { testProviders } from './helpers/providers.js';

/*
 * Real Responses clients against the router with a test key, in-process (router.fetch) and over
 * a socket (serve() on 127.0.0.1): the openai SDK, the Vercel AI SDK's default OpenAI model (AI SDK 6
 * with @ai-sdk/openai 3, and AI SDK 5 with @ai-sdk/openai 2, whose tool loop sends item_reference), and
 * LangChain's ChatOpenAI with useResponsesApi. Test keys answer with the pseudo-LLM: nothing
 * leaves the process.
 */

const audit = memoryAudit();
const router: Router = createRouter({ providers: testProviders(), policy: 'global', keys: { 'test-clients': { label: 'clients' } }, audit: { sinks: [audit], content: 'full' } });
let server: Server;
let served: string;

beforeAll(async () => {
  server = await serve(router, { port: 0 });
  served = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The request bodies a client sent, to see what it asked for (item_reference, previous_response_id). */
const sent: Record<string, unknown>[] = [];
const recordingFetch = (inner: typeof fetch): typeof fetch => async (input, init) => {
  if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as Record<string, unknown>);
  return inner(input, init);
};

const transports = [
  { name: 'router.fetch', baseURL: () => 'http://sovroute.local/v1', fetch: () => recordingFetch(router.fetch as typeof fetch) },
  { name: 'serve()', baseURL: () => served, fetch: () => recordingFetch(globalThis.fetch) },
];

const weatherSchema = z.object({ city: z.string() });

describe.each(transports)('clients through $name', (transport) => {
  const aiSdk = () => createOpenAI({ apiKey: 'test-clients', baseURL: transport.baseURL(), fetch: transport.fetch() });
  const langchain = () =>
    new ChatOpenAI({ model: 'gpt-4o', apiKey: 'test-clients', useResponsesApi: true, maxRetries: 0, configuration: { baseURL: transport.baseURL(), fetch: transport.fetch() } });

  it('openai SDK: responses.create, streamed and not, and responses.stream()', async () => {
    const client = new OpenAI({ apiKey: 'test-clients', baseURL: transport.baseURL(), fetch: transport.fetch(), maxRetries: 0 });
    const response = await client.responses.create({ model: 'gpt-4o', input: 'Hi' });
    expect(response.output_text).toMatch(/^Pseudo-LLM reply to "Hi"/);
    expect((response as unknown as { provider: string }).provider).toBe('us-ai');
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'Hi', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe(response.output_text);
    const final = await client.responses.stream({ model: 'gpt-4o', input: 'Hi', previous_response_id: response.id }).finalResponse();
    expect(final.status).toBe('completed');
    expect(final.previous_response_id).toBe(response.id);
    expect((final.usage as unknown as { cost: number }).cost).toBeGreaterThan(0);
  });

  it('AI SDK openai("gpt-4o"): generateText and streamText', async () => {
    const model = aiSdk()('gpt-4o');
    const generated = await generateText({ model, system: 'Answer in one short sentence.', prompt: 'What is the capital of France?' });
    expect(generated.text).toMatch(/^Pseudo-LLM reply to "What is the capital of France\?"/);
    expect(generated.finishReason).toBe('stop');
    expect(generated.usage.inputTokens).toBeGreaterThan(0);
    expect(sent.at(-1)).toMatchObject({ model: 'gpt-4o', input: [{ role: 'system' }, { role: 'user' }] });

    const streamed = streamText({ model, system: 'Answer in one short sentence.', prompt: 'What is the capital of France?' });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text).toBe(generated.text);
    expect(await streamed.finishReason).toBe('stop');
    expect((await streamed.usage).outputTokens).toBe(generated.usage.outputTokens);
  });

  it('AI SDK: a multi-step tool loop, streamed and not', async () => {
    const executed: string[] = [];
    const tools = {
      get_weather: tool({ description: 'Current weather for a city', inputSchema: weatherSchema, execute: async ({ city }) => (executed.push(city), { city, temp_c: 18 }) }),
    };
    const model = aiSdk()('gpt-4o');
    const result = await generateText({ model, prompt: 'What is the weather in Paris?', tools, stopWhen: stepCountIs(3) });
    expect(result.steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(executed).toHaveLength(1);
    expect(result.text).toMatch(/^Pseudo-LLM reply to "What is the weather in Paris\?"/);
    // The second step carried the call and its result back.
    expect(sent.at(-1)!.input).toEqual([
      expect.objectContaining({ role: 'user' }),
      expect.objectContaining({ type: 'function_call', name: 'get_weather' }),
      expect.objectContaining({ type: 'function_call_output' }),
    ]);

    const streamed = streamText({ model, prompt: 'What is the weather in Paris?', tools, stopWhen: stepCountIs(3) });
    for await (const _part of streamed.fullStream);
    expect((await streamed.steps).map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(executed).toHaveLength(2);
  });

  it('AI SDK: later turns by previous_response_id and by item_reference (store: true)', async () => {
    const provider = aiSdk();
    const first = await generateText({ model: provider('gpt-4o'), prompt: 'Name one EU country.', providerOptions: { openai: { store: true } } });
    const responseId = first.providerMetadata?.openai?.responseId as string;
    expect(responseId).toMatch(/^resp_/);

    const byId = await generateText({ model: provider('gpt-4o'), prompt: 'And another one?', providerOptions: { openai: { previousResponseId: responseId } } });
    expect(sent.at(-1)).toMatchObject({ previous_response_id: responseId });
    expect(byId.text).toMatch(/^Pseudo-LLM reply to "And another one\?"/);

    // The assistant's earlier text goes back as a reference to the stored message item.
    await generateText({
      model: provider('gpt-4o'),
      messages: [{ role: 'user', content: 'Name one EU country.' }, ...first.response.messages, { role: 'user', content: 'And another one?' }],
      providerOptions: { openai: { store: true } },
    });
    const input = sent.at(-1)!.input as { type?: string; id?: string }[];
    expect(input[1]).toEqual({ type: 'item_reference', id: expect.stringMatching(/^msg_/) });
    await router.flush();
    const prompt = (audit.records.at(-1)!.content as { prompt: unknown[] }).prompt;
    expect(prompt[1]).toEqual({ role: 'assistant', content: first.text });
  });

  it('AI SDK 5 (@ai-sdk/openai 2): the default tool loop, whose later steps send item_reference', async () => {
    const executed: string[] = [];
    const tools = {
      get_weather: aiV5.tool({ description: 'Current weather for a city', inputSchema: weatherSchema, execute: async ({ city }) => (executed.push(city), { city, temp_c: 18 }) }),
    };
    const model = createOpenAIV2({ apiKey: 'test-clients', baseURL: transport.baseURL(), fetch: transport.fetch() })('gpt-4o');
    const result = await aiV5.generateText({ model, prompt: 'What is the weather in Paris?', tools, stopWhen: aiV5.stepCountIs(3) });
    expect(result.steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(result.text).toMatch(/^Pseudo-LLM reply to "What is the weather in Paris\?"/);
    const input = sent.at(-1)!.input as { type?: string; id?: string }[];
    expect(input[1]).toEqual({ type: 'item_reference', id: expect.stringMatching(/^fc_/) });
    await router.flush();
    // The router put the stored call back in front of its result.
    const prompt = (audit.records.at(-1)!.content as { prompt: { role: string; tool_calls?: { function: { name: string } }[] }[] }).prompt;
    expect(prompt.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(prompt[1]!.tool_calls![0]!.function.name).toBe('get_weather');

    const streamed = aiV5.streamText({ model, prompt: 'What is the weather in Paris?', tools, stopWhen: aiV5.stepCountIs(3) });
    for await (const _part of streamed.fullStream);
    expect((await streamed.steps).map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect((sent.at(-1)!.input as { type?: string }[])[1]!.type).toBe('item_reference');
    expect(executed).toHaveLength(2);
  });

  it('AI SDK: generateObject with a JSON schema', async () => {
    const { object } = await generateObject({ model: aiSdk()('gpt-4o'), schema: z.object({ name: z.string(), age: z.number() }), prompt: 'A person.' });
    expect(typeof object.name).toBe('string');
    expect(typeof object.age).toBe('number');
    expect(sent.at(-1)).toMatchObject({ text: { format: { type: 'json_schema' } } });
  });

  it('LangChain ChatOpenAI with useResponsesApi: invoke, stream and bindTools', async () => {
    const model = langchain();
    const message = await model.invoke('What is the capital of France?');
    expect(message.text).toMatch(/^Pseudo-LLM reply to "What is the capital of France\?"/);
    const tokens = (message.usage_metadata as { total_tokens: number } | undefined)?.total_tokens;
    expect(tokens).toBeGreaterThan(0);
    expect(message.response_metadata.status).toBe('completed');
    expect(sent.at(-1)).toMatchObject({ stream: false, text: {} });

    let streamed: AIMessageChunk | undefined;
    for await (const chunk of await model.stream('What is the capital of France?')) streamed = streamed ? streamed.concat(chunk) : chunk;
    expect(streamed!.text).toBe(message.text);
    expect((streamed!.usage_metadata as { total_tokens: number } | undefined)?.total_tokens).toBe(tokens);

    const bound = model.bindTools([{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }]);
    const call = await bound.invoke('What is the weather in Paris?');
    expect(call.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: expect.any(String) }, id: expect.stringMatching(/^call_/) })]);
    let streamedCall: AIMessageChunk | undefined;
    for await (const chunk of await bound.stream('What is the weather in Paris?')) streamedCall = streamedCall ? streamedCall.concat(chunk) : chunk;
    expect(streamedCall!.tool_calls).toEqual(call.tool_calls);
  });
});

describe('audit of client traffic', () => {
  it('wrote one responses record per request the clients made', async () => {
    await router.flush();
    const posts = sent.length;
    expect(audit.records).toHaveLength(posts);
    expect(audit.records.every((record) => record.endpoint === 'responses' && record.outcome === 'success')).toBe(true);
  });
});
