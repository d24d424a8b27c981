import { bareKey, lookupKey, modelKeys, namespaceOf } from '../models/canonical.js';
import { convert, roundMoney, type FxTable } from '../pricing/currency.js';
import type { Capability, ModelPrice, Provider } from '../providers/types.js';
import type { Candidate, CandidatePrice } from './candidate.js';

/** Every candidate, indexed by provider and by any id its model is known by. Built once. */
export interface CatalogIndex {
  readonly providers: ReadonlyMap<string, Provider>;
  readonly all: readonly Candidate[];
  /** Candidates of one provider, by any id of the model. */
  byProvider(providerId: string, model: string): Candidate | undefined;
  /** Candidates serving a model, by canonical or native id. */
  byModel(model: string): readonly Candidate[];
  /** Like byModel, but only by an id some offer is listed under (case aside): no namespace dropped. */
  byListedModel(model: string): readonly Candidate[];
}

export function buildCatalogIndex(providers: readonly Provider[], currency: string, fx: FxTable): CatalogIndex {
  const providerMap = new Map<string, Provider>();
  const all: Candidate[] = [];
  const models = new Map<string, Candidate[]>();
  const perProvider = new Map<string, Candidate>();
  // Offers mostly declare the same few capability lists: one read-only set per list.
  const capabilitySets = new Map<string, ReadonlySet<Capability>>();
  const capabilitySet = (capabilities: readonly Capability[] | undefined) => {
    const list = capabilities ?? ['chat'];
    const key = list.join(',');
    let set = capabilitySets.get(key);
    if (set === undefined) capabilitySets.set(key, (set = new Set(list)));
    return set;
  };
  /** Namespaces some offer's id uses (`meta-llama`, `openai`): only these may be dropped in a lookup. */
  const namespaces = new Set<string>();

  for (const provider of providers) {
    providerMap.set(provider.id, provider);
    for (const offer of provider.models) {
      const price = offer.price && candidatePrice(offer.price, currency, fx);
      const candidate: Candidate = {
        key: `${provider.id}/${offer.id}`,
        provider,
        offer,
        model: offer.id,
        native: offer.native ?? offer.id,
        capabilities: capabilitySet(offer.capabilities),
        price,
      };
      all.push(candidate);
      for (const id of [offer.id, offer.native]) {
        const namespace = id === undefined ? undefined : namespaceOf(id);
        if (namespace !== undefined) namespaces.add(namespace);
      }
      const keys = new Set([...modelKeys(offer.id), ...(offer.native ? modelKeys(offer.native) : [])]);
      for (const key of keys) {
        const list = models.get(key);
        // `keys` is a set, so the candidate is new to this key's list: no search (which made
        // building the index quadratic in the providers serving a model).
        if (list === undefined) models.set(key, [candidate]);
        else list.push(candidate);
        const providerKey = `${provider.id}\u0000${key}`;
        if (!perProvider.has(providerKey)) perProvider.set(providerKey, candidate);
      }
    }
  }

  // Any id of a model reaches every offer of it: `openai/gpt-oss-120b` (one provider's native
  // id) must also find the providers that list it as `gpt-oss-120b`.
  for (const [key, list] of models) {
    const canonical = new Set(list.map((candidate) => lookupKey(candidate.model)));
    const expanded = new Set(list);
    for (const id of canonical) for (const candidate of models.get(id) ?? []) expanded.add(candidate);
    if (expanded.size !== list.length) models.set(key, [...expanded]);
  }

  /**
   * A Hugging Face id (`meta-llama/Llama-3.1-8B-Instruct`) finds a provider that lists the bare
   * name, but only under a namespace the catalogue knows: `opneai/gpt-4o`, a mistyped provider,
   * stays unknown rather than quietly becoming a pinned gpt-4o.
   */
  const knownNamespace = (model: string) => {
    const namespace = namespaceOf(model);
    return namespace !== undefined && namespaces.has(namespace);
  };

  return {
    providers: providerMap,
    all,
    byProvider: (providerId, model) =>
      perProvider.get(`${providerId}\u0000${model}`) ??
      perProvider.get(`${providerId}\u0000${lookupKey(model)}`) ??
      (knownNamespace(model) ? perProvider.get(`${providerId}\u0000${bareKey(model)}`) : undefined),
    byListedModel: (model) => models.get(model) ?? models.get(lookupKey(model)) ?? [],
    byModel: (model) => models.get(model) ?? models.get(lookupKey(model)) ?? (knownNamespace(model) ? models.get(bareKey(model)) : undefined) ?? [],
  };
}

/**
 * An offer's price in the router's currency; cache reads and writes without a price of their own
 * cost `input`. Converted amounts are rounded as costs are (`roundMoney`): 2 USD at 1.16 is
 * listed as 1.724137931034 EUR, not with the floating-point noise of 1.7241379310344829.
 */
function candidatePrice(price: ModelPrice, currency: string, fx: FxTable): CandidatePrice {
  const inCurrency = (amount: number) => (price.currency === currency ? amount : roundMoney(convert(amount, price.currency, currency, fx)));
  const input = inCurrency(price.input);
  return {
    input,
    output: inCurrency(price.output),
    cachedInput: price.cachedInput === undefined ? input : inCurrency(price.cachedInput),
    cacheWrite: price.cacheWrite === undefined ? input : inCurrency(price.cacheWrite),
  };
}
