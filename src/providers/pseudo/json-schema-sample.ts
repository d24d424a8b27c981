import { sampleArray, sampleObject } from './json-schema-collections.js';
import { childPath, unsatisfiableSchema, type SchemaLocation, type SchemaSource } from './json-schema-error.js';
import { sampleNumber, sampleString } from './json-schema-scalars.js';
import type { Random } from './seeded-random.js';
import { SimulationBudget } from './simulation-budget.js';
import { randomWords } from './text-generator.js';

/*
 * A value that validates against a JSON schema, for tool-call arguments and structured
 * outputs. It covers the keywords function-calling schemas use (OpenAI strict mode, zod and
 * pydantic output; docs/test-keys.md lists them); `not`, `if`, tuples, `contains`, `patternProperties`
 * and `propertyNames` are ignored. Where a keyword it honours cannot be met, it throws a 400.
 */

export type Schema = Record<string, unknown>;

/** The sampler's state as it descends; `path` points at the schema being sampled. */
export interface Context extends SchemaLocation {
  root: Schema;
  random: Random;
  depth: number;
  /** What the answer may still write; shared by every value of it. */
  budget: SimulationBudget;
}

/**
 * Beyond this nesting depth the sampler takes the shortest way out of recursive schemas: no
 * optional properties, minimal arrays, `null` or scalar branches where the schema offers them.
 */
const shallowDepth = 5;
/** Deeper than this, the schema has no finite instance (e.g. a required self-reference). */
const maxDepth = 100;

const anySchema: SchemaSource = { label: 'the JSON schema', param: null };

/**
 * Returns a deterministic value valid for `schema`; `random` makes it vary with the seed.
 * Throws an InvalidRequestError (400) naming `source` and the schema path when it cannot, or
 * when the value would pass one of `budget`'s limits.
 */
export function sampleJsonSchema(schema: unknown, random: Random, source = anySchema, budget = new SimulationBudget()): unknown {
  return sample(schema, { root: isSchema(schema) ? schema : {}, random, depth: 0, source, path: '#', budget });
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves a local `$ref` such as `#/$defs/Item` or `#/definitions/Item` (JSON pointer). */
function resolve(reference: string, root: Schema): Schema {
  let target: unknown = root;
  for (const token of reference.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    const key = decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~');
    target = isSchema(target) ? target[key] : undefined;
  }
  return isSchema(target) ? target : {};
}

/** A branch that cannot recurse, preferred once the sampler is deep. */
function isLeaf(schema: unknown): boolean {
  return isSchema(schema) && schema.$ref === undefined && !['object', 'array'].includes(typeOf(schema, true));
}

function sample(input: unknown, context: Context): unknown {
  const value = sampleValue(input, context);
  // Containers are counted by sampleObject and sampleArray as they fill, strings here.
  if (typeof value !== 'object' || value === null) context.budget.spendValue(value, context.path, context.source.param);
  return value;
}

function sampleValue(input: unknown, context: Context): unknown {
  if (!isSchema(input)) return input === false ? null : randomWords(context.random, 2);
  if (context.depth > maxDepth) throw unsatisfiableSchema(context, 'a finite value', 'the schema recurses without end');
  const deep = context.depth >= shallowDepth;
  const inner = { ...context, depth: context.depth + 1 };
  const { $ref, ...schema } = input;
  if (typeof $ref === 'string') return sample({ ...resolve($ref, context.root), ...schema }, { ...inner, path: $ref });
  if (schema.const !== undefined) return copied(schema.const, context);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return copied(context.random.pick(schema.enum), context);
  if (schema.default !== undefined) return copied(schema.default, context);
  const keyword = Array.isArray(schema.anyOf) ? 'anyOf' : 'oneOf';
  const branches = schema[keyword];
  if (Array.isArray(branches) && branches.length > 0) {
    const index = Math.max(0, deep ? branches.findIndex(isLeaf) : 0);
    return sample(branches[index], { ...inner, path: childPath(context.path, keyword, index) });
  }
  const { allOf, ...own } = schema;
  // Merged shallowly: enough for the `allOf: [{ $ref }]` wrapper that pydantic and others emit.
  if (Array.isArray(allOf)) return sample(Object.assign({}, ...allOf.filter(isSchema), own) as Schema, context);
  const type = typeOf(schema, deep);
  switch (type) {
    case 'object':
      return sampleObject(schema, inner, deep, sample);
    case 'array':
      return sampleArray(schema, inner, deep, sample);
    case 'string':
      return sampleString(schema, context.random, context, context.budget);
    case 'integer':
    case 'number':
      return sampleNumber(schema, context.random, type === 'integer', context);
    case 'boolean':
      return context.random.next() < 0.5;
    default:
      return null;
  }
}

/** A value taken from the schema itself: a container is counted whole here, a scalar by sample(). */
function copied(value: unknown, context: Context): unknown {
  if (typeof value === 'object' && value !== null) context.budget.spendValue(value, context.path, context.source.param);
  return value;
}

/** The declared type, else the one the schema's keywords imply (`minimum` → number...). */
function typeOf(schema: Schema, deep: boolean): string {
  const { type } = schema;
  if (Array.isArray(type)) {
    const concrete = type.filter((entry) => entry !== 'null');
    return String(deep && type.includes('null') ? 'null' : (concrete[0] ?? 'null'));
  }
  if (typeof type === 'string') return type;
  const has = (...keywords: string[]): boolean => keywords.some((keyword) => schema[keyword] !== undefined);
  if (has('properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties')) return 'object';
  if (has('items', 'minItems', 'maxItems', 'uniqueItems')) return 'array';
  if (has('minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf')) return 'number';
  return 'string';
}
