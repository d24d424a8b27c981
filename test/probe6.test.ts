import { http, HttpResponse } from 'msw';
import OpenAI7 from 'openai-v7';
import OpenAI4 from 'openai-v4';
import { it } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible } from '../src/index.js';
import { mockServer, sseBody } from './helpers/msw.js';
const upstream = mockServer();
const url = 'https://api.priced.test/v1/chat/completions';
const c = (choices: object[], extra: object = {}) => JSON.stringify({ id: 'cc-1', object: 'chat.completion.chunk', created: 1, model: 'vendor/model-a', choices, ...extra });
const ev = (...xs: string[]) => xs.map((x) => `data: ${x}\n\n`).join('');
const raw = [ev(
  c([{ index: 0, delta: { role: 'assistant', content: null, reasoning_content: 'Let me think' }, finish_reason: null }]),
  c([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }] }, finish_reason: null }]),
  c([{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '' } }] }, finish_reason: null }]),
  c([{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: '{}' } }] }, finish_reason: null }]),
  c([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' }]),
  c([], { usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }),
  '[DONE]')];
function setup() {
  upstream.use(http.post(url, () => new HttpResponse(sseBody(raw), { headers: { 'content-type': 'text/event-stream' } })));
  const audit = memoryAudit();
  const provider = openaiCompatible({ id: 'priced', baseURL: 'https://api.priced.test/v1', jurisdiction: { operator: { name: 'P', country: 'FR', parents: [] }, hosting: ['FR'] }, models: [{ id: 'model-a', capabilities: ['chat', 'tools'] as never, price: { input: 2, output: 6, currency: 'EUR' } }] });
  return { router: createRouter({ providers: [provider], retry: { retries: 0 }, audit: [audit] }), audit };
}
const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object', properties: {} } } }, { type: 'function' as const, function: { name: 'g', parameters: { type: 'object', properties: {} } } }];
it('v7 helper', async () => {
  const { router, audit } = setup();
  const client = new OpenAI7({ apiKey: 'x', baseURL: 'http://r.local/v1', fetch: router.fetch, maxRetries: 0 });
  const final = await client.chat.completions.stream({ model: 'model-a', messages: [{ role: 'user', content: 'hi' }], tools, stream_options: { include_usage: true } }).finalChatCompletion();
  await router.flush();
  console.log('V7', JSON.stringify(final.choices), JSON.stringify(final.usage), audit.records.map((r) => r.outcome));
});
it('v4 helper', async () => {
  const { router, audit } = setup();
  const client = new OpenAI4({ apiKey: 'x', baseURL: 'http://r.local/v1', fetch: router.fetch as never, maxRetries: 0 });
  const final = await client.beta.chat.completions.stream({ model: 'model-a', messages: [{ role: 'user', content: 'hi' }], tools }).finalChatCompletion();
  await router.flush();
  console.log('V4', JSON.stringify(final.choices), JSON.stringify(final.usage), audit.records.map((r) => r.outcome));
});
