import { describe, expect, it, vi } from 'vitest';
import { createRouter, RouterError } from '../src/index.js';
import { deployment, messages } from './helpers/fault-deployments.js';
import { fault, useFaultServer } from './helpers/fault-server.js';

/*
 * p-retry loads on a call's first retry. Here its import waits until the test lets it finish, as
 * a slow one (a chunk fetched over the network, a cold disk) does.
 */

const loading = vi.hoisted(() => {
  let finish!: () => void;
  let started!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const begun = new Promise<void>((resolve) => (started = resolve));
  return { finished, finish, begun, started };
});

vi.mock('p-retry', async (importOriginal) => {
  loading.started();
  await loading.finished;
  return importOriginal();
});

const faults = useFaultServer();

describe('a call whose retry waits for p-retry to load', () => {
  it('is aborted at once by the caller, without waiting for the import', async () => {
    const primary = faults.upstream('primary').script(fault.status(503));
    const router = createRouter({ providers: [deployment(primary)], retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 1 } });
    const controller = new AbortController();
    const call = router.chat.completions.create({ model: 'model-a', messages }, { signal: controller.signal }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await loading.begun;
    controller.abort();
    const error = await call;
    expect(RouterError.isInstance(error) && error.code).toBe('aborted');
    expect(primary.requests).toHaveLength(1);
    loading.finish();
  });
});
