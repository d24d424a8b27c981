import type { Schema } from './json-schema-sample.js';
import type { Random } from './seeded-random.js';
import { randomWords } from './text-generator.js';

/* Scalar values for the JSON schema sampler: strings and numbers within the schema's bounds. */

/** A string within `minLength`/`maxLength`, or in `format` (date, date-time, email, uri, uuid). */
export function sampleString(schema: Schema, random: Random): string {
  switch (schema.format) {
    case 'date':
      return randomDate(random);
    case 'date-time':
      return `${randomDate(random)}T${pad(random.int(0, 23))}:${pad(random.int(0, 59))}:${pad(random.int(0, 59))}Z`;
    case 'email':
      return `${randomWords(random, 1)}@example.com`;
    case 'uri':
      return `https://example.com/${randomWords(random, 1)}`;
    case 'uuid': {
      const hex = Array.from({ length: 32 }, () => random.int(0, 15).toString(16)).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
    }
  }
  let text = randomWords(random, random.int(1, 3));
  const minimum = numberOr(schema.minLength, 0);
  while (text.length < minimum) text += ` ${randomWords(random, 1)}`;
  return text.slice(0, numberOr(schema.maxLength, Infinity));
}

/** A number or integer within the (exclusive) minimum and maximum; unbounded sides span 100. */
export function sampleNumber(schema: Schema, random: Random, integer: boolean): number {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  let low = Math.max(numberOr(minimum, -Infinity), numberOr(exclusiveMinimum, -Infinity));
  let high = Math.min(numberOr(maximum, Infinity), numberOr(exclusiveMaximum, Infinity));
  if (integer) {
    low = typeof exclusiveMinimum === 'number' && low === exclusiveMinimum ? Math.floor(low) + 1 : Math.ceil(low);
    high = typeof exclusiveMaximum === 'number' && high === exclusiveMaximum ? Math.ceil(high) - 1 : Math.floor(high);
  }
  if (!Number.isFinite(low)) low = Number.isFinite(high) ? high - 100 : 0;
  if (!Number.isFinite(high)) high = low + 100;
  if (integer) return random.int(low, high);
  const value = Math.round((low + random.next() * (high - low)) * 100) / 100;
  const outside = value < low || value > high || value === exclusiveMinimum || value === exclusiveMaximum;
  return outside ? (low + high) / 2 : value;
}

/** `value` when it is a number: schema keywords are untyped. */
export function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function randomDate(random: Random): string {
  return `202${random.int(0, 9)}-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
