import type { Context, Schema } from './json-schema-sample.js';
import { beyondSimulationLimit, childPath, unsatisfiableSchema } from './json-schema-error.js';
import { numberOr } from './json-schema-scalars.js';
import { canonicalJson } from './seeded-random.js';
import { randomWords } from './text-generator.js';

/* Objects and arrays for the JSON schema sampler, within their size and uniqueness keywords. */

/** The sampler itself, passed in so that this file need not import it back. */
type Sample = (schema: unknown, context: Context) => unknown;

/** Draws per wanted item before `uniqueItems` gives up on finding another distinct one. */
const drawsPerItem = 20;

/**
 * The declared properties (only the required ones once `deep`), then optional ones up to
 * `minProperties`, then extra ones from `additionalProperties`, never more than `maxProperties`
 * nor `limits.simulation.maxObjectProperties` (a schema needing more is refused).
 */
export function sampleObject(schema: Schema, context: Context, deep: boolean, sample: Sample): Record<string, unknown> {
  const properties = typeof schema.properties === 'object' && schema.properties !== null ? (schema.properties as Schema) : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const minimum = numberOr(schema.minProperties, 0);
  const limit = context.budget.limits.maxObjectProperties;
  const maximum = Math.min(numberOr(schema.maxProperties, Infinity), limit);
  if (Math.max(required.size, minimum) > limit) {
    const what = `an object of at least ${Math.max(required.size, minimum)} properties`;
    throw beyondSimulationLimit(context, what, 'maxObjectProperties', limit);
  }
  if (required.size > maximum) {
    throw unsatisfiableSchema(context, 'an object', `it requires ${required.size} properties but maxProperties is ${maximum}`);
  }
  const optional = Object.keys(properties).filter((name) => !required.has(name));
  const wanted = Math.min(deep ? Math.max(0, minimum - required.size) : optional.length, maximum - required.size);
  const { budget } = context;
  const param = context.source.param;
  budget.spend(2, context.path, param);
  const included = new Set([...required, ...optional.slice(0, wanted)]);
  const result: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (!included.has(name)) continue;
    budget.spend(name.length + 4, context.path, param);
    result[name] = sample(property, { ...context, path: childPath(context.path, 'properties', name) });
  }
  const additional = { ...context, path: childPath(context.path, 'additionalProperties') };
  for (const name of required) {
    if (name in result) continue;
    budget.spend(name.length + 4, context.path, param);
    result[name] = sample(schema.additionalProperties ?? {}, additional);
  }
  if (Object.keys(result).length < minimum && schema.additionalProperties === false) {
    throw unsatisfiableSchema(context, 'an object', `minProperties is ${minimum} but additionalProperties is false`);
  }
  while (Object.keys(result).length < minimum) {
    const size = Object.keys(result).length;
    const name = [`${randomWords(context.random, 1)}_${size + 1}`, `property_${size + 1}`].find((candidate) => !(candidate in result));
    const key = name ?? `extra_${size + 1}_${context.depth}`;
    budget.spend(key.length + 4, context.path, param);
    result[key] = sample(schema.additionalProperties ?? {}, additional);
  }
  return result;
}

/**
 * One to three items (none once `deep`) within `minItems`/`maxItems` and
 * `limits.simulation.maxArrayItems` (a `minItems` above it is refused); with `uniqueItems`, draws
 * again until each item differs from the others, and throws when `minItems` distinct ones
 * cannot be found.
 */
export function sampleArray(schema: Schema, context: Context, deep: boolean, sample: Sample): unknown[] {
  const minimum = numberOr(schema.minItems, 0);
  const limit = context.budget.limits.maxArrayItems;
  if (minimum > limit) throw beyondSimulationLimit(context, `an array of at least ${minimum} items`, 'maxArrayItems', limit);
  const maximum = Math.min(numberOr(schema.maxItems, Infinity), limit);
  const count = Math.min(Math.max(deep ? 0 : context.random.int(1, 3), minimum), maximum);
  // The brackets and a comma per item; the items count themselves as they are written.
  context.budget.spend(2 + count, context.path, context.source.param);
  const items = schema.items ?? {};
  const itemContext = { ...context, path: childPath(context.path, 'items') };
  if (schema.uniqueItems !== true) return Array.from({ length: count }, () => sample(items, itemContext));
  const values: unknown[] = [];
  const seen = new Set<string>();
  for (let draw = 0; values.length < count && draw < count * drawsPerItem; draw++) {
    // A `default` is one value: once it has been drawn, draw from the rest of the schema.
    const itemSchema = draw >= count && typeof items === 'object' && items !== null ? { ...items, default: undefined } : items;
    const value = sample(itemSchema, itemContext);
    const key = canonicalJson(value);
    if (!seen.has(key)) values.push(value);
    seen.add(key);
  }
  if (values.length < minimum) {
    throw unsatisfiableSchema(context, `${minimum} distinct items`, `uniqueItems is true and only ${values.length} distinct values were found for the items`);
  }
  return values;
}
