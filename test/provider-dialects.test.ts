import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import { createRouter, mistralEU, openai } from '../src/index.js';
import { mockServer, sseBody, sseEvents } from './helpers/msw.js';

/*
 * Upstreams whose chat completions wire differs from OpenAI's, as their presets declare it:
 * Mistral AI refuses fields it does not know (422 "Extra inputs are not permitted"), among them
 * `stream_options`, `max_completion_tokens` and `seed` (its own is `random_seed`), and reports a
 * stream's usage on its last chunk unasked; OpenAI's reasoning models refuse `max_tokens`.
 */

const mock = mockServer();
const mistralURL = 'https://api.eu.mistral.ai/v1/chat/completions';
const openaiURL = 'https://api.openai.com/v1/chat/completions';

/** What Mistral AI's API answers a body with a field it does not take. */
function extraForbidden(field: string, input: unknown) {
  return HttpResponse.json(
    { object: 'error', message: { detail: [{ type: 'extra_forbidden', loc: ['body', field], msg: 'Extra inputs are not permitted', input }] }, type: 'invalid_request_error', param: null, code: null },
    { status: 422 },
  );
}

/** A Mistral-like upstream: refuses what Mistral refuses; streams with usage on the last chunk. */
function mistralUpstream() {
  const bodies: Record<string, unknown>[] = [];
  mock.use(
    http.post(mistralURL, async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      bodies.push(body);
      for (const field of ['stream_options', 'max_completion_tokens', 'seed']) if (field in body) return extraForbidden(field, body[field]);
      const ids = (body.messages as { tool_call_id?: string; tool_calls?: { id: string }[] }[]).flatMap((message) => [message.tool_call_id, ...(message.tool_calls ?? []).map((call) => call.id)]);
      const badId = ids.find((id) => id !== undefined && !/^[a-zA-Z0-9]{9}$/.test(id));
      if (badId !== undefined) {
        return HttpResponse.json({ object: 'error', message: `Tool call id was ${badId} but must be a-z, A-Z, 0-9, with a length of 9.`, type: 'invalid_function_call', param: null, code: '3280' }, { status: 400 });
      }
      const base = { id: 'cmpl-m1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'mistral-small-2603' };
      const usage = { prompt_tokens: 1000, completion_tokens: 2000, total_tokens: 3000 };
      if (body.stream !== true) {
        return HttpResponse.json({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour' }, finish_reason: 'stop' }], usage });
      }
      return new HttpResponse(
        sseBody([
          sseEvents(
            { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Bon' }, finish_reason: null }] },
            { ...base, choices: [{ index: 0, delta: { content: 'jour' }, finish_reason: 'stop' }], usage },
            '[DONE]',
          ),
        ]),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    }),
  );
  return bodies;
}

const mistralRouter = () => createRouter({ providers: [mistralEU({ apiKey: 'sk-mistral-test' })], policy: 'eu-sovereign', currency: 'USD' });

describe('Mistral AI (mistral() and mistralEU())', () => {
  test('a stream is sent without stream_options, and its cost is read from the usage on the last chunk', async () => {
    const bodies = mistralUpstream();
    const stream = await mistralRouter().chat.completions.create({
      model: 'mistral-small-4',
      messages: [{ role: 'user', content: 'Salut' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let last: { usage?: { cost?: number; prompt_tokens: number; completion_tokens: number } | null } | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      last = chunk as typeof last;
    }
    expect(text).toBe('Bonjour');
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).not.toHaveProperty('stream_options');
    expect(bodies[0]).toMatchObject({ stream: true, model: 'mistral-small-2603' });
    // 1,000 × 0.165 + 2,000 × 0.66 USD per million tokens.
    expect(last?.usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 2000 });
    expect(last?.usage?.cost).toBeCloseTo(0.001485, 9);
  });

  test('max_completion_tokens is sent as max_tokens (with both set, the smaller), and seed as random_seed', async () => {
    const bodies = mistralUpstream();
    const router = mistralRouter();
    const answer = await router.chat.completions.create({ model: 'mistral-small-4', messages: [{ role: 'user', content: 'Salut' }], max_completion_tokens: 300, seed: 7 });
    expect(answer.choices[0]?.message.content).toBe('Bonjour');
    await router.chat.completions.create({ model: 'mistral-small-4', messages: [{ role: 'user', content: 'Salut' }], max_completion_tokens: 300, max_tokens: 500 });
    expect(bodies.map((body) => [body.max_tokens, 'max_completion_tokens' in body, body.random_seed, 'seed' in body])).toEqual([
      [300, false, 7, false],
      [300, false, undefined, false],
    ]);
  });

  test("a conversation whose tool calls another provider answered (ids call_…, toolu_…) goes on at Mistral, the caller's messages untouched", async () => {
    const bodies = mistralUpstream();
    const messages = [
      { role: 'user' as const, content: 'Weather in Paris and Lyon?' },
      {
        role: 'assistant' as const,
        content: null,
        tool_calls: [
          { id: 'call_PTLP8xhu3uwZk4l3nlnrrJha', type: 'function' as const, function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function' as const, function: { name: 'weather', arguments: '{"city":"Lyon"}' } },
        ],
      },
      { role: 'tool' as const, tool_call_id: 'call_PTLP8xhu3uwZk4l3nlnrrJha', content: '18 °C' },
      { role: 'tool' as const, tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: '21 °C' },
    ];
    const before = structuredClone(messages);
    const answer = await mistralRouter().chat.completions.create({ model: 'mistral-small-4', messages });
    expect(answer.choices[0]?.message.content).toBe('Bonjour');
    const sent = bodies[0]!.messages as { tool_call_id?: string; tool_calls?: { id: string }[] }[];
    const calls = sent[1]!.tool_calls!.map((call) => call.id);
    expect(calls.every((id) => /^[a-zA-Z0-9]{9}$/.test(id))).toBe(true);
    expect(new Set(calls).size).toBe(2);
    expect([sent[2]!.tool_call_id, sent[3]!.tool_call_id]).toEqual(calls);
    expect(messages).toEqual(before);
  });

  test("a whole answer's tool call, which Mistral sends without type, reaches the caller as type 'function'", async () => {
    mock.use(
      http.post(mistralURL, () =>
        HttpResponse.json({
          id: 'cmpl-m2',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'mistral-small-2603',
          choices: [{ index: 0, message: { role: 'assistant', content: '', tool_calls: [{ id: 'aB3dE6gH9', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] }, finish_reason: 'tool_calls' }],
          usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
        }),
      ),
    );
    const answer = await mistralRouter().chat.completions.create({
      model: 'mistral-small-4',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const calls = answer.choices[0]?.message.tool_calls ?? [];
    expect(calls.filter((call) => call.type === 'function').map((call) => call.function.name)).toEqual(['weather']);
  });

  test('a Responses request limited by max_output_tokens streams from Mistral', async () => {
    const bodies = mistralUpstream();
    const events: string[] = [];
    const stream = await mistralRouter().responses.create({ model: 'mistral-small-4', input: 'Salut', max_output_tokens: 64, stream: true });
    for await (const event of stream) events.push(event.type);
    expect(events.at(-1)).toBe('response.completed');
    expect(bodies[0]).toMatchObject({ max_tokens: 64, stream: true });
    expect(bodies[0]).not.toHaveProperty('stream_options');
  });
});

describe('OpenAI (openai())', () => {
  test('max_tokens is sent as max_completion_tokens, which reasoning models require', async () => {
    const bodies: Record<string, unknown>[] = [];
    mock.use(
      http.post(openaiURL, async ({ request }) => {
        const body = (await request.json()) as Record<string, unknown>;
        bodies.push(body);
        if ('max_tokens' in body) {
          return HttpResponse.json(
            { error: { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter' } },
            { status: 400 },
          );
        }
        return HttpResponse.json({
          id: 'chatcmpl-o1',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'gpt-5.4-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
        });
      }),
    );
    const router = createRouter({ providers: [openai({ apiKey: 'sk-openai-test' })], policy: 'global' });
    const answer = await router.chat.completions.create({ model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 50 });
    expect(answer.choices[0]?.message.content).toBe('Hi');
    const response = await router.responses.create({ model: 'gpt-5.4-mini', input: 'Hi', max_output_tokens: 40 });
    expect(response.status).toBe('completed');
    expect(bodies.map((body) => [body.max_completion_tokens, 'max_tokens' in body])).toEqual([
      [50, false],
      [40, false],
    ]);
  });
});
