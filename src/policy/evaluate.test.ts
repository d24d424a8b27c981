import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JurisdictionFacts } from '../providers/types.js';
import { euCountries, eeaCountries } from './countries.js';
import { checkAll, compilePolicy, effectivePolicyName, usControlled, usController } from './evaluate.js';
import { presetPolicies } from './presets.js';

const sovereign = compilePolicy(presetPolicies['eu-sovereign']);
const hosted = compilePolicy(presetPolicies['eu-hosted']);
const global = compilePolicy(presetPolicies.global);

const euOperator: JurisdictionFacts = {
  operator: { name: 'OVH SAS', country: 'FR', parents: [{ name: 'OVH Groupe SA', country: 'FR' }] },
  hosting: ['FR'],
};
const usParentInEu: JurisdictionFacts = {
  operator: { name: 'Microsoft Ireland Operations Ltd', country: 'IE', parents: [{ name: 'Microsoft Corporation', country: 'US' }] },
  hosting: ['SE', 'FR'],
};
const usOperator: JurisdictionFacts = { operator: { name: 'OpenAI OpCo, LLC', country: 'US' }, hosting: ['US'] };

describe('country sets', () => {
  it('are data: 27 EU member states, and the EEA adds Iceland, Liechtenstein and Norway but not Switzerland', () => {
    expect(euCountries.size).toBe(27);
    expect([...eeaCountries].filter((country) => !euCountries.has(country)).sort()).toEqual(['IS', 'LI', 'NO']);
    expect(eeaCountries.has('CH')).toBe(false);
    expect(eeaCountries.has('GB')).toBe(false);
  });
});

describe('US control', () => {
  it('is derived from the operator and its whole parent chain', () => {
    expect(usController(usOperator)).toEqual({ name: 'OpenAI OpCo, LLC', country: 'US', role: 'operator' });
    expect(usController(usParentInEu)).toMatchObject({ name: 'Microsoft Corporation', role: 'parent' });
    const grandparent: JurisdictionFacts = {
      operator: { name: 'Example EU GmbH', country: 'DE', parents: [{ name: 'Example Holding BV', country: 'NL' }, { name: 'Example Inc', country: 'US' }] },
      hosting: ['DE'],
    };
    expect(usController(grandparent)?.name).toBe('Example Inc');
  });

  it('is absent for an EU operator with an EU parent, even one that owns a US subsidiary elsewhere', () => {
    // OVH Groupe owns OVHcloud US: a subsidiary is not in the operator's chain.
    expect(usController(euOperator)).toBeUndefined();
    expect(sovereign.check('ovhcloud', euOperator)).toEqual([]);
  });
});

describe('the presets', () => {
  it('eu-sovereign excludes a US parent of an EU subsidiary, saying why', () => {
    expect(sovereign.check('azure-openai', usParentInEu)).toEqual([
      'parent Microsoft Corporation is in US; policy eu-sovereign allows operators in EEA',
      'operator Microsoft Ireland Operations Ltd is US-controlled through its parent Microsoft Corporation',
    ]);
  });

  it('eu-hosted admits a US operator hosting in the EU, and excludes US hosting', () => {
    expect(hosted.check('azure-openai', usParentInEu)).toEqual([]);
    expect(hosted.check('openai', usOperator)).toEqual(['inference hosted in US; policy eu-hosted allows EEA']);
  });

  it('eu-sovereign names a US operator as US-controlled and its hosting outside the EEA', () => {
    const reasons = sovereign.check('openai', usOperator);
    expect(reasons).toContain('operator OpenAI OpCo, LLC is US-controlled');
    expect(reasons).toContain('inference hosted in US; policy eu-sovereign allows EEA');
  });

  it('lists only the hosting countries outside the policy', () => {
    const mixed: JurisdictionFacts = { operator: { name: 'Nebius B.V.', country: 'NL' }, hosting: ['FI', 'FR', 'GB', 'US'] };
    expect(hosted.check('nebius', mixed)).toEqual(['inference hosted in GB, US; policy eu-hosted allows EEA']);
  });

  it('global admits anything, even unknown facts', () => {
    expect(global.check('anything', undefined)).toEqual([]);
    expect(global.check('openai', usOperator)).toEqual([]);
  });
});

