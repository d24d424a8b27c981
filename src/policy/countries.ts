/*
 * Country sets as data, ISO 3166-1 alpha-2. The EEA is the EU plus Iceland, Liechtenstein and
 * Norway. Switzerland is in neither (EFTA, not EEA): a policy that wants it lists it explicitly.
 */

export const euCountries: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE',
  'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
]);

export const eeaCountries: ReadonlySet<string> = new Set([...euCountries, 'IS', 'LI', 'NO']);

/**
 * Expands a policy's country list or region name into a set of country codes. `EU` (a code
 * ISO 3166-1 reserves for the union, and a list's entries pass as two-letter codes) and `EEA`
 * in a list expand too: `['EU', 'CH']` is the member states and Switzerland, never a country
 * named EU that no deployment is hosted in.
 */
export function countrySet(value: readonly string[] | 'EU' | 'EEA'): ReadonlySet<string> {
  if (value === 'EU') return euCountries;
  if (value === 'EEA') return eeaCountries;
  const countries = new Set<string>();
  for (const country of value) {
    const code = country.toUpperCase();
    if (code === 'EU' || code === 'EEA') for (const member of code === 'EU' ? euCountries : eeaCountries) countries.add(member);
    else countries.add(code);
  }
  return countries;
}

/** A readable name for a country set, used in reasons: `EU`, `EEA`, `FR, DE`, or `no country` for an empty list. */
export function describeCountries(value: readonly string[] | 'EU' | 'EEA'): string {
  if (typeof value === 'string') return value;
  return value.length === 0 ? 'no country' : value.join(', ');
}
