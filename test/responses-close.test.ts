import { describe, expect, it } from 'vitest';
import { createRouter, type ResponseObject, type ResponseStore, type StoredResponse } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

/*
 * router.close() and the response store: a response under way when the router closes is
 * stored before close() resolves, or says it was not (`store: false`) when its write outlasts
 * audit.drainTimeoutMs; one asked for after close() is refused.
 */

// No request may leave the process: the test key answers with the pseudo-LLM.
mockServer();

/** A store whose writes end when `write` says so; `started` resolves at the first write. */
function gatedStore(write: (response: StoredResponse) => Promise<void>) {
  const saved = new Map<string, StoredResponse>();
  let started!: () => void;
  const firstWrite = new Promise<void>((resolve) => (started = resolve));
  const store: ResponseStore = {
    get: (id) => saved.get(id),
    getItem: () => undefined,
    async set(response) {
      started();
      await write(response);
      saved.set(response.id, response);
    },
  };
  return { saved, store, firstWrite };
}

function setup(store: ResponseStore, drainTimeoutMs?: number) {
  const warnings: string[] = [];
  const logger = { debug: () => undefined, info: () => undefined, warn: (message: string) => void warnings.push(message), error: (message: string) => void warnings.push(message) };
  const router = createRouter({
    providers: testProviders(),
    apiKey: 'test-demo',
    // No audit sink: close() has nothing else to wait for than what the response store does.
    ...(drainTimeoutMs !== undefined ? { audit: { sinks: [], drainTimeoutMs } } : {}),
    logger,
    responses: { store },
  });
  return { router, warnings };
}

const model = 'llama-3.3-70b-instruct';

describe('router.close() with responses being stored', () => {
  it('resolves only once a store write in flight has ended: the response it answered is kept', async () => {
    // The write ends on a later turn of the event loop than any close() that does not wait for it.
    const { saved, store, firstWrite } = gatedStore(() => new Promise((resolve) => setTimeout(resolve, 0)));
    const { router } = setup(store);
    const response = router.responses.create({ model, input: 'Hi' });
    await firstWrite;
    await router.close();
    expect(saved.size).toBe(1);
    const answered = await response;
    expect(answered.store).toBe(true);
    expect(saved.has(answered.id)).toBe(true);
  });

  it('lets a streamed response under way complete, saying truly whether it was stored, and refuses one asked for after', async () => {
    const { saved, store } = gatedStore(async () => undefined);
    const { router } = setup(store);
    const stream = await router.responses.create({ model, input: 'Hi', stream: true });
    const closing = router.close();
    let completed: ResponseObject | undefined;
    for await (const event of stream) if (event.type === 'response.completed') completed = event.response as ResponseObject;
    // Asked for once close() was called: neither answered nor recorded.
    const after = await router.responses.create({ model, input: 'Hi' }).catch((error: unknown) => error);
    await closing;
    // Its record is in; whether its response was stored, it says truly.
    expect(completed!.store).toBe(saved.has(completed!.id));
    expect(after).toMatchObject({ status: 503, code: 'audit_failed', message: expect.stringMatching(/router is closed/) });
  });

  it('resolves after audit.drainTimeoutMs when a store write never ends, and that response says it is not stored', async () => {
    const { store, firstWrite } = gatedStore(() => new Promise(() => undefined));
    const { router, warnings } = setup(store, 50);
    const response = router.responses.create({ model, input: 'Hi' });
    await firstWrite;
    await router.close();
    const answered = await response;
    expect(answered.store).toBe(false);
    expect(warnings.join('\n')).toContain(`response ${answered.id}`);
  });
});
