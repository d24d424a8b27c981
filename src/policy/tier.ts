import type { JurisdictionFacts } from '../providers/types.js';
import { compilePolicy } from './evaluate.js';
import { presetPolicies, type PresetPolicyName } from './presets.js';

const strictestFirst = (['eu-sovereign', 'eu-hosted', 'global'] as const).map((name) => compilePolicy(presetPolicies[name]));

/**
 * The strictest built-in policy a deployment satisfies: `eu-sovereign`, `eu-hosted` or `global`.
 * A summary for listings and documentation; routing always evaluates the policy itself.
 */
export function strictestTier(providerId: string, facts: JurisdictionFacts | undefined): PresetPolicyName {
  return (strictestFirst.find((policy) => policy.check(providerId, facts).length === 0)?.name ?? 'global') as PresetPolicyName;
}
