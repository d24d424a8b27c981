import type { Shape } from './schema.js';

/** Undefined, or `inner` (zod's `optional`): an object leaves an absent field out. */
export const optional = (inner: Shape): Shape => ({
  run: (value) => (value === undefined ? { value, issues: [] } : inner.run(value)),
  optional: true,
  ...(inner.values === undefined ? {} : { values: [...inner.values, undefined] }),
});

/** Null, or `inner` (zod's `nullable`). */
export const nullable = (inner: Shape): Shape => ({
  run: (value) => (value === null ? { value, issues: [] } : inner.run(value)),
  ...(inner.optional ? { optional: true } : {}),
});

/** Null, undefined, or `inner` (zod's `nullish`). */
export const nullish = (inner: Shape): Shape => optional(nullable(inner));
