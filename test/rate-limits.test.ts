import { createClient } from '@redis/client';
import { describe, expect, it } from 'vitest';
import { callbackAudit, createRouter, openaiCompatible, RouterError, type AuditRecord } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { useLocalUpstreams, type LocalUpstream } from './helpers/local-upstream.js';
import { euJurisdiction, oneTokenRequest, oneTokenUpstream } from './helpers/priced-upstream.js';
import { redisSkip, redisUrl, uniqueName } from './helpers/services.js';

/* Key rate limits: a request beyond `rpm` is refused with 429 rate_limited and Retry-After, unsent. */

useLocalUpstreams();
const skip = await redisSkip();

const answer = oneTokenUpstream;
const request = oneTokenRequest;
const jurisdiction = euJurisdiction;

function routerFor(upstream: LocalUpstream, extra: object = {}, audited: AuditRecord[] = []) {
  return createRouter({
    policy: 'global',
    keys: { 'sk-a': { label: 'team-a', rpm: 4 } },
    providers: [openaiCompatible({ id: 'local', baseURL: upstream.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
    audit: [callbackAudit((record) => void audited.push(record))],
    ...extra,
  });
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (RouterError.isInstance(error) ? error : String(error)),
  );

describe('a key rate limit in this process', () => {
  it('refuses the request beyond rpm with 429 rate_limited and Retry-After, sends nothing and audits it', async () => {
    const upstream = await answer();
    const audited: AuditRecord[] = [];
    const router = routerFor(upstream, {}, audited);
    for (let index = 0; index < 4; index++) expect(await outcome(router.chat.completions.create(request, { apiKey: 'sk-a' }))).toBe('ok');
    const refused = (await outcome(router.chat.completions.create(request, { apiKey: 'sk-a' }))) as RouterError;
    expect([refused.status, refused.code]).toEqual([429, 'rate_limited']);
    // Four a minute: the next one is due 15 s after the first.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(14);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(15);
    expect(refused.message).toContain('4 requests per minute');
    expect(upstream.hits).toBe(4);
    await router.flush();
    expect(audited.at(-1)?.error_code).toBe('rate_limited');
  });
});

describe.skipIf(skip)('a key rate limit shared through Redis', () => {
  it('counts the requests of every instance against one rpm', async () => {
    const upstream = await answer();
    const prefix = `${uniqueName('sovroute_test')}:`;
    const stores = [redisStore({ url: redisUrl, prefix }), redisStore({ url: redisUrl, prefix })];
    try {
      await Promise.all(stores.map((store) => store.ready()));
      const [first, second] = stores.map((store) => routerFor(upstream, { store }));
      for (const router of [first!, second!, first!, second!]) expect(await outcome(router.chat.completions.create(request, { apiKey: 'sk-a' }))).toBe('ok');
      const refused = (await outcome(second!.chat.completions.create(request, { apiKey: 'sk-a' }))) as RouterError;
      expect([refused.status, refused.code]).toEqual([429, 'rate_limited']);
      expect(upstream.hits).toBe(4);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      const client = createClient({ url: redisUrl });
      await client.connect();
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) if (keys.length > 0) await client.unlink(keys);
      await client.close();
    }
  });
});
