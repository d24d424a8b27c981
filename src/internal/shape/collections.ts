import { addPrefixed } from './issue.js';
import { shapeOf, type Check, type Shape } from './schema.js';

/**
 * An array of `element`s, copied (zod's `array`); holes are read as undefined. As zod does, an
 * array longer than a leading length check allows fails that check alone, before any element is
 * read.
 */
export function array(element: Shape, ...checks: Check[]): Shape {
  const leading: Check[] = [];
  for (const check of checks) {
    if (!('lengthCap' in check)) break;
    leading.push(check);
  }
  const caps = leading.filter((check) => check.lengthCap !== undefined);
  return shapeOf((input, issues) => {
    if (!Array.isArray(input)) {
      issues.push({ code: 'invalid_type', expected: 'array', input, path: [] });
      return input;
    }
    const tooLong = caps.find((check) => input.length > check.lengthCap!);
    if (tooLong !== undefined) {
      tooLong(input as never, issues);
      issues[issues.length - 1]!.continue = false;
      return input;
    }
    const output: unknown[] = new Array(input.length);
    for (let index = 0; index < input.length; index++) {
      const result = element.run(input[index]);
      addPrefixed(issues, index, result.issues);
      output[index] = result.value;
    }
    return output;
  }, checks);
}

/** zod's test for a record: an object of no class of its own. */
function isPlainObject(value: unknown): value is Record<PropertyKey, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const constructor = (value as { constructor?: unknown }).constructor;
  if (constructor === undefined || typeof constructor !== 'function') return true;
  const prototype: unknown = constructor.prototype;
  if (typeof prototype !== 'object' || prototype === null || Array.isArray(prototype)) return false;
  return Object.prototype.hasOwnProperty.call(prototype, 'isPrototypeOf');
}

/**
 * An object whose own enumerable keys (symbols included) pass `key` and values pass `value`,
 * copied (zod's `record` with a string key): a failing key is `invalid_key` at that key. The
 * checks run on the copy once every key and value passed.
 */
export const record = (key: Shape, value: Shape, ...checks: Check[]): Shape =>
  shapeOf((input, issues) => {
    if (!isPlainObject(input)) {
      issues.push({ code: 'invalid_type', expected: 'record', input, path: [] });
      return input;
    }
    const output: Record<PropertyKey, unknown> = {};
    for (const name of Reflect.ownKeys(input)) {
      if (name === '__proto__' || !Object.prototype.propertyIsEnumerable.call(input, name)) continue;
      const keyResult = key.run(name);
      if (keyResult.issues.length > 0) {
        issues.push({ code: 'invalid_key', origin: 'record', issues: keyResult.issues, input: name, path: [name] });
        continue;
      }
      const result = value.run(input[name]);
      addPrefixed(issues, name, result.issues);
      output[name] = result.value;
    }
    return output;
  }, checks);
