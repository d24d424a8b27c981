import { describe, expect, it, vi } from 'vitest';
import { createRouter, RouterError } from '../src/index.js';
import { deployment, messages } from './helpers/fault-deployments.js';
import { fault, useFaultServer } from './helpers/fault-server.js';

/*
 * The SSE parser and p-retry load on first use. When such an import fails (a chunk a deployment
 * left out), the fault is the library's, not an upstream's: the caller is told what could not be
 * loaded, and no deployment's health pays for it.
 */

vi.mock('eventsource-parser', () => {
  throw new Error('chunk missing');
});
vi.mock('p-retry', () => {
  throw new Error('chunk missing');
});

const faults = useFaultServer();

describe('the SSE parser cannot be loaded', () => {
  it('fails the stream naming the parser, and leaves every deployment healthy for other calls', async () => {
    const primary = faults.upstream('primary');
    const secondary = faults.upstream('secondary');
    const router = createRouter({ providers: [deployment(primary, { price: 0.1 }), deployment(secondary, { price: 0.2 })], strategy: 'cheapest', retry: { retries: 0 } });
    // More streams than the failures that open a circuit.
    for (let index = 0; index < 6; index++) {
      const caught = await router.chat.completions
        .create({ model: 'model-a', messages, stream: true })
        .then(async (stream) => {
          for await (const _chunk of stream);
        })
        .then(() => undefined, (error: unknown) => error);
      expect(RouterError.isInstance(caught)).toBe(true);
      expect((caught as RouterError).message).toContain('eventsource-parser could not be loaded');
      expect((caught as RouterError).message).not.toContain('provider primary failed');
    }
    expect(router.health().filter((deployment) => deployment.circuit !== 'closed' || deployment.failures > 0)).toEqual([]);
    const completion = await router.chat.completions.create({ model: 'model-a', messages });
    expect(completion.provider).toBe('primary');
  });
});

describe('p-retry cannot be loaded', () => {
  it('falls back to the next deployment, and the error names p-retry instead of blaming a deployment', async () => {
    const primary = faults.upstream('primary').script(fault.status(503));
    const secondary = faults.upstream('secondary').script(fault.status(503));
    const router = createRouter({
      providers: [deployment(primary, { price: 0.1 }), deployment(secondary, { price: 0.2 })],
      strategy: 'cheapest',
      retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 },
    });
    const caught = await router.chat.completions.create({ model: 'model-a', messages }).then(() => undefined, (error: unknown) => error);
    expect(RouterError.isInstance(caught)).toBe(true);
    expect((caught as RouterError).message).toContain('p-retry could not be loaded');
    expect((caught as RouterError).message).not.toContain('provider secondary failed');
    expect([primary.requests.length, secondary.requests.length]).toEqual([1, 1]);
  });
});
