import { addPrefixed, type Issue } from './issue.js';
import { shapeOf, type Check, type Shape } from './schema.js';

/*
 * Objects, as zod 4 reads them: each field of the shape read by name (inherited and
 * non-enumerable ones too), in the shape's order; then the keys the shape does not name, in
 * `for…in` order: refused (`strict`), kept (`loose`) or dropped (`strip`, zod's `object`).
 */

type UnknownKeys = 'strict' | 'loose' | 'strip';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function objectOf(shape: Readonly<Record<string, Shape>>, unknownKeys: UnknownKeys, checks: readonly Check[]): Shape {
  const keys = Object.keys(shape);
  const known = new Set(keys);
  const parse = (input: unknown, issues: Issue[]) => {
    if (!isObject(input)) {
      issues.push({ code: 'invalid_type', expected: 'object', input, path: [] });
      return input;
    }
    const output: Record<string, unknown> = {};
    for (const key of keys) {
      if (key === '__proto__') continue;
      const field = shape[key]!;
      const present = key in input;
      const result = field.run(input[key]);
      if (field.optional) {
        // An absent optional field is left out, whatever its shape made of undefined.
        if (!present) continue;
        addPrefixed(issues, key, result.issues);
        output[key] = result.value;
        continue;
      }
      addPrefixed(issues, key, result.issues);
      if (!present) {
        if (result.issues.length === 0) issues.push({ code: 'invalid_type', expected: 'nonoptional', input: undefined, path: [key] });
        continue;
      }
      output[key] = result.value;
    }
    if (unknownKeys === 'strip') return output;
    const unrecognized: string[] = [];
    for (const key in input) {
      if (known.has(key)) continue;
      if (unknownKeys === 'strict') unrecognized.push(key);
      else if (key !== '__proto__') output[key] = input[key];
    }
    if (unrecognized.length > 0) issues.push({ code: 'unrecognized_keys', keys: unrecognized, input, path: [], continue: true });
    return output;
  };
  return { ...shapeOf(parse, checks), shape };
}

/** Unknown keys refused (zod's `strictObject`). */
export const strictObject = (shape: Readonly<Record<string, Shape>>, ...checks: Check[]): Shape => objectOf(shape, 'strict', checks);
/** Unknown keys kept (zod's `looseObject`). */
export const looseObject = (shape: Readonly<Record<string, Shape>>, ...checks: Check[]): Shape => objectOf(shape, 'loose', checks);
/** Unknown keys dropped from the output (zod's `object`). */
export const object = (shape: Readonly<Record<string, Shape>>, ...checks: Check[]): Shape => objectOf(shape, 'strip', checks);
