import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { openaiCompatible, RouterError } from '../src/index.js';
import { euFacts } from './helpers/providers.js';
import { localUpstream, useLocalUpstreams } from './helpers/local-upstream.js';

/* An upstream's request id is kept on its errors only when it looks like one: never a credential. */

useLocalUpstreams();

const key = 'local-key-0123456789abcdef';

async function requestIdFor(headerValue: string): Promise<string | undefined> {
  const upstream = await localUpstream((_body, response: ServerResponse) => {
    response.writeHead(401, { 'content-type': 'application/json', 'x-request-id': headerValue }).end(JSON.stringify({ error: { message: 'invalid key' } }));
  });
  const provider = openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: key, jurisdiction: euFacts, models: [{ id: 'model-a' }] });
  try {
    await provider.doChat({ model: 'model-a', messages: [{ role: 'user', content: 'hi' }] }, {});
  } catch (error) {
    if (!RouterError.isInstance(error)) throw error;
    return error.requestID;
  }
  throw new Error('the call did not fail');
}

describe("an upstream error's requestID", () => {
  it('keeps an ordinary request id', async () => {
    expect(await requestIdFor('req_8f3a2b1c-77d0-4e8e-9b1a-0c5d2e6f1a2b')).toBe('req_8f3a2b1c-77d0-4e8e-9b1a-0c5d2e6f1a2b');
  });

  it.each([
    ['the configured key', key],
    ['a bearer token', `Bearer ${key}`],
    ['an sk- key', 'sk-proj-abcdefghijklmnopqrstuvwxyz'],
    ['an overlong value', 'a'.repeat(2000)],
    ['text that is no id', 'upstream saw {"authorization":"x"}'],
  ])('drops %s sent as the x-request-id', async (_what, value) => {
    expect(await requestIdFor(value)).toBeUndefined();
  });
});