describe('unknown facts fail closed', () => {
  it('missing facts exclude under any policy that asks about them, and the reason says they are unknown', () => {
    expect(sovereign.check('mystery', undefined)).toEqual(['jurisdiction facts of mystery are unknown; policy eu-sovereign requires them']);
    expect(hosted.check('mystery', undefined)).toHaveLength(1);
  });

  it('empty hosting is unknown hosting', () => {
    const unpinned: JurisdictionFacts = { operator: { name: 'Mistral AI SAS', country: 'FR', parents: [] }, hosting: [] };
    expect(sovereign.check('mistral-ai', unpinned)).toEqual(['inference hosting countries are unknown; policy eu-sovereign allows EEA']);
  });

  it('undeclared sub-processors and retention exclude under policies that ask about them', () => {
    const policy = compilePolicy({ name: 'strict', allowUsSubprocessors: false, zeroRetention: true });
    expect(policy.check('berget', { operator: { name: 'Berget AI AB', country: 'SE' }, hosting: ['SE'] })).toEqual([
      'sub-processors of berget are unknown; policy strict excludes US sub-processors',
      'zero retention of berget is unknown; policy strict requires it',
    ]);
    expect(
      policy.check('regolo', { operator: { name: 'Seeweb S.r.l.', country: 'IT' }, hosting: ['IT'], subprocessors: [], zeroRetention: true }),
    ).toEqual([]);
    expect(policy.check('keeps-logs', { ...euOperator, subprocessors: [], zeroRetention: false })).toEqual([
      'keeps-logs retains request data; policy strict requires zero retention',
    ]);
  });
});

describe('an unknown parent chain fails closed', () => {
  const subsidiary: JurisdictionFacts = { operator: { name: 'Subsidiary SAS', country: 'FR' }, hosting: ['FR'] };

  it('excludes under eu-sovereign when parents are not declared, and says the chain is unknown', () => {
    expect(sovereign.check('fr-sub', subsidiary)).toEqual(['parent companies of operator Subsidiary SAS are unknown; policy eu-sovereign requires them']);
  });

  it('excludes under a policy asking only about operator countries, or only about US control', () => {
    const operatorOnly = compilePolicy({ name: 'eu-operators', operator: 'EU' });
    const noUsControl = compilePolicy({ name: 'no-us', allowUsControl: false });
    expect(operatorOnly.check('fr-sub', subsidiary)).toEqual(['parent companies of operator Subsidiary SAS are unknown; policy eu-operators requires them']);
    expect(noUsControl.check('fr-sub', subsidiary)).toEqual(['parent companies of operator Subsidiary SAS are unknown; policy no-us requires them']);
  });

  it('admits an independent company: parents: [] means no parents', () => {
    expect(sovereign.check('fr-sub', { ...subsidiary, operator: { ...subsidiary.operator, parents: [] } })).toEqual([]);
  });

  it('leaves US control unknown in listings (null), unless a declared entity is in the US', () => {
    expect(usControlled(subsidiary)).toBeNull();
    expect(usControlled({ ...subsidiary, operator: { ...subsidiary.operator, parents: [] } })).toBe(false);
    expect(usControlled(usOperator)).toBe(true);
    expect(usControlled(usParentInEu)).toBe(true);
  });

  it('does not matter to a policy that asks only where inference runs', () => {
    expect(hosted.check('fr-sub', subsidiary)).toEqual([]);
  });

  it('still names a US operator as US-controlled, whatever its parents', () => {
    expect(sovereign.check('openai', usOperator)).toContain('operator OpenAI OpCo, LLC is US-controlled');
  });
});

