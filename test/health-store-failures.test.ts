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

  it('keeps an answered call answered when the logger that would report the store failure throws too', async () => {
    const first = faults.upstream('first');
    const second = faults.upstream('second');
    const closed = { debug() {}, info() {}, warn() { throw new Error('log destination closed'); }, error() {} };
    const router = createRouter({
      providers: [deployment(first, { price: 0.1 }), deployment(second, { price: 0.2 })],
      strategy: 'cheapest',
      health: { store: throwingStore() },
      logger: closed,
    });
    expect((await router.chat.completions.create({ model: 'model-a', messages })).provider).toBe('first');
    expect([first.requests.length, second.requests.length]).toEqual([1, 0]);
  });

  it('lets a deployment whose circuit the store holds half-open take its trial, and answer, when the store cannot record the trial', async () => {
    // The store opened the deployment's circuit while it could write; its cooldown has passed since.
    const inner = memoryHealthStore();
    const now = Date.now();
    inner.set('first/model-a', {
      latency: { ttft: null, answer: null },
      completion: null,
      outcomes: [1, 1, 1, 1, 1],
      successes: 0,
      failures: 5,
      consecutiveFailures: 5,
      circuit: 'open',
      openedAt: now - 60_000,
      retryAt: now - 30_000,
      trialUntil: null,
      timesOpened: 1,
      cooldownLevel: 1,
      closedAt: null,
      lastError: { code: 'upstream_error', status: 503, message: 'first returned 503', at: now - 60_000 },
    });
    const readOnly: HealthStore = {
      get: (key) => inner.get(key),
      keys: () => inner.keys(),
      set: () => {
        throw new Error('health store is read-only');
      },
    };
    const first = faults.upstream('first');
    const { lines, logger } = capturingLogger();
    const router = createRouter({ providers: [deployment(first, { price: 0.1 })], health: { store: readOnly }, logger });
    const answer = await router.chat.completions.create({ model: 'model-a', messages });
    expect(answer.provider).toBe('first');
    expect(first.requests).toHaveLength(1);
    expect(lines.filter((line) => line.includes('health store'))).toHaveLength(1);
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
