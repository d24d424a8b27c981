import type { Random } from './seeded-random.js';
import { randomWords } from './text-generator.js';

/*
 * Strings in the JSON schema `format`s the pseudo-LLM honours: those of OpenAI's strict mode
 * (date-time, time, date, duration, email, hostname, ipv4, ipv6, uuid) plus uri. Each value is
 * valid for the format as ajv-formats checks it; other formats are not recognised.
 */

const pad = (value: number): string => String(value).padStart(2, '0');
const hex = (random: Random, length: number): string => Array.from({ length }, () => random.int(0, 15).toString(16)).join('');
const date = (random: Random): string => `202${random.int(0, 9)}-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`;
const time = (random: Random): string => `${pad(random.int(0, 23))}:${pad(random.int(0, 59))}:${pad(random.int(0, 59))}Z`;

const generators: Record<string, (random: Random) => string> = {
  date,
  time,
  'date-time': (random) => `${date(random)}T${time(random)}`,
  duration: (random) => random.pick([`P${random.int(1, 30)}D`, `PT${random.int(1, 59)}M`, `P${random.int(1, 12)}M${random.int(1, 28)}D`]),
  email: (random) => `${randomWords(random, 1)}@example.com`,
  hostname: (random) => `${randomWords(random, 1)}.example.com`,
  // Documentation ranges (RFC 5737, RFC 3849): valid addresses that route nowhere.
  ipv4: (random) => `192.0.2.${random.int(1, 254)}`,
  ipv6: (random) => `2001:db8::${hex(random, 4).replace(/^0+(?=.)/, '')}`,
  uri: (random) => `https://example.com/${randomWords(random, 1)}`,
  uuid: (random) => {
    const digits = hex(random, 32);
    return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-4${digits.slice(13, 16)}-a${digits.slice(17, 20)}-${digits.slice(20)}`;
  },
};

/** The formats {@link sampleFormat} writes. */
export const honouredFormats = Object.keys(generators);

/** A string in `format`, or `undefined` when the format is not one of {@link honouredFormats}. */
export function sampleFormat(format: unknown, random: Random): string | undefined {
  return typeof format === 'string' && Object.hasOwn(generators, format) ? generators[format]?.(random) : undefined;
}
