import { http, HttpResponse } from 'msw';
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
  const providers = Object.entries(bodies).map(([id, text], rank) => {
    upstream.use(http.post(`https://${id}.test/v1/chat/completions`, () => new HttpResponse(sseBody([text]), { headers: { 'content-type': 'text/event-stream' } })));
    return openaiCompatible({ id, baseURL: `https://${id}.test/v1`, jurisdiction, models: [{ id: 'model-a', price: { input: 1 + rank, output: 2 + rank, currency: 'EUR' } }] });
  });
  return { router: createRouter({ providers, strategy: 'cheapest', retry: { retries: 0 }, audit: [audit] }), audit };
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
