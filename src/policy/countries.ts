/*
 * Country sets as data, ISO 3166-1 alpha-2. The EEA is the EU plus Iceland, Liechtenstein and
 * Norway. Switzerland is in neither (EFTA, not EEA): a policy that wants it lists it explicitly.
 */

export const euCountries: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE',
  'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
]);

export const eeaCountries: ReadonlySet<string> = new Set([...euCountries, 'IS', 'LI', 'NO']);

/** Expands a policy's country list or region name into a set of country codes. */
export function countrySet(value: readonly string[] | 'EU' | 'EEA'): ReadonlySet<string> {
  if (value === 'EU') return euCountries;
  if (value === 'EEA') return eeaCountries;
  return new Set(value.map((country) => country.toUpperCase()));
}

/** A readable name for a country set, used in reasons: `EU`, `EEA` or `FR, DE`. */
export function describeCountries(value: readonly string[] | 'EU' | 'EEA'): string {
  return typeof value === 'string' ? value : value.join(', ');
}
