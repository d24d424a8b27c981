/*
 * Input schemas as the Messages API takes them: an object schema without anyOf, oneOf or allOf at
 * its top. Tool parameters and the JSON tool behind `response_format` both go through here.
 */

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A tool's parameters as an input schema the Messages API takes. It refuses anyOf, oneOf and allOf
 * at the top of one ("input_schema does not support oneOf, allOf, or anyOf at the top level"),
 * which OpenAI takes and MCP servers' tools often have: the variants become one object that offers
 * every variant's properties (one the variants define differently may be any of its definitions)
 * and requires what every variant requires (for allOf, what any of them does). The tool checks
 * its arguments as it always must; the model still reads each property's schema.
 */
export function flattenTopLevel(schema: Record<string, unknown>): Record<string, unknown> {
  const { anyOf, oneOf, allOf, ...rest } = schema;
  if (!Array.isArray(anyOf) && !Array.isArray(oneOf) && !Array.isArray(allOf)) return schema;
  const properties: Record<string, unknown> = isRecord(rest.properties) ? { ...rest.properties } : {};
  const required = new Set(Array.isArray(rest.required) ? rest.required.filter((name): name is string => typeof name === 'string') : []);
  const offer = (name: string, definition: unknown) => {
    const known = properties[name];
    if (known === undefined) properties[name] = definition;
    else if (JSON.stringify(known) !== JSON.stringify(definition)) {
      const options = isRecord(known) && Array.isArray(known.anyOf) && Object.keys(known).length === 1 ? known.anyOf : [known];
      if (!options.some((option) => JSON.stringify(option) === JSON.stringify(definition))) properties[name] = { anyOf: [...options, definition] };
    }
  };
  for (const [all, variants] of [[true, allOf], [false, anyOf], [false, oneOf]] as const) {
    if (!Array.isArray(variants)) continue;
    const requires = variants.filter(isRecord).map((reference) => {
      const variant = resolved(reference, rest);
      if (isRecord(variant.properties)) for (const [name, definition] of Object.entries(variant.properties)) offer(name, definition);
      return new Set(Array.isArray(variant.required) ? variant.required.filter((name): name is string => typeof name === 'string') : []);
    });
    for (const names of requires) for (const name of names) if (all || requires.every((other) => other.has(name))) required.add(name);
  }
  const flattened: Record<string, unknown> = { ...rest, type: 'object', properties };
  if (required.size > 0) flattened.required = [...required];
  else delete flattened.required;
  return flattened;
}

/** A variant that is a reference into the schema's own `$defs` (or `definitions`), as pydantic writes one, is what it names. */
export function resolved(variant: Record<string, unknown>, schema: Record<string, unknown>): Record<string, unknown> {
  const match = typeof variant.$ref === 'string' ? /^#\/(\$defs|definitions)\/([^/]+)$/.exec(variant.$ref) : null;
  if (match === null) return variant;
  const definitions = schema[match[1] as string];
  const definition = isRecord(definitions) ? definitions[match[2] as string] : undefined;
  return isRecord(definition) ? definition : variant;
}
