import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRouter, memoryAudit } from '../src/index.js';
import { serve } from '../src/node/index.js';
import { testProviders } from './helpers/providers.js';

/* serve(): the router's OpenAI surface over node:http, for clients in other processes. */

let server: Server;
let client: OpenAI;
const messages = [{ role: 'user' as const, content: 'Name one EU country.' }];

beforeAll(async () => {
  const router = createRouter({ providers: testProviders(), policy: 'eu-sovereign', keys: { 'test-served': { label: 'served' } } });
  server = await serve(router, { port: 0 });
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ apiKey: 'test-served', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('serve(router)', () => {
  it('answers the official SDK over a real socket, JSON and streamed', async () => {
    const completion = await client.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages });
    expect((completion as unknown as { provider: string }).provider).toBe('eu-cloud');

    const stream = await client.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(completion.choices[0]!.message.content);
  });

  it('refuses a key the router does not know with 401', async () => {
    const { port } = server.address() as AddressInfo;
    const stranger = new OpenAI({ apiKey: 'sk-unknown', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('passes policy errors through with their status and code', async () => {
    const error = await client.chat.completions.create({ model: 'us-ai/gpt-4o', messages }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('policy_violation');
  });

  it('refuses a body over maxBodyBytes with 413 and the envelope, before buffering it whole', async () => {
    const small = await serve(createRouter({ providers: testProviders(), apiKey: 'test-small' }), { port: 0, maxBodyBytes: 1024 });
    try {
      const { port } = small.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer test-small' },
        body: JSON.stringify({ model: 'llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'x'.repeat(4096) }] }),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: { message: expect.stringMatching(/larger than 1024 bytes/), type: 'invalid_request_error', code: 'invalid_request', param: null } });
    } finally {
      await new Promise<void>((resolve) => small.close(() => resolve()));
    }
  });

  it('records a stream the client hangs up on as aborted', async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: testProviders(), apiKey: 'test-hangup', audit: [audit] });
    const served = await serve(router, { port: 0 });
    try {
      const { port } = served.address() as AddressInfo;
      const controller = new AbortController();
      const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer test-hangup' },
        body: JSON.stringify({ model: 'llama-3.3-70b-instruct', messages, stream: true, simulate: { chunk_delay_ms: 50 } }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read(); // the first bytes arrived: the stream is under way
      controller.abort();
      await vi.waitFor(async () => {
        await router.flush();
        expect(audit.records.map((record) => record.outcome)).toEqual(['aborted']);
      });
    } finally {
      await new Promise<void>((resolve) => served.close(() => resolve()));
    }
  });
});

