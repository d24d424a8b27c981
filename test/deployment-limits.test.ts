import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible } from '../src/index.js';
import { createClient } from '@redis/client';
import { redisStore } from '../src/redis/index.js';
import { useLocalUpstreams } from './helpers/local-upstream.js';
import { euJurisdiction, oneTokenRequest, oneTokenUpstream } from './helpers/priced-upstream.js';
import { redisSkip, redisUrl, uniqueName } from './helpers/services.js';

/* A deployment's own rate limit: routing ranks it out at its limit and sends the excess on. */

useLocalUpstreams();

const answer = oneTokenUpstream;
const request = oneTokenRequest;
const jurisdiction = euJurisdiction;
const us = { operator: { name: 'Local Inc', country: 'US', parents: [] }, hosting: ['US'] };

describe('a deployment with limits', () => {
  it('is ranked out at its rpm with the reason in explain(), and the excess goes to the next eligible deployment only', async () => {
    const [limited, spare, excluded] = await Promise.all([answer(), answer(), answer()]);
    const provider = (id: string, baseURL: string, price: number, facts = jurisdiction, limits?: { rpm: number }) =>
      openaiCompatible({ id, baseURL, apiKey: 'k', jurisdiction: facts, models: [{ id: 'm', price: { input: price, output: price, currency: 'EUR' } }], ...(limits ? { limits } : {}) });
    const router = createRouter({
      policy: 'eu-sovereign',
      strategy: 'cheapest',
      exploration: { share: 0 },
      providers: [
        provider('limited', limited.baseURL, 1, jurisdiction, { rpm: 3 }),
        // Cheaper still, but the policy excludes it: the excess must never go there.
        provider('outside', excluded.baseURL, 0.5, us),
        provider('spare', spare.baseURL, 2),
      ],
    });
    const answered: string[] = [];
    for (let index = 0; index < 6; index++) answered.push((await router.chat.completions.create(request)).provider);
    expect(answered).toEqual(['limited', 'limited', 'limited', 'spare', 'spare', 'spare']);
    expect([limited.hits, spare.hits, excluded.hits]).toEqual([3, 3, 0]);
    const candidate = router.explain(request).candidates.find((entry) => entry.provider === 'limited');
    expect(candidate?.eligible).toBe(false);
    expect(candidate?.reasons.join(' ')).toMatch(/^at its rate limit: 3 rpm; free again in \d+ s/);
  });
});

describe.skipIf(await redisSkip())('a deployment limit shared through Redis', () => {
  it('counts the attempts of every instance exactly: once the fleet reached rpm, the attempt of another instance is refused and goes on', async () => {
    const [limited, spare] = await Promise.all([answer(), answer()]);
    const prefix = `${uniqueName('sovroute_test')}:`;
    const stores = [redisStore({ url: redisUrl, prefix }), redisStore({ url: redisUrl, prefix })];
    try {
      await Promise.all(stores.map((store) => store.ready()));
      const [first, second] = stores.map((store) =>
        createRouter({
          policy: 'eu-sovereign',
          strategy: 'cheapest',
          exploration: { share: 0 },
          store,
          providers: [
            openaiCompatible({ id: 'limited', baseURL: limited.baseURL, apiKey: 'k', jurisdiction, limits: { rpm: 3 }, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] }),
            openaiCompatible({ id: 'spare', baseURL: spare.baseURL, apiKey: 'k', jurisdiction, models: [{ id: 'm', price: { input: 2, output: 2, currency: 'EUR' } }] }),
          ],
        }),
      );
      for (let index = 0; index < 3; index++) expect((await first!.chat.completions.create(request)).provider).toBe('limited');
      // The second instance has sent nothing itself, so it ranks the deployment first; its
      // reservation in Redis is refused and the request goes on to the next eligible deployment.
      expect(second!.explain(request).candidates.find((entry) => entry.provider === 'limited')?.eligible).toBe(true);
      const moved = await second!.chat.completions.create(request);
      expect(moved.provider).toBe('spare');
      expect(moved.route.attempts.map((attempt) => attempt.provider)).toEqual(['spare']);
      // The refusal taught its local view: the deployment is ranked out, with the fleet's reason.
      const candidate = second!.explain(request).candidates.find((entry) => entry.provider === 'limited');
      expect(candidate?.eligible).toBe(false);
      expect(candidate?.reasons.join(' ')).toMatch(/^at its rate limit: 3 rpm; free again in (59|60) s/);
      expect((await second!.chat.completions.create(request)).provider).toBe('spare');
      expect(limited.hits).toBe(3);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      const client = createClient({ url: redisUrl });
      await client.connect();
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) if (keys.length > 0) await client.unlink(keys);
      await client.close();
    }
  });
});
