import { InvalidRequestError } from '../../errors.js';
import { numberOr, sampleNumber, sampleString } from './json-schema-scalars.js';
import type { Random } from './seeded-random.js';
import { randomWords } from './text-generator.js';

/*
 * A value that validates against a JSON schema, for tool-call arguments and structured
 * outputs. It covers the subset function-calling schemas use (OpenAI strict mode, zod and
 * pydantic output); `pattern`, `multipleOf`, `uniqueItems`, `not` and tuples are not honoured.
 */

export type Schema = Record<string, unknown>;

interface Context {
  root: Schema;
  random: Random;
  depth: number;
}

/**
 * Beyond this nesting depth the sampler takes the shortest way out of recursive schemas: no
 * optional properties, minimal arrays, `null` or scalar branches where the schema offers them.
 */
const shallowDepth = 5;
/** Deeper than this, the schema has no finite instance (e.g. a required self-reference). */
const maxDepth = 100;

/** Returns a deterministic value valid for `schema`; `random` makes it vary with the seed. */
export function sampleJsonSchema(schema: unknown, random: Random): unknown {
  return sample(schema, { root: isSchema(schema) ? schema : {}, random, depth: 0 });
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
  if (!isSchema(input)) return input === false ? null : randomWords(context.random, 2);
  if (context.depth > maxDepth) {
    throw new InvalidRequestError('A JSON schema recurses without end: no finite value can satisfy it.');
  }
  const deep = context.depth >= shallowDepth;
  const inner = { ...context, depth: context.depth + 1 };
  const { $ref, ...schema } = input;
  if (typeof $ref === 'string') return sample({ ...resolve($ref, context.root), ...schema }, inner);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return context.random.pick(schema.enum);
  if (schema.default !== undefined) return schema.default;
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches) && branches.length > 0) {
    return sample((deep && branches.find(isLeaf)) || branches[0], inner);
  }
  const { allOf, ...own } = schema;
  // Merged shallowly: enough for the `allOf: [{ $ref }]` wrapper that pydantic and others emit.
  if (Array.isArray(allOf)) return sample(Object.assign({}, ...allOf.filter(isSchema), own) as Schema, context);
  const type = typeOf(schema, deep);
  switch (type) {
    case 'object':
      return sampleObject(schema, inner, deep);
    case 'array': {
      const count = clamp(deep ? 0 : context.random.int(1, 3), numberOr(schema.minItems, 0), numberOr(schema.maxItems, Infinity));
      return Array.from({ length: count }, () => sample(schema.items ?? {}, inner));
    }
    case 'string':
      return sampleString(schema, context.random);
    case 'integer':
    case 'number':
      return sampleNumber(schema, context.random, type === 'integer');
    case 'boolean':
      return context.random.next() < 0.5;
    default:
      return null;
  }
}

function typeOf(schema: Schema, deep: boolean): string {
  const { type } = schema;
  if (Array.isArray(type)) {
    const concrete = type.filter((entry) => entry !== 'null');
    return String(deep && type.includes('null') ? 'null' : (concrete[0] ?? 'null'));
  }
  if (typeof type === 'string') return type;
  if (schema.properties !== undefined || schema.required !== undefined) return 'object';
  return schema.items === undefined ? 'string' : 'array';
}

function sampleObject(schema: Schema, context: Context, deep: boolean): Record<string, unknown> {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const result: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (required.has(name) || !deep) result[name] = sample(property, context);
  }
  for (const name of required) if (!(name in result)) result[name] = sample(schema.additionalProperties ?? {}, context);
  return result;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