describe('countries that are not ISO 3166-1 alpha-2 codes', () => {
  const noUsControl = compilePolicy({ name: 'eu-hosted-no-us', hosting: 'EEA', allowUsControl: false });

  it('never satisfy a policy asking about US control: USA is not read as "not US"', () => {
    const facts: JurisdictionFacts = { operator: { name: 'Big Cloud Inc', country: 'USA', parents: [] }, hosting: ['DE'] };
    expect(noUsControl.check('my-adapter', facts)).toEqual([
      "operator Big Cloud Inc has country USA, not an ISO 3166-1 alpha-2 code; policy eu-hosted-no-us requires one",
    ]);
  });

  it('exclude instead of throwing when a country is missing, for operators, parents, sub-processors and hosting', () => {
    const missing = { operator: { name: 'Big Cloud Inc', parents: [{ name: 'Holding' }] }, hosting: ['DE', undefined] } as unknown as JurisdictionFacts;
    expect(sovereign.check('my-adapter', missing)).toEqual([
      'inference hosted in undefined; policy eu-sovereign allows EEA',
      'operator Big Cloud Inc has country undefined, not an ISO 3166-1 alpha-2 code; policy eu-sovereign requires one',
      'parent Holding has country undefined, not an ISO 3166-1 alpha-2 code; policy eu-sovereign requires one',
    ]);
    const strict = compilePolicy({ name: 'strict', allowUsSubprocessors: false });
    const subprocessed = { ...euOperator, subprocessors: [{ name: 'Some Host', country: 'USA' }] };
    expect(strict.check('ovhcloud', subprocessed)).toEqual([
      'sub-processor Some Host has country USA, not an ISO 3166-1 alpha-2 code; policy strict requires one',
    ]);
  });
});

describe('codes ISO 3166-1 leaves to users (AA, QM–QZ, XA–XZ, ZZ: "unknown" in many data sets)', () => {
  const userAssigned = fc.oneof(
    fc.constantFrom('AA', 'ZZ'),
    fc.integer({ min: 'M'.charCodeAt(0), max: 'Z'.charCodeAt(0) }).map((code) => `Q${String.fromCharCode(code)}`),
    // XK stays a country: Kosovo, as the EU and most registries write it.
    fc.integer({ min: 'A'.charCodeAt(0), max: 'Z'.charCodeAt(0) }).map((code) => `X${String.fromCharCode(code)}`).filter((code) => code !== 'XK'),
  );
  const noUsControl = compilePolicy({ name: 'no-us', allowUsControl: false });
  const noUsSubprocessors = compilePolicy({ name: 'no-us-subs', allowUsSubprocessors: false });

  it('are never read as "not US": an operator, parent or sub-processor in one is excluded by a policy asking about the US', () => {
    fc.assert(
      fc.property(userAssigned, fc.constantFrom('operator', 'parent', 'sub-processor'), (code, role) => {
        const facts: JurisdictionFacts = {
          operator: { name: 'Cloud', country: role === 'operator' ? code : 'FR', parents: role === 'parent' ? [{ name: 'Holding', country: code }] : [] },
          hosting: ['FR'],
          subprocessors: role === 'sub-processor' ? [{ name: 'Host', country: code }] : [],
        };
        const policy = role === 'sub-processor' ? noUsSubprocessors : noUsControl;
        const reasons = policy.check('cloud', facts);
        expect(reasons).toHaveLength(1);
        expect(reasons[0]).toContain(`has country ${code}, not an ISO 3166-1 alpha-2 code`);
        if (role !== 'sub-processor') expect(usControlled(facts)).toBeNull();
      }),
    );
  });

  it('leaves Kosovo (XK) a country', () => {
    expect(noUsControl.check('cloud', { operator: { name: 'Cloud', country: 'XK', parents: [] }, hosting: ['XK'] })).toEqual([]);
  });
});

