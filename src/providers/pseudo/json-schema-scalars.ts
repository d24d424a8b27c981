import type { Schema } from './json-schema-sample.js';
import { unsatisfiableSchema, type SchemaLocation } from './json-schema-error.js';
import { honouredFormats, sampleFormat } from './json-schema-formats.js';
import { UnsupportedPatternError } from './pattern-parser.js';
import { maxPatternLength, samplePattern } from './pattern-sample.js';
import type { Random } from './seeded-random.js';
import { randomWords } from './text-generator.js';

/* Scalar values for the JSON schema sampler: strings and numbers within the schema's bounds. */

/** Draws per string keyword before giving up: enough for patterns with alternation or `?`. */
const attempts = 16;
const subset = 'it writes anchors, literals, escapes (\\d \\w \\s), character classes, groups, alternation and quantifiers';

/**
 * A string in `format` (see json-schema-formats.ts), matching `pattern`, within
 * `minLength`/`maxLength` (counted in code points, as JSON schema does). Throws the 400 of
 * {@link unsatisfiableSchema} when it cannot write one.
 */
export function sampleString(schema: Schema, random: Random, location: SchemaLocation): string {
  const minimum = numberOr(schema.minLength, 0);
  const maximum = numberOr(schema.maxLength, Infinity);
  const pattern = typeof schema.pattern === 'string' ? schema.pattern : undefined;
  if (minimum > maxPatternLength) {
    throw unsatisfiableSchema(location, `a string of at least ${minimum} characters`, `the pseudo-LLM writes at most ${maxPatternLength}`);
  }
  const expression = pattern === undefined ? undefined : compile(pattern, location);
  const fits = (value: string): boolean => {
    const length = Array.from(value).length;
    return length >= minimum && length <= maximum && (expression?.test(value) ?? true);
  };
  if (honouredFormats.includes(String(schema.format))) {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const value = sampleFormat(schema.format, random) ?? '';
      if (fits(value)) return value;
    }
    const what = `a "${String(schema.format)}" string`;
    throw unsatisfiableSchema(location, what, pattern === undefined ? 'minLength/maxLength leave no room for it' : `none it writes matches the pattern "${pattern}"`);
  }
  if (pattern === undefined) return words(random, minimum, maximum);
  let extra = 3;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = patternString(pattern, random, extra, location);
    const length = Array.from(value).length;
    // Late on, padding reaches minLength where the pattern lets the match sit in a longer string.
    const padding = attempt < attempts / 2 ? '' : 'x'.repeat(Math.max(0, minimum - length));
    const match = [value, value + padding, padding + value].find(fits);
    if (match !== undefined) return match;
    extra = length < minimum ? extra * 2 + 1 : length > maximum ? Math.floor(extra / 2) : extra;
  }
  throw unsatisfiableSchema(location, `a string matching the pattern "${pattern}"`, `no string it wrote matched within minLength/maxLength; ${subset}`);
}

function compile(pattern: string, location: SchemaLocation): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch (error) {
    throw unsatisfiableSchema(location, `a string matching the pattern "${pattern}"`, `it is not a valid regular expression with the u flag (${(error as Error).message})`);
  }
}

function patternString(pattern: string, random: Random, extra: number, location: SchemaLocation): string {
  try {
    return samplePattern(pattern, random, extra);
  } catch (error) {
    if (!(error instanceof UnsupportedPatternError)) throw error;
    throw unsatisfiableSchema(location, `a string matching the pattern "${pattern}"`, `${error.message}; ${subset}`);
  }
}

function words(random: Random, minimum: number, maximum: number): string {
  let text = randomWords(random, random.int(1, 3));
  while (text.length < minimum) text += ` ${randomWords(random, 1)}`;
  return text.slice(0, maximum);
}

/**
 * A number or integer within the (exclusive) minimum and maximum and a `multipleOf`; unbounded
 * sides span 100 (or ten multiples). Throws the 400 of {@link unsatisfiableSchema} when the
 * bounds leave no such number.
 */
export function sampleNumber(schema: Schema, random: Random, integer: boolean, location: SchemaLocation): number {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = schema;
  const low = Math.max(numberOr(minimum, -Infinity), numberOr(exclusiveMinimum, -Infinity));
  const high = Math.min(numberOr(maximum, Infinity), numberOr(exclusiveMaximum, Infinity));
  const inside = (value: number): boolean =>
    value >= low && value <= high && value !== exclusiveMinimum && value !== exclusiveMaximum;
  const multiple = typeof multipleOf === 'number' && multipleOf > 0 ? multipleOf : undefined;
  const step = multiple === undefined ? (integer ? 1 : undefined) : integer ? integerMultiple(multiple) : multiple;
  const span = Math.max(100, (step ?? 0) * 10);
  const from = Number.isFinite(low) ? low : Number.isFinite(high) ? high - span : 0;
  const to = Number.isFinite(high) ? high : from + span;
  if (step === undefined && !integer) {
    const value = Math.round((from + random.next() * (to - from)) * 100) / 100;
    if (inside(value)) return value;
    if (inside((from + to) / 2)) return (from + to) / 2;
  } else if (step !== undefined) {
    const first = Math.ceil(from / step);
    const count = Math.floor(to / step) - first + 1;
    const start = count > 0 ? random.int(0, count - 1) : 0;
    // Floating point: some multiples (3 × 0.1) are not exact; the next one usually is.
    for (let offset = 0; offset < Math.min(count, 50); offset++) {
      const value = Number(((first + ((start + offset) % count)) * step).toPrecision(15));
      if (inside(value) && (multiple === undefined || Number.isInteger(value / multiple))) return value;
    }
  }
  const bounds = ['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum', 'multipleOf'].filter((key) => typeof schema[key] === 'number');
  const what = integer ? 'an integer' : 'a number';
  throw unsatisfiableSchema(location, what, `none lies within ${bounds.map((key) => `${key} ${String(schema[key])}`).join(', ')}`);
}

/** The smallest integer that is a multiple of `step` (5 for 2.5), so integers can honour it. */
function integerMultiple(step: number): number | undefined {
  for (let factor = 1; factor <= 1000; factor++) {
    const candidate = Math.round(step * factor);
    if (candidate > 0 && Math.abs(step * factor - candidate) < 1e-9) return candidate;
  }
  return undefined;
}

/** `value` when it is a number: schema keywords are untyped. */
export function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
