import { countrySet } from '../policy/countries.js';
import type { JurisdictionPolicy } from '../policy/types.js';
import { canonicalJson } from './canonical-json.js';
import { contentHash } from './hash-chain.js';

/**
 * A policy by its meaning, not its spelling: regions expanded to their countries (so a change
 * of the EU list shows), country and provider lists upper-cased or sorted. Two policies that
 * admit exactly the same deployments under the same name normalise to the same value.
 */
function normalise(policy: JurisdictionPolicy): Record<string, unknown> {
  const countries = (value: JurisdictionPolicy['hosting']) => (value === undefined ? undefined : [...countrySet(value)].sort());
  const sorted = (value: readonly string[] | undefined) => (value === undefined ? undefined : [...value].sort());
  return {
    ...policy,
    hosting: countries(policy.hosting),
    operator: countries(policy.operator),
    providers: policy.providers && { allow: sorted(policy.providers.allow), deny: sorted(policy.providers.deny) },
  };
}

/**
 * The hash an audit record carries as `policy_hash`: the hex SHA-256 of the canonical JSON of
 * the distinct normalised policies that applied (router, key, model string), in a fixed order.
 * Recompute it for a policy you hold to check which policy a record was routed under.
 *
 * @example policyHash([presetPolicies['eu-sovereign']])
 */
export function policyHash(policies: readonly JurisdictionPolicy[]): string {
  const distinct = [...new Set(policies.map((policy) => canonicalJson(normalise(policy))))].sort();
  return contentHash(distinct);
}

/**
 * `policyHash` memoised per combination of policy objects: a router has a fixed set of
 * compiled policies, so each combination is hashed once, not per request.
 */
export function createPolicyHasher(): (policies: readonly { readonly policy: JurisdictionPolicy }[]) => string {
  const ids = new WeakMap<object, number>();
  const hashes = new Map<string, string>();
  let next = 0;
  return (policies) => {
    let key = '';
    for (const compiled of policies) {
      let id = ids.get(compiled);
      if (id === undefined) ids.set(compiled, (id = next++));
      key += `${id},`;
    }
    let hash = hashes.get(key);
    if (hash === undefined) hashes.set(key, (hash = policyHash(policies.map((compiled) => compiled.policy))));
    return hash;
  };
}
