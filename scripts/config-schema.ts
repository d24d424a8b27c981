// Writes schema/sovroute.config.schema.json from the zod schema of configuration files.
import { writeFileSync } from 'node:fs';
import { configJsonSchemaText } from '../src/node/config/config-json-schema.js';

writeFileSync(new URL('../schema/sovroute.config.schema.json', import.meta.url), configJsonSchemaText());
