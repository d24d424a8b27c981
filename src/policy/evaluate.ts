import type { JurisdictionFacts } from '../providers/types.js';
import { countrySet, describeCountries } from './countries.js';
import type { JurisdictionPolicy } from './types.js';

/**
 * A policy turned into a check over one deployment's facts. The check returns the reasons the
 * deployment is excluded; an empty list means eligible. Unknown facts exclude whenever the
 * policy asks about them: a policy never passes on a guess.
 */
export interface CompiledPolicy {
  readonly name: string;
  readonly policy: JurisdictionPolicy;
  check(providerId: string, facts: JurisdictionFacts | undefined): string[];
}

function operatorChain(facts: JurisdictionFacts): { name: string; country: string; role: string }[] {
  const chain = [{ ...facts.operator, role: 'operator' }];
  for (const parent of facts.operator.parents ?? []) chain.push({ ...parent, role: 'parent' });
  return chain;
}

/** The first US entity in the operator chain, or undefined when there is none. */
export function usController(facts: JurisdictionFacts): { name: string; role: string } | undefined {
  return operatorChain(facts).find((entity) => entity.country.toUpperCase() === 'US');
}

export function compilePolicy(policy: JurisdictionPolicy): CompiledPolicy {
  const hosting = policy.hosting === undefined ? undefined : countrySet(policy.hosting);
  const operator = policy.operator === undefined ? undefined : countrySet(policy.operator);
  const allow = policy.providers?.allow === undefined ? undefined : new Set(policy.providers.allow);
  const deny = new Set(policy.providers?.deny ?? []);
  const asksFacts =
    hosting !== undefined ||
    operator !== undefined ||
    policy.allowUsControl === false ||
    policy.allowUsSubprocessors === false ||
    policy.zeroRetention === true;
  const label = `policy ${policy.name}`;

  function check(providerId: string, facts: JurisdictionFacts | undefined): string[] {
    const reasons: string[] = [];
    if (allow !== undefined && !allow.has(providerId)) reasons.push(`provider ${providerId} is not in the allow list of ${label}`);
    if (deny.has(providerId)) reasons.push(`provider ${providerId} is in the deny list of ${label}`);
    if (!asksFacts) return reasons;
    if (facts === undefined) {
      reasons.push(`jurisdiction facts of ${providerId} are unknown; ${label} requires them`);
      return reasons;
    }
    if (hosting !== undefined && policy.hosting !== undefined) {
      const allowed = describeCountries(policy.hosting);
      if (facts.hosting.length === 0) reasons.push(`inference hosting countries are unknown; ${label} allows ${allowed}`);
      const outside = facts.hosting.filter((country) => !hosting.has(country.toUpperCase()));
      if (outside.length > 0) reasons.push(`inference hosted in ${outside.join(', ')}; ${label} allows ${allowed}`);
    }
    if (operator !== undefined && policy.operator !== undefined) {
      const allowed = describeCountries(policy.operator);
      for (const entity of operatorChain(facts)) {
        if (!operator.has(entity.country.toUpperCase())) {
          reasons.push(`${entity.role} ${entity.name} is in ${entity.country}; ${label} allows operators in ${allowed}`);
        }
      }
    }
    if (policy.allowUsControl === false) {
      const controller = usController(facts);
      if (controller !== undefined) {
        reasons.push(
          controller.role === 'operator'
            ? `operator ${controller.name} is US-controlled`
            : `operator ${facts.operator.name} is US-controlled through its parent ${controller.name}`,
        );
      }
    }
    if (policy.allowUsSubprocessors === false) {
      if (facts.subprocessors === undefined) reasons.push(`sub-processors of ${providerId} are unknown; ${label} excludes US sub-processors`);
      else {
        for (const sub of facts.subprocessors) {
          if (sub.country.toUpperCase() === 'US') reasons.push(`sub-processor ${sub.name} is in US; ${label} excludes US sub-processors`);
        }
      }
    }
    if (policy.zeroRetention === true && facts.zeroRetention !== true) {
      reasons.push(
        facts.zeroRetention === false
          ? `${providerId} retains request data; ${label} requires zero retention`
          : `zero retention of ${providerId} is unknown; ${label} requires it`,
      );
    }
    return reasons;
  }

  return { name: policy.name, policy, check };
}

/** Several policies that all apply (router, key, model string, request): reasons from each. */
export function checkAll(policies: readonly CompiledPolicy[], providerId: string, facts: JurisdictionFacts | undefined): string[] {
  if (policies.length === 1) return policies[0]!.check(providerId, facts);
  const reasons: string[] = [];
  for (const policy of policies) reasons.push(...policy.check(providerId, facts));
  return reasons;
}

/** The effective policy's display name: the distinct names that narrow, `global` only if alone. */
export function effectivePolicyName(policies: readonly CompiledPolicy[]): string {
  const names = [...new Set(policies.map((policy) => policy.name))];
  const narrowing = names.filter((name) => name !== 'global');
  return narrowing.length === 0 ? 'global' : narrowing.join(' + ');
}
