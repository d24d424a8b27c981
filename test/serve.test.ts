import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../src/index.js';
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
});
