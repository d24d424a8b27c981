import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { anthropic, createRouter, exportAudit, memoryAudit, openai, openaiCompatible, type ChatCompletionChunk } from '../src/index.js';
import { mockServer, sseBody } from './helpers/msw.js';

/*
 * Prompt tokens the upstream served from its prompt cache cost what the vendor bills for them
 * (a tenth of input, often), not the full input price; Anthropic's cache writes cost their own
 * price too. Both are part of `prompt_tokens`, so each is counted once.
 */

const upstream = mockServer();
const messages = [{ role: 'user' as const, content: 'Summarise the attached contract.' }];
const facts = { operator: { name: 'Example SAS', country: 'FR' }, hosting: ['FR'] };

/** 1,000 prompt tokens of which 800 were read from the cache, and 100 completion tokens. */
const cachedUsage = { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100, prompt_tokens_details: { cached_tokens: 800 } };
const completion = (usage: object) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-6-sol',
  choices: [{ index: 0, message: { role: 'assistant', content: 'It is a lease.' }, finish_reason: 'stop', logprobs: null }],
  usage,
});

function cachingCloud(price: { input: number; output: number; cachedInput?: number; currency: 'EUR' | 'USD' }) {
  return createRouter({
    providers: [openaiCompatible({ id: 'caching-cloud', baseURL: 'https://caching-cloud.test/v1', jurisdiction: facts, models: [{ id: 'model-a', price }] })],
    currency: 'EUR',
    fx: { EUR: 1, USD: 0.5 },
  });
}

