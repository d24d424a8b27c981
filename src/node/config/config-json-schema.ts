import * as z from 'zod';
import { configSchema } from './config-schema.js';

/** A string that is one `${NAME}` or `${NAME:-default}` reference alone: loading reads the variable, as the setting's type. */
const envReference = { type: 'string', pattern: '^\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}$', description: 'An ${ENV} reference, read as the setting\'s type.' };

/** The JSON Schema of configuration files, as shipped in `schema/sovroute.config.schema.json`. */
export function configJsonSchemaText(): string {
  const schema = allowEnvReferences(z.toJSONSchema(configSchema, { target: 'draft-2020-12', io: 'input' })) as Record<string, unknown>;
  const $defs = { ...(schema.$defs as Record<string, unknown> | undefined), envReference };
  return `${JSON.stringify({ ...schema, $defs, $id: 'https://unpkg.com/sovroute/schema/sovroute.config.schema.json', title: 'sovroute configuration' }, null, 2)}\n`;
}

/**
 * Where a setting is a number or true/false, a file may also write one `${ENV}` reference alone
 * (`port: ${PORT}`), which loading reads as that type; where it is text that must be one of some
 * values, match a pattern or be a URL (`strategy: ${STRATEGY}`, `baseURL: ${ON_PREM_URL}`), the
 * reference is replaced before the check. The schema says so, so that an editor checking the file
 * against it does not flag what loads.
 */
function allowEnvReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowEnvReferences);
  if (typeof node !== 'object' || node === null) return node;
  const copy = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, allowEnvReferences(value)]));
  const typed = copy.type === 'number' || copy.type === 'integer' || copy.type === 'boolean';
  const constrained = copy.type === 'string' && ['enum', 'const', 'pattern', 'format'].some((keyword) => keyword in copy);
  if (!typed && !constrained) return copy;
  const { description, ...checked } = copy;
  return { ...(description === undefined ? {} : { description }), anyOf: [checked, { $ref: '#/$defs/envReference' }] };
}
