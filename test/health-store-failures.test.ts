import { describe, expect, it } from 'vitest';
import { createRouter, memoryHealthStore, type HealthStore } from '../src/index.js';
import { deployment, messages } from './helpers/fault-deployments.js';
import { fault, useFaultServer } from './helpers/fault-server.js';

/*
 * A health store of the application's own that fails to write: routing goes on without the
 * record, and what the upstream answered is never mistaken for a failure (which would send the
 * call again, or to another deployment, and bill it twice).
 */

const faults = useFaultServer();

function throwingStore(): HealthStore {
  const inner = memoryHealthStore();
  return {
    get: (key) => inner.get(key),
    keys: () => inner.keys(),
    set: () => {
      throw new Error('health store is read-only');
    },
  };
}

function capturingLogger() {
  const lines: string[] = [];
  const log = (message: unknown) => void lines.push(String(message));
  return { lines, logger: { debug: log, info: log, warn: log, error: log } };
}

describe('a health store that cannot write', () => {
  it('keeps an answered call answered: sent once, no fallback, and says once that the store failed', async () => {
    const first = faults.upstream('first');
    const second = faults.upstream('second');
    const { lines, logger } = capturingLogger();
    const router = createRouter({
      providers: [deployment(first, { price: 0.1 }), deployment(second, { price: 0.2 })],
      strategy: 'cheapest',
      health: { store: throwingStore() },
      logger,
    });
    for (let call = 0; call < 3; call++) expect((await router.chat.completions.create({ model: 'model-a', messages })).provider).toBe('first');
    expect([first.requests.length, second.requests.length]).toEqual([3, 0]);
    const warnings = lines.filter((line) => line.includes('health store'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not record .*health store is read-only/);
  });

  it('still falls back from a failing deployment, once, when the store cannot record the failure', async () => {
    const failing = faults.upstream('failing').otherwise(fault.status(503));
    const steady = faults.upstream('steady');
    const router = createRouter({
      providers: [deployment(failing, { price: 0.1 }), deployment(steady, { price: 0.2 })],
      strategy: 'cheapest',
      retry: { retries: 0 },
      health: { store: throwingStore() },
      logger: capturingLogger().logger,
    });
    const answer = await router.chat.completions.create({ model: 'model-a', messages });
    expect(answer.provider).toBe('steady');
    expect(answer.route.attempts.map((attempt) => [attempt.provider, attempt.outcome])).toEqual([
      ['failing', 'error'],
      ['steady', 'ok'],
    ]);
    expect([failing.requests.length, steady.requests.length]).toEqual([1, 1]);
  });
});
