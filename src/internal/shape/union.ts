import { aborted, type Issue, type Result } from './issue.js';
import type { Shape } from './schema.js';

/**
 * The first of `options` that accepts the value (zod's `union`). When none does: the issues of
 * the one branch that got past the value's type, if exactly one did; else `invalid_union` with
 * every branch's issues.
 */
export function union(options: readonly Shape[]): Shape {
  return {
    run(value) {
      const results: Result[] = [];
      for (const option of options) {
        const result = option.run(value);
        if (result.issues.length === 0) return result;
        results.push(result);
      }
      const reached = results.filter((result) => !aborted(result.issues));
      if (reached.length === 1) return reached[0]!;
      return { value, issues: [{ code: 'invalid_union', errors: results.map((result) => result.issues), input: value, path: [] }] };
    },
  };
}

/**
 * The option whose `key` field has the value's (zod's `discriminatedUnion`); no such option is
 * `invalid_union` at that key, listing the values accepted.
 */
export function discriminatedUnion(key: string, options: readonly Shape[]): Shape {
  const byValue = new Map<unknown, Shape>();
  for (const option of options) for (const value of option.shape![key]!.values!) byValue.set(value, option);
  return {
    run(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { value, issues: [{ code: 'invalid_type', expected: 'object', input: value, path: [] }] };
      }
      const option = byValue.get((value as Record<string, unknown>)[key]);
      if (option !== undefined) return option.run(value);
      const issue: Issue = { code: 'invalid_union', errors: [], options: [...byValue.keys()], input: value, path: [key] };
      return { value, issues: [issue] };
    },
  };
}
