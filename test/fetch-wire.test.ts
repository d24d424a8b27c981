import { describe, expect, it } from 'vitest';
import { createRouter } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

/*
 * What router.fetch puts on the wire, read as raw text, the way a client other than the openai
 * SDK (curl, another language's SDK, an SSE library) sees it.
 */

const upstream = mockServer();
const messages = [{ role: 'user' as const, content: 'Explain data residency in two sentences.' }];

function post(body: object): Promise<Response> {
  const router = createRouter({ providers: testProviders(), policy: 'eu-hosted' });
  return router.fetch('http://sovroute.local/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-wire' },
    body: JSON.stringify(body),
  });
}

/** The events of an SSE body: each `data:` payload, checking the framing on the way. */
function events(body: string): string[] {
  expect(body.endsWith('\n\n')).toBe(true);
  const blocks = body.slice(0, -2).split('\n\n');
  for (const block of blocks) {
    // One `data:` line per event, nothing else: no `event:`, `id:` or comment lines.
    expect(block.split('\n')).toHaveLength(1);
    expect(block.startsWith('data: ')).toBe(true);
  }
  return blocks.map((block) => block.slice('data: '.length));
}

describe('router.fetch on the wire', () => {
  it('streams data-only SSE events, each followed by a blank line, ending with data: [DONE]', async () => {
    const request = { model: 'eu-hosted/llama-3.3-70b-instruct', messages, seed: 11 };
    const whole = (await (await post(request)).json()) as { choices: { message: { content: string } }[] };

    const response = await post({ ...request, stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await response.text();
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);

    const payloads = events(body);
    expect(payloads.at(-1)).toBe('[DONE]');
    const chunks = payloads.slice(0, -1).map((payload) => JSON.parse(payload) as { object: string; choices: { delta: { content?: string } }[]; usage?: { cost: number } });
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(whole.choices[0]!.message.content);
    expect(chunks.at(-1)!.usage!.cost).toBeGreaterThan(0);
    expect(upstream.requests).toHaveLength(0);
  });

  it('ends a stream cut mid-way with an error event in the OpenAI envelope, and no [DONE]', async () => {
    const response = await post({ model: 'eu-hosted/llama-3.3-70b-instruct', messages, stream: true, simulate: { fault: 'stream_cut', cut_after_chunks: 2 } });
    expect(response.status).toBe(200); // the headers went out before the cut
    const body = await response.text();
    expect(body).not.toContain('[DONE]');
    const payloads = events(body).map((payload) => JSON.parse(payload) as Record<string, unknown>);
    expect(payloads.slice(0, -1).every((payload) => payload.object === 'chat.completion.chunk')).toBe(true);
    expect(payloads.slice(0, -1).filter((payload) => (payload.choices as unknown[]).length > 0)).toHaveLength(2);
    const last = payloads.at(-1)!;
    expect(Object.keys(last)).toEqual(['error']);
    expect(last.error).toEqual({ message: expect.any(String), type: expect.any(String), code: 'upstream_error', param: null });
  });

  it('answers an error before the stream with its HTTP status and the envelope, not an event stream', async () => {
    const response = await post({ model: 'eu-hosted/llama-3.3-70b-instruct', messages, stream: true, temperature: 9 });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: { message: expect.stringMatching(/temperature/), type: 'invalid_request_error', code: 'invalid_request', param: 'temperature' } });
  });
});
