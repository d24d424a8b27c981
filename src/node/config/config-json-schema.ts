import * as z from 'zod';
import { configSchema } from './config-schema.js';

/** The JSON Schema of configuration files, as shipped in `schema/sovroute.config.schema.json`. */
export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(configSchema, { target: 'draft-2020-12', io: 'input' });
  return `${JSON.stringify({ ...schema, $id: 'https://unpkg.com/sovroute/schema/sovroute.config.schema.json', title: 'sovroute configuration' }, null, 2)}\n`;
}
