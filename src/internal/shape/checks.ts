import type { Issue } from './issue.js';
import type { Check } from './schema.js';

/*
 * zod 4's checks, with the same issues: bounds let the next check run, a non-integer ends the
 * value. Each takes the message that replaces zod's English one, as zod's do.
 */

/** At least `minimum` (`inclusive`), or above it. */
const lowest = (minimum: number, inclusive: boolean, message?: string): Check => (value: number, issues: Issue[]) => {
  if (inclusive ? value >= minimum : value > minimum) return;
  issues.push({ code: 'too_small', origin: 'number', minimum, inclusive, input: value, path: [], continue: true, ...(message === undefined ? {} : { message }) });
};

export const minimum = (value: number, message?: string): Check => lowest(value, true, message);
export const positive = (message?: string): Check => lowest(0, false, message);
export const nonnegative = (message?: string): Check => lowest(0, true, message);

export const maximum = (maximum: number, message?: string): Check => (value: number, issues: Issue[]) => {
  if (value <= maximum) return;
  issues.push({ code: 'too_big', origin: 'number', maximum, inclusive: true, input: value, path: [], continue: true, ...(message === undefined ? {} : { message }) });
};

/** A safe integer (zod's `int`). */
export const int = (message?: string): Check => (value: number, issues: Issue[]) => {
  const worded = message === undefined ? {} : { message };
  if (!Number.isInteger(value)) issues.push({ code: 'invalid_type', expected: 'int', input: value, path: [], continue: false, ...worded });
  else if (value > Number.MAX_SAFE_INTEGER) issues.push({ code: 'too_big', origin: 'int', maximum: Number.MAX_SAFE_INTEGER, inclusive: true, input: value, path: [], continue: true, ...worded });
  else if (value < Number.MIN_SAFE_INTEGER) issues.push({ code: 'too_small', origin: 'int', minimum: Number.MIN_SAFE_INTEGER, inclusive: true, input: value, path: [], continue: true, ...worded });
};

const highSurrogate = /[\uD800-\uDBFF]/;

/** A string's length in code points, as zod counts it (a lone surrogate counts one). */
function codePoints(value: string): number {
  let count = value.length;
  if (!highSurrogate.test(value)) return count;
  for (let index = 0; index < value.length - 1; index++) {
    if ((value.charCodeAt(index) & 0xfc00) === 0xd800 && (value.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      count--;
      index++;
    }
  }
  return count;
}

/**
 * A string's length in code points, an array's in items. A code point is one or two UTF-16
 * units, so outside [`low`, `high`] units the answer is known without counting: as zod, a
 * megabyte data: URL checked for at least one character is not walked.
 */
function lengthOf(value: string | readonly unknown[], low: number, high: number): number {
  const units = value.length;
  return typeof value === 'string' && units >= low && units <= high ? codePoints(value) : units;
}

const origin = (value: unknown) => (Array.isArray(value) ? 'array' : typeof value === 'string' ? 'string' : 'unknown');

/** A length check, marked as one: an array checks leading ones before its elements (collections.ts). */
const lengthCheck = (check: (value: string | unknown[], issues: Issue[]) => void, lengthCap?: number): Check =>
  Object.assign(check, { lengthCap });

export const minLength = (minimum: number, message?: string): Check =>
  lengthCheck((value, issues) => {
    if (lengthOf(value, minimum, minimum * 2 - 1) >= minimum) return;
    issues.push({ code: 'too_small', origin: origin(value), minimum, inclusive: true, input: value, path: [], continue: true, ...(message === undefined ? {} : { message }) });
  });

export const maxLength = (maximum: number, message?: string): Check =>
  lengthCheck((value, issues) => {
    if (lengthOf(value, maximum + 1, maximum * 2) <= maximum) return;
    issues.push({ code: 'too_big', origin: origin(value), maximum, inclusive: true, input: value, path: [], continue: true, ...(message === undefined ? {} : { message }) });
  }, maximum);

export const length = (exact: number): Check =>
  lengthCheck((value, issues) => {
    const actual = lengthOf(value, exact, exact * 2);
    if (actual === exact) return;
    const bound = actual > exact ? { code: 'too_big' as const, maximum: exact } : { code: 'too_small' as const, minimum: exact };
    issues.push({ ...bound, origin: origin(value), inclusive: true, exact: true, input: value, path: [], continue: true });
  }, exact);

export const regex = (pattern: RegExp, message?: string): Check => (value: string, issues: Issue[]) => {
  pattern.lastIndex = 0;
  if (pattern.test(value)) return;
  issues.push({ code: 'invalid_format', origin: 'string', pattern: pattern.toString(), input: value, path: [], continue: true, ...(message === undefined ? {} : { message }) });
};

/** `accepts`, else `message` (zod's `refine`). */
export const refine = <T>(accepts: (value: T) => boolean, message: string): Check => (value: T, issues: Issue[]) => {
  if (!accepts(value)) issues.push({ code: 'custom', message, input: value, path: [], continue: true });
};
