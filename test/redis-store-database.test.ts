import { afterAll, describe, expect, it } from 'vitest';
import { redisStore } from '../src/redis/index.js';
import { removeRedisKeys } from './helpers/redis-keys.js';
import { redisSkip, redisUrl, uniqueName } from './helpers/services.js';

const skip = await redisSkip();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The URL of Redis at another logical database (`/<db>`). */
function atDatabase(db: number): string {
  const url = new URL(redisUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

function emptyRecord() {
  return {
    latency: { ttft: null, answer: null }, completion: null, outcomes: [], successes: 0, failures: 0, consecutiveFailures: 0,
    circuit: 'closed' as 'closed' | 'open', openedAt: null as number | null, retryAt: null as number | null, trialUntil: null, timesOpened: 0, cooldownLevel: 0, closedAt: null as number | null, lastError: null,
  };
}

describe.skipIf(skip)('fleets on different databases of one Redis, with the same prefix', () => {
  const prefix = `${uniqueName('sovroute_test')}:`;
  afterAll(async () => {
    await removeRedisKeys(prefix);
    await removeRedisKeys(prefix, atDatabase(1));
  });

  it("keep their circuits apart: staging's opening does not keep production out", async () => {
    // Pub/Sub is not scoped by database: only the keys are.
    const production = redisStore({ url: atDatabase(0), prefix, refreshMs: 50, instanceId: 'production' });
    const staging = redisStore({ url: atDatabase(1), prefix, refreshMs: 50, instanceId: 'staging' });
    const stagingPeer = redisStore({ url: atDatabase(1), prefix, refreshMs: 60_000, instanceId: 'staging-peer' });
    const key = 'shared/m';
    try {
      await Promise.all([production.ready(), staging.ready(), stagingPeer.ready()]);
      const at = Date.now();
      staging.set(key, { ...emptyRecord(), circuit: 'open', openedAt: at, retryAt: at + 600_000, timesOpened: 1 });
      // The other staging instance hears it by the published message (its refresh is a minute away)...
      const until = Date.now() + 5_000;
      while (stagingPeer.get(key)?.circuit !== 'open' && Date.now() < until) await sleep(20);
      expect(stagingPeer.get(key)?.circuit).toBe('open');
      // ...and production, on database 0, never does, neither by message nor by its refreshes.
      await sleep(300);
      expect(production.get(key)?.circuit ?? 'closed').toBe('closed');
    } finally {
      await Promise.all([production.close(), staging.close(), stagingPeer.close()]);
    }
  }, 30_000);
});
