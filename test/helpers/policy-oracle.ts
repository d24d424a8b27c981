import type { JurisdictionFacts, JurisdictionPolicy } from '../../src/index.js';

/*
 * An independent reading of DESIGN §3, written from the specification rather than from
 * src/policy, so that the property test compares the router against a second implementation:
 * may a deployment with these facts see a request under this policy?
 */

const eu = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'];
const eea = [...eu, 'IS', 'LI', 'NO'];

/** The built-in policies as DESIGN §3 defines them. */
export const specifiedPresets: Record<'eu-sovereign' | 'eu-hosted' | 'global', JurisdictionPolicy> = {
  'eu-sovereign': { name: 'eu-sovereign', hosting: 'EEA', operator: 'EEA', allowUsControl: false },
  'eu-hosted': { name: 'eu-hosted', hosting: 'EEA' },
  global: { name: 'global' },
};

function countries(value: string[] | 'EU' | 'EEA'): Set<string> {
  return new Set(value === 'EU' ? eu : value === 'EEA' ? eea : value);
}

export function admits(policy: JurisdictionPolicy, providerId: string, facts: JurisdictionFacts | undefined): boolean {
  if (policy.providers?.allow && !policy.providers.allow.includes(providerId)) return false;
  if (policy.providers?.deny?.includes(providerId)) return false;
  const asksFacts =
    policy.hosting !== undefined ||
    policy.operator !== undefined ||
    policy.allowUsControl === false ||
    policy.allowUsSubprocessors === false ||
    policy.zeroRetention === true;
  if (!asksFacts) return true;
  if (facts === undefined) return false;
  // DESIGN §3: unknown facts never pass a policy that asks about them. Undeclared parents are an
  // unknown chain (an independent operator declares `parents: []`), so operator-country and
  // US-control policies refuse them.
  if ((policy.operator !== undefined || policy.allowUsControl === false) && facts.operator.parents === undefined) return false;
  const chain = [facts.operator, ...(facts.operator.parents ?? [])];
  if (policy.hosting !== undefined) {
    const allowed = countries(policy.hosting);
    if (facts.hosting.length === 0 || facts.hosting.some((country) => !allowed.has(country))) return false;
  }
  if (policy.operator !== undefined) {
    const allowed = countries(policy.operator);
    if (chain.some((entity) => !allowed.has(entity.country))) return false;
  }
  if (policy.allowUsControl === false && chain.some((entity) => entity.country === 'US')) return false;
  if (policy.allowUsSubprocessors === false) {
    if (facts.subprocessors === undefined || facts.subprocessors.some((entity) => entity.country === 'US')) return false;
  }
  if (policy.zeroRetention === true && facts.zeroRetention !== true) return false;
  return true;
}

/** Whether every policy that applies to a request admits the deployment. */
export function admitsAll(policies: readonly JurisdictionPolicy[], providerId: string, facts: JurisdictionFacts | undefined): boolean {
  return policies.every((policy) => admits(policy, providerId, facts));
}
