import { createClient } from '@redis/client';
import { redisUrl } from './services.js';

/** Deletes every Redis key under `prefix` (in the database of `url`): what a test's own store wrote (see services.ts, `uniqueName`). */
export async function removeRedisKeys(prefix: string, url = redisUrl): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) if (keys.length > 0) await client.unlink(keys);
  await client.close();
}
