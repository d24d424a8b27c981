import type { Schema } from './json-schema-sample.js';
import { beyondSimulationLimit, quoted, unsatisfiableSchema, type SchemaLocation } from './json-schema-error.js';
import { honouredFormats, sampleFormat } from './json-schema-formats.js';
import { parsePattern, PatternTooLongError, UnsupportedPatternError, type Alternation } from './pattern-parser.js';
import { samplePattern } from './pattern-sample.js';
import type { Random } from './seeded-random.js';
import type { SimulationBudget } from './simulation-budget.js';
import { randomWords } from './text-generator.js';

/* Scalar values for the JSON schema sampler: strings and numbers within the schema's bounds. */

/** Draws per string keyword before giving up: enough for patterns with alternation or `?`. */
const attempts = 16;
const subset = 'it writes anchors, literals, escapes (\\d \\w \\s), character classes, groups, alternation and quantifiers';

/** A pattern read once per answer: its tree, its RegExp, and whether it is anchored at either end. */
interface CompiledPattern {
  tree: Alternation;
  expression: RegExp;
  anchored: { start: boolean; end: boolean };
}

/**
 * A string in `format` (see json-schema-formats.ts), matching `pattern`, within
 * `minLength`/`maxLength` (counted in code points, as JSON schema does) and
 * `limits.simulation.maxStringLength` (a `minLength`, or a pattern needing a string, beyond it is
 * refused). Throws the 400 of {@link unsatisfiableSchema} when it cannot write one.
 */
export function sampleString(schema: Schema, random: Random, location: SchemaLocation, budget: SimulationBudget): string {
  const limit = budget.limits.maxStringLength;
  const minimum = numberOr(schema.minLength, 0);
  const maximum = Math.min(numberOr(schema.maxLength, Infinity), limit);
  const pattern = typeof schema.pattern === 'string' ? schema.pattern : undefined;
  if (minimum > limit) throw beyondSimulationLimit(location, `a string of at least ${minimum} characters`, 'maxStringLength', limit);
  const compiled = pattern === undefined ? undefined : budget.remember(`pattern:${pattern}`, () => compile(pattern, location, limit));
  const lengthFits = (value: string): boolean => {
    const length = Array.from(value).length;
    return length >= minimum && length <= maximum;
  };
  if (honouredFormats.includes(String(schema.format))) {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const value = sampleFormat(schema.format, random) ?? '';
      if (lengthFits(value) && (compiled?.expression.test(value) ?? true)) return value;
    }
    const what = `a "${String(schema.format)}" string`;
    throw unsatisfiableSchema(location, what, pattern === undefined ? 'minLength/maxLength leave no room for it' : `none it writes matches the pattern ${quoted(pattern)}`);
  }
  if (pattern === undefined || compiled === undefined) return words(random, minimum, maximum);
  // The first half draws freely; the second repeats greedily and halves the interval of
  // `extra` that can still give a length within minLength/maxLength.
  let extra = 3;
  let low = 0;
  let high = Infinity;
  let tooLong = false;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const greedy = attempt >= attempts / 2;
    if (attempt === attempts / 2) [extra, low, high] = [3, 0, Infinity];
    const value = patternString(compiled.tree, random, extra, limit, greedy, location, pattern);
    const length = value === undefined ? Infinity : Array.from(value).length;
    if (value === undefined) {
      // Even the fewest repeats the pattern allows may be too long: then no draw can fit.
      tooLong = true;
      if (extra === 0) break;
    }
    // The caller's expression runs only on strings written from it, within the length limit.
    if (value !== undefined && length <= maximum && compiled.expression.test(value)) {
      if (length >= minimum) return value;
      // Padding reaches minLength where the pattern lets the match sit in a longer string:
      // without `$` it may be followed by anything, without `^` preceded by anything.
      const padding = 'x'.repeat(minimum - length);
      if (!compiled.anchored.end && lengthFits(value + padding)) return value + padding;
      if (!compiled.anchored.start && lengthFits(padding + value)) return padding + value;
    }
    if (greedy && length < minimum) low = Math.max(low, extra);
    else if (greedy && length > maximum) high = Math.min(high, extra);
    if (greedy) extra = high === Infinity ? Math.min(extra * 2 + 1, limit) : Math.floor((low + high) / 2);
    else extra = length < minimum ? Math.min(extra * 2 + 1, limit) : length > maximum ? Math.floor(extra / 2) : extra;
  }
  if (tooLong) throw beyondSimulationLimit(location, `a string matching the pattern ${quoted(pattern)}`, 'maxStringLength', limit);
  throw unsatisfiableSchema(location, `a string matching the pattern ${quoted(pattern)}`, `no string it wrote matched within minLength/maxLength; ${subset}`);
}

function compile(pattern: string, location: SchemaLocation, limit: number): CompiledPattern {
  let expression: RegExp;
  try {
    expression = new RegExp(pattern, 'u');
  } catch (error) {
    throw unsatisfiableSchema(location, `a string matching the pattern ${quoted(pattern)}`, `it is not a valid regular expression with the u flag (${(error as Error).message})`);
  }
  try {
    const tree = parsePattern(pattern, limit);
    return { tree, expression, anchored: anchors(tree) };
  } catch (error) {
    if (error instanceof PatternTooLongError) {
      throw beyondSimulationLimit(location, `a string matching the pattern ${quoted(pattern)} (${error.message})`, 'maxStringLength', limit);
    }
    if (!(error instanceof UnsupportedPatternError)) throw error;
    throw unsatisfiableSchema(location, `a string matching the pattern ${quoted(pattern)}`, `${error.message}; ${subset}`);
  }
}

/** Whether `^` or `$` appears anywhere in the tree, iteratively (groups may nest deeply). */
function anchors(tree: Alternation): { start: boolean; end: boolean } {
  const found = { start: false, end: false };
  const pending: Alternation[] = [tree];
  for (let alternation = pending.pop(); alternation !== undefined; alternation = pending.pop()) {
    for (const option of alternation.options) {
      for (const { atom } of option) {
        if (atom.kind === 'anchor') found[atom.at] = true;
        else if (atom.kind === 'alternation') pending.push(atom);
      }
    }
  }
  return found;
}

/** A string written from the pattern, or undefined when it came out longer than `limit`. */
function patternString(
  tree: Alternation,
  random: Random,
  extra: number,
  limit: number,
  greedy: boolean,
  location: SchemaLocation,
  pattern: string,
): string | undefined {
  try {
    return samplePattern(tree, random, extra, limit, greedy);
  } catch (error) {
    if (error instanceof PatternTooLongError) return undefined;
    if (!(error instanceof UnsupportedPatternError)) throw error;
    throw unsatisfiableSchema(location, `a string matching the pattern ${quoted(pattern)}`, `${error.message}; ${subset}`);
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
