import { usControlled } from '../policy/evaluate.js';
import { strictestTier } from '../policy/tier.js';
import type { ModelEntry, ModelList } from '../wire/models.js';
import { missingConfiguration } from './plan.js';
import { needsPrices, type RouterContext } from './router-context.js';

/**
 * The models reachable under the router's policy (and the caller's key policy): one entry per
 * deployment, named by its tier-1 model string, with its jurisdiction summary. A key with a
 * budget is not shown the deployments without a known price: planning refuses them to it. Nor is
 * any caller but a test key shown a deployment whose configuration is missing (no API key, …):
 * planning leaves it out, so every call to it would fail; it is listed once configured.
 */
export function listModels(context: RouterContext, apiKey: string | undefined): ModelList {
  const caller = context.caller(apiKey);
  const policies = caller.policy ? [context.policy, caller.policy] : [context.policy];
  const pricedOnly = needsPrices(caller);
  const data: ModelEntry[] = [];
  // One tier per provider, not per model.
  const tiers = new Map<string, ModelEntry['jurisdiction']['tier']>();
  // Asked once per provider per listing: a preset reads its key from the environment when asked.
  const unconfigured = new Map<string, boolean>();
  for (const candidate of context.index.all) {
    const providerId = candidate.provider.id;
    if (pricedOnly && candidate.price === undefined) continue;
    if (!caller.simulated) {
      let missing = unconfigured.get(providerId);
      if (missing === undefined) unconfigured.set(providerId, (missing = missingConfiguration(candidate.provider) !== undefined));
      if (missing) continue;
    }
    if (policies.some((policy) => context.reasonsFor(policy, providerId).length > 0)) continue;
    const facts = candidate.provider.jurisdiction;
    let tier = tiers.get(providerId);
    if (tier === undefined) tiers.set(providerId, (tier = strictestTier(providerId, facts)));
    const entry: ModelEntry = {
      id: candidate.key,
      object: 'model',
      created: facts?.verifiedAt ? Math.floor(Date.parse(facts.verifiedAt) / 1000) || 0 : 0,
      owned_by: providerId,
      provider: providerId,
      canonical: candidate.model,
      jurisdiction: {
        operator: facts?.operator.name ?? 'unknown',
        operator_country: facts?.operator.country ?? 'unknown',
        hosting: facts?.hosting ?? [],
        us_controlled: facts ? usControlled(facts) : null,
        tier,
      },
      capabilities: [...candidate.capabilities],
    };
    if (candidate.price) {
      const { input, output, cachedInput, cacheWrite } = candidate.price;
      const offered = candidate.offer.price!;
      const price: NonNullable<ModelEntry['price']> = { input, output, currency: context.currency };
      if (offered.cachedInput !== undefined) price.cachedInput = cachedInput;
      if (offered.cacheWrite !== undefined) price.cacheWrite = cacheWrite;
      entry.price = price;
    }
    if (candidate.offer.context !== undefined) entry.context = candidate.offer.context;
    data.push(entry);
  }
  return { object: 'list', data };
}

/** A model list that can be awaited (the list) or iterated with `for await` (its entries), as in the OpenAI SDK. */
export interface ModelListPromise extends PromiseLike<ModelList>, AsyncIterable<ModelEntry> {}

export function modelListPromise(load: () => ModelList): ModelListPromise {
  let promise: Promise<ModelList> | undefined;
  const get = () => (promise ??= Promise.resolve().then(load));
  return {
    then: (onFulfilled, onRejected) => get().then(onFulfilled, onRejected),
    async *[Symbol.asyncIterator]() {
      yield* (await get()).data;
    },
  };
}
