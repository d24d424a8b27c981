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
  /**
   * `preset` is the id of the built-in preset the deployment was built from (`Provider.preset`):
   * a deny list naming it excludes the deployment under any id.
   */
  check(providerId: string, facts: JurisdictionFacts | undefined, preset?: string): string[];
}

interface ChainEntity {
  name: string;
  country: string;
  /** The country as an ISO alpha-2 code, upper case; undefined when it is not one. */
  code: string | undefined;
  role: 'operator' | 'parent';
}

const alpha2 = /^[A-Z]{2}$/;

/**
 * Codes ISO 3166-1 leaves to users (AA, QM–QZ, XA–XZ, ZZ), which data sets use for "unknown"
 * or "elsewhere": they name no country, so none of them is "not US". XK stays Kosovo, as the EU
 * and most registries write it.
 */
const userAssigned = /^(AA|Q[M-Z]|X[A-JL-Z]|ZZ)$/;

/**
 * A declared country as an upper-case ISO 3166-1 alpha-2 code, or undefined when it is not one.
 * Facts are validated at createRouter, but a code like `USA`, or `ZZ` for unknown, must never be
 * read as "not US".
 */
function isoCode(country: unknown): string | undefined {
  if (typeof country !== 'string') return undefined;
  const upper = country.toUpperCase();
  return alpha2.test(upper) && !userAssigned.test(upper) ? upper : undefined;
}

/**
 * A declared country in a reason. `EU` passes as a two-letter code but names the union, which
 * no country list holds (a policy's `'EU'` means its member states): said so, or the reason
 * would read "hosted in EU; … allows EU".
 */
function countryWords(country: unknown): string {
  return isoCode(country) === 'EU' ? `${String(country)}, the union, not a country (declare the member states)` : String(country);
}

/** The operator, then its declared parents, nearest first; absent parents add nothing here. */
function operatorChain(facts: JurisdictionFacts): ChainEntity[] {
  const entity = (value: { name: string; country: string }, role: ChainEntity['role']): ChainEntity => ({
    name: value.name,
    country: value.country,
    code: isoCode(value.country),
    role,
  });
  const chain = [entity(facts.operator, 'operator')];
  for (const parent of facts.operator.parents ?? []) chain.push(entity(parent, 'parent'));
  return chain;
}

/** The first US entity in the operator chain, or undefined when there is none. */
export function usController(facts: JurisdictionFacts): { name: string; country: string; role: string } | undefined {
  const found = operatorChain(facts).find((entity) => entity.code === 'US');
  return found === undefined ? undefined : { name: found.name, country: found.country, role: found.role };
}

/**
 * Whether a US entity controls the operator: null when that is not known, because the parent
 * chain is not declared or a country in it is not an ISO code.
 */
export function usControlled(facts: JurisdictionFacts): boolean | null {
  if (usController(facts) !== undefined) return true;
  const unknown = facts.operator.parents === undefined || operatorChain(facts).some((entity) => entity.code === undefined);
  return unknown ? null : false;
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
  const asksChain = operator !== undefined || policy.allowUsControl === false;
  const label = `policy ${policy.name}`;

  function check(providerId: string, facts: JurisdictionFacts | undefined, preset?: string): string[] {
    const reasons: string[] = [];
    const renamed = preset !== undefined && preset !== providerId;
    // An allow list admits the ids it names, exactly: a deployment renamed from a listed preset
    // may be another account or endpoint than the one meant, so it stays out (fail closed).
    if (allow !== undefined && !allow.has(providerId)) {
      const hint = renamed && allow.has(preset) ? ` (it is built from preset ${preset}, which is listed; allow lists admit provider ids exactly: add ${providerId} to admit it)` : '';
      reasons.push(`provider ${providerId} is not in the allow list of ${label}${hint}`);
    }
    // A deny list names what must never see a request: the preset's id catches every deployment
    // built from it, whatever id it was given.
    if (deny.has(providerId)) reasons.push(`provider ${providerId} is in the deny list of ${label}`);
    else if (renamed && deny.has(preset)) reasons.push(`provider ${providerId} is built from preset ${preset}, which is in the deny list of ${label}`);
    if (!asksFacts) return reasons;
    if (facts === undefined) {
      reasons.push(`jurisdiction facts of ${providerId} are unknown; ${label} requires them`);
      return reasons;
    }
    if (hosting !== undefined && policy.hosting !== undefined) {
      const allowed = describeCountries(policy.hosting);
      if (facts.hosting.length === 0) reasons.push(`inference hosting countries are unknown; ${label} allows ${allowed}`);
      const outside = facts.hosting.filter((country) => !hosting.has(isoCode(country) ?? ''));
      if (outside.length > 0) reasons.push(`inference hosted in ${outside.map(countryWords).join(', ')}; ${label} allows ${allowed}`);
    }
    if (asksChain) {
      const chain = operatorChain(facts);
      for (const entity of chain) {
        if (entity.code === undefined) {
          reasons.push(`${entity.role} ${entity.name} has country ${String(entity.country)}, not an ISO 3166-1 alpha-2 code; ${label} requires one`);
        } else if (operator !== undefined && policy.operator !== undefined && !operator.has(entity.code)) {
          reasons.push(`${entity.role} ${entity.name} is in ${countryWords(entity.country)}; ${label} allows operators in ${describeCountries(policy.operator)}`);
        }
      }
      // Absent parents are unknown, not "none": an independent operator declares `parents: []`.
      if (facts.operator.parents === undefined) reasons.push(`parent companies of operator ${facts.operator.name} are unknown; ${label} requires them`);
      const controller = policy.allowUsControl === false ? chain.find((entity) => entity.code === 'US') : undefined;
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
          const code = isoCode(sub.country);
          if (code === undefined) reasons.push(`sub-processor ${sub.name} has country ${String(sub.country)}, not an ISO 3166-1 alpha-2 code; ${label} requires one`);
          else if (code === 'US') reasons.push(`sub-processor ${sub.name} is in US; ${label} excludes US sub-processors`);
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
export function checkAll(policies: readonly CompiledPolicy[], providerId: string, facts: JurisdictionFacts | undefined, preset?: string): string[] {
  if (policies.length === 1) return policies[0]!.check(providerId, facts, preset);
  const reasons: string[] = [];
  for (const policy of policies) reasons.push(...policy.check(providerId, facts, preset));
  return reasons;
}

/** The effective policy's display name: the distinct names that narrow, `global` only if alone. */
export function effectivePolicyName(policies: readonly CompiledPolicy[]): string {
  const names = [...new Set(policies.map((policy) => policy.name))];
  const narrowing = names.filter((name) => name !== 'global');
  return narrowing.length === 0 ? 'global' : narrowing.join(' + ');
}
