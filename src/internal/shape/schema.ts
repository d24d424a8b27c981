import { aborted, type Issue, type Result } from './issue.js';

/*
 * A shape: a hand-written check of a value that behaves as the zod 4 schema of the same kind
 * (same output, same issues in the same order). The kinds are few, those the library's
 * start-up checks use: zod stays off the start-up path of an app (docs/performance.md,
 * "Bundle size").
 */

/** A check of a value of the right type: pushes its issues, if any. */
export type Check = ((value: never, issues: Issue[]) => void) & {
  /** A length check (`minLength`, `maxLength`, `length`), with the longest length it accepts, if any. */
  readonly lengthCap?: number | undefined;
};

export interface Shape {
  /** Checks `value`: its output and issues. */
  run(value: unknown): Result;
  /** Absent or undefined is accepted (zod's `optional`): an object leaves the key out. */
  readonly optional?: boolean;
  /** The only values accepted (a literal or enum): what a discriminated union looks up. */
  readonly values?: readonly unknown[];
  /** An object's fields. */
  readonly shape?: Readonly<Record<string, Shape>>;
}

/**
 * A shape from its type check (`parse`) and its checks, run in order as zod runs them: none
 * after an issue that ends the value. `error` words the shape's own issues that have no message
 * of their own (zod's `{ error }` on a schema).
 */
export function shapeOf(parse: (value: unknown, issues: Issue[]) => unknown, checks: readonly Check[] = [], error?: string): Shape {
  return {
    run(input) {
      const issues: Issue[] = [];
      const value = parse(input, issues);
      let ended = aborted(issues);
      for (const check of checks) {
        if (ended) break;
        const start = issues.length;
        check(value as never, issues);
        if (issues.length > start) ended = aborted(issues, start);
      }
      if (error !== undefined) for (const issue of issues) if (issue.path.length === 0) issue.message ??= error;
      return { value, issues };
    },
  };
}

/** A type check that accepts what `accepts` says, else reports it was expecting `expected`. */
const typed = (expected: string, accepts: (value: unknown) => boolean) => (value: unknown, issues: Issue[]) => {
  if (!accepts(value)) issues.push({ code: 'invalid_type', expected, input: value, path: [] });
  return value;
};

const isString = typed('string', (value) => typeof value === 'string');
/** zod refuses NaN and ±Infinity as numbers. */
const isNumber = typed('number', (value) => typeof value === 'number' && Number.isFinite(value));
const isBoolean = typed('boolean', (value) => typeof value === 'boolean');
const isNull = typed('null', (value) => value === null);

export const string = (...checks: Check[]): Shape => shapeOf(isString, checks);
/** A string whose own issues (wrong type, and failed checks without a message) read `error`. */
export const stringWithError = (error: string, ...checks: Check[]): Shape => shapeOf(isString, checks, error);
export const number = (...checks: Check[]): Shape => shapeOf(isNumber, checks);
export const boolean = (): Shape => shapeOf(isBoolean);
export const nullValue = (): Shape => shapeOf(isNull);
/** Anything, then the checks. */
export const unknown = (...checks: Check[]): Shape => shapeOf((value) => value, checks);

/** One of `values` (zod's `enum`, and `literal` for one value). */
export function oneOf(values: readonly unknown[], error?: string): Shape {
  const accepted = new Set(values);
  const shape = shapeOf(
    (value, issues) => {
      if (!accepted.has(value)) issues.push({ code: 'invalid_value', values, input: value, path: [] });
      return value;
    },
    [],
    error,
  );
  return { ...shape, values };
}

export const literal = (value: unknown): Shape => oneOf([value]);

/**
 * What `accepts` says (zod's `custom`): refused with `message`, an issue that ends the value (no
 * later check runs), as zod's does.
 */
export const custom = (accepts: (value: unknown) => boolean, message: string, ...checks: Check[]): Shape =>
  shapeOf((value) => value, [(value: unknown, issues) => void (accepts(value) || issues.push({ code: 'custom', message, input: value, path: [], continue: false })), ...checks]);