describe('custom policies', () => {
  it('combine hosting, operator countries, US control, sub-processors and provider lists', () => {
    const policy = compilePolicy({
      name: 'fr-de',
      hosting: ['FR', 'DE'],
      operator: 'EU',
      allowUsControl: false,
      allowUsSubprocessors: false,
      providers: { deny: ['ovhcloud'] },
    });
    const subprocessed = { ...euOperator, subprocessors: [{ name: 'CoreWeave, Inc.', country: 'US' }] };
    expect(policy.check('ovhcloud', { ...euOperator, subprocessors: [] })).toEqual(['provider ovhcloud is in the deny list of policy fr-de']);
    expect(policy.check('scaleway', { ...euOperator, subprocessors: [] })).toEqual([]);
    expect(policy.check('mistral-eu', subprocessed)).toEqual(['sub-processor CoreWeave, Inc. is in US; policy fr-de excludes US sub-processors']);
    expect(policy.check('berget', { operator: { name: 'Berget AI AB', country: 'SE', parents: [] }, hosting: ['SE'], subprocessors: [] })).toEqual([
      'inference hosted in SE; policy fr-de allows FR, DE',
    ]);
    expect(policy.check('norway', { operator: { name: 'Nordic AS', country: 'NO', parents: [] }, hosting: ['DE'], subprocessors: [] })).toEqual([
      'operator Nordic AS is in NO; policy fr-de allows operators in EU',
    ]);
  });

  it("reads 'EU' in a country list as its member states, as it reads 'EU' alone: ['EU', 'CH'] admits France and Switzerland", () => {
    const infomaniak: JurisdictionFacts = { operator: { name: 'Infomaniak Network SA', country: 'CH', parents: [] }, hosting: ['CH'] };
    const nordic: JurisdictionFacts = { operator: { name: 'Nordic AS', country: 'NO', parents: [] }, hosting: ['NO'] };
    const hosting = compilePolicy({ name: 'eu-ch', hosting: ['EU', 'CH'] });
    expect(hosting.check('scaleway', euOperator)).toEqual([]);
    expect(hosting.check('infomaniak', infomaniak)).toEqual([]);
    expect(hosting.check('nordic', nordic)).toEqual(['inference hosted in NO; policy eu-ch allows EU, CH']);
    const operators = compilePolicy({ name: 'eu-no', operator: ['eu', 'NO'] });
    expect(operators.check('scaleway', euOperator)).toEqual([]);
    expect(operators.check('nordic', nordic)).toEqual([]);
    expect(operators.check('infomaniak', infomaniak)).toEqual(['operator Infomaniak Network SA is in CH; policy eu-no allows operators in eu, NO']);
  });

  it("says of facts declaring 'EU' as a country that the union is no country, rather than 'hosted in EU; allows EU'", () => {
    const declaredEu: JurisdictionFacts = { operator: { name: 'Union Cloud', country: 'EU', parents: [] }, hosting: ['EU'] };
    const hosting = compilePolicy({ name: 'eu-ch', hosting: ['EU', 'CH'], operator: 'EU' });
    expect(hosting.check('union-cloud', declaredEu)).toEqual([
      'inference hosted in EU, the union, not a country (declare the member states); policy eu-ch allows EU, CH',
      'operator Union Cloud is in EU, the union, not a country (declare the member states); policy eu-ch allows operators in EU',
    ]);
  });

  it('says an empty country list allows no country, rather than ending its reason on "allows "', () => {
    const nowhere = compilePolicy({ name: 'nowhere', hosting: [], operator: [] });
    expect(nowhere.check('ovhcloud', euOperator)).toEqual([
      'inference hosted in FR; policy nowhere allows no country',
      'operator OVH SAS is in FR; policy nowhere allows operators in no country',
      'parent OVH Groupe SA is in FR; policy nowhere allows operators in no country',
    ]);
  });

  it('an allow list admits only the providers it names', () => {
    const policy = compilePolicy({ name: 'pinned', providers: { allow: ['scaleway'] } });
    expect(policy.check('scaleway', undefined)).toEqual([]);
    expect(policy.check('ovhcloud', euOperator)).toEqual(['provider ovhcloud is not in the allow list of policy pinned']);
  });

  it('several policies apply together, and the effective name lists the narrowing ones', () => {
    expect(checkAll([global, hosted], 'openai', usOperator)).toEqual(['inference hosted in US; policy eu-hosted allows EEA']);
    expect(checkAll([hosted, sovereign], 'azure-openai', usParentInEu)).toHaveLength(2);
    expect(effectivePolicyName([sovereign, global])).toBe('eu-sovereign');
    expect(effectivePolicyName([global, global])).toBe('global');
    expect(effectivePolicyName([hosted, sovereign])).toBe('eu-hosted + eu-sovereign');
  });
});
