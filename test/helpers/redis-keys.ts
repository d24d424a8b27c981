import { createClient } from '@redis/client';
import { redisUrl } from './services.js';

/** Deletes every Redis key under `prefix`: what a test's own store wrote (see services.ts, `uniqueName`). */
export async function removeRedisKeys(prefix: string): Promise<void> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) if (keys.length > 0) await client.unlink(keys);
  await client.close();
}
