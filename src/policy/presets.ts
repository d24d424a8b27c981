import type { JurisdictionPolicy } from './types.js';

/**
 * The built-in policies. `eu-sovereign`: operator and its whole parent chain in the EEA, no US
 * control, inference in the EEA. `eu-hosted`: inference in the EEA, any operator. `global`:
 * anything.
 */
export const presetPolicies: Readonly<Record<'eu-sovereign' | 'eu-hosted' | 'global', JurisdictionPolicy>> = {
  'eu-sovereign': { name: 'eu-sovereign', hosting: 'EEA', operator: 'EEA', allowUsControl: false },
  'eu-hosted': { name: 'eu-hosted', hosting: 'EEA' },
  global: { name: 'global' },
};

export type PresetPolicyName = keyof typeof presetPolicies;

export function isPresetPolicyName(name: string): name is PresetPolicyName {
  return Object.hasOwn(presetPolicies, name);
}