describe('cached prompt tokens', () => {
  it('cost the cached-input price on an OpenAI-compatible answer, the rest of the prompt the input price', async () => {
    upstream.use(http.post('https://caching-cloud.test/v1/chat/completions', () => HttpResponse.json(completion(cachedUsage))));
    const response = await cachingCloud({ input: 2, output: 10, cachedInput: 0.2, currency: 'EUR' }).chat.completions.create({ model: 'model-a', messages });
    // 200 uncached at 2, 800 cached at 0.2, 100 completion at 10 (per 1M): 0.00156, not 0.003.
    expect(response.usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100, prompt_tokens_details: { cached_tokens: 800 } });
    expect(response.usage.cost).toBeCloseTo(0.00156, 12);
  });

  it('cost the cached-input price on a stream’s last chunk, converted to the router’s currency', async () => {
    const chunk = (delta: object, finish: string | null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'model-a', choices: [{ index: 0, delta, finish_reason: finish }] });
    const events = [chunk({ role: 'assistant', content: 'It is a lease.' }, null), chunk({}, 'stop'), { ...chunk({}, null), choices: [], usage: cachedUsage }];
    upstream.use(
      http.post('https://caching-cloud.test/v1/chat/completions', () =>
        new HttpResponse(sseBody([...events.map((event) => `data: ${JSON.stringify(event)}\n\n`), 'data: [DONE]\n\n']), { headers: { 'content-type': 'text/event-stream' } }),
      ),
    );
    const stream = await cachingCloud({ input: 2, output: 10, cachedInput: 0.2, currency: 'USD' }).chat.completions.create({ model: 'model-a', messages, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const each of stream) chunks.push(each);
    // The same call in USD at 1 USD = 0.5 EUR.
    expect((chunks.at(-1)!.usage as { cost: number; currency: string }).currency).toBe('EUR');
    expect((chunks.at(-1)!.usage as { cost: number }).cost).toBeCloseTo(0.00078, 12);
  });

  it('cost the input price where the deployment gives cache reads no price of their own', async () => {
    upstream.use(http.post('https://caching-cloud.test/v1/chat/completions', () => HttpResponse.json(completion(cachedUsage))));
    const response = await cachingCloud({ input: 2, output: 10, currency: 'EUR' }).chat.completions.create({ model: 'model-a', messages });
    expect(response.usage.cost).toBeCloseTo(0.003, 12);
  });

  it('are never counted as more than the prompt, nor priced below zero, when an upstream reports more cached than prompt tokens', async () => {
    const inconsistent = { prompt_tokens: 100, completion_tokens: 0, total_tokens: 100, prompt_tokens_details: { cached_tokens: 5000 } };
    upstream.use(http.post('https://caching-cloud.test/v1/chat/completions', () => HttpResponse.json(completion(inconsistent))));
    const response = await cachingCloud({ input: 2, output: 10, cachedInput: 0.2, currency: 'EUR' }).chat.completions.create({ model: 'model-a', messages });
    // All 100 prompt tokens cached: 100 × 0.2 per 1M.
    expect(response.usage.cost).toBeCloseTo(0.00002, 12);
  });

  it('cost what OpenAI bills for them on the openai() preset’s gpt-6-sol (0.20 USD per 1M cached, 2.00 uncached)', async () => {
    upstream.use(http.post('https://api.openai.com/v1/chat/completions', () => HttpResponse.json(completion(cachedUsage))));
    const router = createRouter({ providers: [openai({ apiKey: 'sk-test' })], policy: 'global', currency: 'USD' });
    const response = await router.chat.completions.create({ model: 'openai/gpt-6-sol', messages });
    expect(response.usage.cost).toBeCloseTo((200 * 2 + 800 * 0.2 + 100 * 10) / 1e6, 12);
  });

  it('read from and written to Anthropic’s cache cost a tenth and 1.25× of input on the anthropic() preset', async () => {
    const usage = { input_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 500, output_tokens: 10 };
    const answer = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-5', content: [{ type: 'text', text: 'A lease.' }], stop_reason: 'end_turn', usage };
    upstream.use(http.post('https://api.anthropic.com/v1/messages', () => HttpResponse.json(answer)));
    const router = createRouter({ providers: [anthropic({ apiKey: 'sk-ant-test' })], policy: 'global', currency: 'USD' });
    const response = await router.chat.completions.create({ model: 'anthropic/claude-sonnet-5', messages });
    expect(response.usage).toMatchObject({ prompt_tokens: 1520, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 500 } });
    // 20 at 3, 1,000 cache reads at 0.30, 500 cache writes at 3.75, 10 output at 15 (USD per 1M).
    expect(response.usage.cost).toBeCloseTo((20 * 3 + 1000 * 0.3 + 500 * 3.75 + 10 * 15) / 1e6, 12);
  });

  it('keep the preset’s proportion to input under a price override that leaves them out: a negotiated Claude rate still bills cache reads at a tenth', async () => {
    const usage = { input_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 500, output_tokens: 10 };
    const answer = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-5', content: [{ type: 'text', text: 'A lease.' }], stop_reason: 'end_turn', usage };
    upstream.use(http.post('https://api.anthropic.com/v1/messages', () => HttpResponse.json(answer)));
    const cost = async (options: Parameters<typeof anthropic>[0]) => {
      const router = createRouter({ providers: [anthropic({ apiKey: 'sk-ant-test', ...options })], policy: 'global', currency: 'USD' });
      const listed = (await router.models.list()).data.find((model) => model.id === 'anthropic/claude-sonnet-5');
      return { cost: (await router.chat.completions.create({ model: 'anthropic/claude-sonnet-5', messages })).usage.cost, price: listed?.price };
    };
    // 10 % off the list price (3 / 15): cache reads 0.27, cache writes 3.375 (USD per 1M), as Anthropic bills them.
    const negotiated = { input: 2.7, output: 13.5, currency: 'USD' as const };
    const expected = (20 * 2.7 + 1000 * 0.27 + 500 * 3.375 + 10 * 13.5) / 1e6;
    const byPrices = await cost({ prices: { 'claude-sonnet-5': negotiated } });
    expect(byPrices.price).toEqual({ input: 2.7, output: 13.5, cachedInput: 0.27, cacheWrite: 3.375, currency: 'USD' });
    expect(byPrices.cost).toBeCloseTo(expected, 12);
    // The same price given on a models entry that changes the built-in model.
    expect((await cost({ models: [{ id: 'claude-sonnet-5', price: negotiated }] })).cost).toBeCloseTo(expected, 12);
    // Cache prices the override gives are its own; one it leaves out still follows input.
    const own = await cost({ prices: { 'claude-sonnet-5': { ...negotiated, cachedInput: 0.5 } } });
    expect(own.price).toEqual({ input: 2.7, output: 13.5, cachedInput: 0.5, cacheWrite: 3.375, currency: 'USD' });
    expect(own.cost).toBeCloseTo((20 * 2.7 + 1000 * 0.5 + 500 * 3.375 + 10 * 13.5) / 1e6, 12);
  });

  it('keep the preset’s proportion under an override in another currency, and stay at input for a model the preset prices no cache for', async () => {
    const router = createRouter({
      providers: [anthropic({ apiKey: 'sk-ant-test', prices: { 'claude-sonnet-5': { input: 2, output: 10, currency: 'EUR' } } }), openai({ apiKey: 'sk-test', prices: { 'gpt-4o-mini': { input: 0.2, output: 0.8, currency: 'USD' } } })],
      policy: 'global',
      currency: 'EUR',
      fx: { EUR: 1, USD: 1 },
    });
    const listed = new Map((await router.models.list()).data.map((model) => [model.id, model.price]));
    expect(listed.get('anthropic/claude-sonnet-5')).toEqual({ input: 2, output: 10, cachedInput: 0.2, cacheWrite: 2.5, currency: 'EUR' });
    expect(openai().models.find((offer) => offer.id === 'gpt-4o-mini')?.price?.cachedInput).toBeUndefined();
    expect(listed.get('openai/gpt-4o-mini')).toEqual({ input: 0.2, output: 0.8, currency: 'EUR' });
  });

  it('are in the usage of a Responses API answer, so its cost can be recomputed from it, as from a chat answer', async () => {
    const usage = { input_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 500, output_tokens: 10 };
    const answer = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-5', content: [{ type: 'text', text: 'A lease.' }], stop_reason: 'end_turn', usage };
    upstream.use(http.post('https://api.anthropic.com/v1/messages', () => HttpResponse.json(answer)));
    const router = createRouter({ providers: [anthropic({ apiKey: 'sk-ant-test' })], policy: 'global', currency: 'USD' });
    const response = await router.responses.create({ model: 'anthropic/claude-sonnet-5', input: 'Summarise the attached contract.', store: false });
    expect(response.usage).toMatchObject({ input_tokens: 1520, input_tokens_details: { cached_tokens: 1000, cache_write_tokens: 500 }, output_tokens: 10 });
    expect(response.usage!.cost).toBeCloseTo((20 * 3 + 1000 * 0.3 + 500 * 3.75 + 10 * 15) / 1e6, 12);
  });

  it('are in the audit record, so its cost can be recomputed from the record alone, and in the CSV export', async () => {
    const usage = { input_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 500, output_tokens: 10 };
    const answer = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-5', content: [{ type: 'text', text: 'A lease.' }], stop_reason: 'end_turn', usage };
    upstream.use(http.post('https://api.anthropic.com/v1/messages', () => HttpResponse.json(answer)));
    const audit = memoryAudit();
    const router = createRouter({ providers: [anthropic({ apiKey: 'sk-ant-test' })], policy: 'global', currency: 'USD', audit: [audit] });
    await router.chat.completions.create({ model: 'anthropic/claude-sonnet-5', messages });
    await router.flush();
    const record = audit.records[0]!;
    expect(record.usage).toEqual({ prompt_tokens: 1520, completion_tokens: 10, total_tokens: 1530, cached_tokens: 1000, cache_write_tokens: 500 });
    // The preset's USD prices per 1M: input 3, cache reads 0.30, cache writes 3.75, output 15.
    const { prompt_tokens, cached_tokens = 0, cache_write_tokens = 0, completion_tokens } = record.usage!;
    expect(record.cost).toBeCloseTo(((prompt_tokens - cached_tokens - cache_write_tokens) * 3 + cached_tokens * 0.3 + cache_write_tokens * 3.75 + completion_tokens * 15) / 1e6, 12);
    const [header, line] = exportAudit(audit.records, { format: 'csv' }).trim().split(/\r?\n/);
    const columns = header!.split(',');
    const values = line!.split(',');
    expect(values[columns.indexOf('cached_tokens')]).toBe('1000');
    expect(values[columns.indexOf('cache_write_tokens')]).toBe('500');
  });

  it('are recorded as priced: bounded by the prompt, and left out of a record whose upstream reported none', async () => {
    const inconsistent = { prompt_tokens: 100, completion_tokens: 0, total_tokens: 100, prompt_tokens_details: { cached_tokens: 5000 } };
    const plain = { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_tokens_details: { cached_tokens: 0 } };
    let answer: object = inconsistent;
    upstream.use(http.post('https://caching-cloud.test/v1/chat/completions', () => HttpResponse.json(completion(answer))));
    const audit = memoryAudit();
    const router = createRouter({
      providers: [openaiCompatible({ id: 'caching-cloud', baseURL: 'https://caching-cloud.test/v1', jurisdiction: facts, models: [{ id: 'model-a', price: { input: 2, output: 10, cachedInput: 0.2, currency: 'EUR' } }] })],
      currency: 'EUR',
      audit: [audit],
    });
    await router.chat.completions.create({ model: 'model-a', messages });
    answer = plain;
    await router.chat.completions.create({ model: 'model-a', messages });
    await router.flush();
    expect(audit.records[0]!.usage).toEqual({ prompt_tokens: 100, completion_tokens: 0, total_tokens: 100, cached_tokens: 100 });
    expect(audit.records[1]!.usage).toEqual({ prompt_tokens: 100, completion_tokens: 5, total_tokens: 105 });
  });

  it('reach the caller as recorded: a cache count larger than the prompt is capped at it, on a chat answer, a stream and a response', async () => {
    const inconsistent = { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_tokens_details: { cached_tokens: 5000 } };
    const chunk = (delta: object, finish: string | null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'model-a', choices: [{ index: 0, delta, finish_reason: finish }] });
    const events = [chunk({ role: 'assistant', content: 'It is a lease.' }, null), chunk({}, 'stop'), { ...chunk({}, null), choices: [], usage: inconsistent }];
    upstream.use(
      http.post('https://caching-cloud.test/v1/chat/completions', async ({ request }) =>
        ((await request.json()) as { stream?: boolean }).stream === true
          ? new HttpResponse(sseBody([...events.map((event) => `data: ${JSON.stringify(event)}\n\n`), 'data: [DONE]\n\n']), { headers: { 'content-type': 'text/event-stream' } })
          : HttpResponse.json(completion(inconsistent)),
      ),
    );
    const audit = memoryAudit();
    const router = createRouter({
      providers: [openaiCompatible({ id: 'caching-cloud', baseURL: 'https://caching-cloud.test/v1', jurisdiction: facts, models: [{ id: 'model-a', price: { input: 2, output: 10, cachedInput: 0.2, currency: 'EUR' } }] })],
      currency: 'EUR',
      audit: [audit],
    });
    const answer = await router.chat.completions.create({ model: 'model-a', messages });
    expect(answer.usage.prompt_tokens_details).toEqual({ cached_tokens: 100 });
    const stream = await router.chat.completions.create({ model: 'model-a', messages, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const each of stream) chunks.push(each);
    expect(chunks.at(-1)!.usage!.prompt_tokens_details).toEqual({ cached_tokens: 100 });
    const response = await router.responses.create({ model: 'model-a', input: 'Summarise the attached contract.' });
    expect(response.usage!.input_tokens_details).toEqual({ cached_tokens: 100 });
    await router.flush();
    expect(audit.records.map((record) => record.usage?.cached_tokens)).toEqual([100, 100, 100]);
  });

  it('are listed by models.list() at their own price, in the router’s currency', async () => {
    const router = cachingCloud({ input: 2, output: 10, cachedInput: 0.2, currency: 'USD' });
    const listed = await router.models.list();
    expect(listed.data[0]!.price).toEqual({ input: 1, output: 5, cachedInput: 0.1, currency: 'EUR' });
  });
});
