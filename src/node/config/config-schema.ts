import * as z from 'zod';
import { catalogPresets } from '../../catalog/default-catalog.js';
import { listenHostPattern, listenHostRule } from '../serve-options.js';
import { requestLimitsSchema, retryOptionsSchema } from './router-schemas.js';

/*
 * The shape of sovroute.config.{json,yaml,mjs,ts}: data only (no functions), so the same schema
 * validates every format and converts to the shipped JSON Schema.
 */

const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code in upper case, such as 'FR' or 'DE'");
const countries = z.union([z.enum(['EU', 'EEA']), z.array(countryCode)]);
const milliseconds = () => z.number().int().min(0).max(2_147_483_647);
const positiveInteger = () => z.number().int().positive();

const customPolicy = z
  .strictObject({
    hosting: countries.optional().describe("Countries where inference may run: 'EU', 'EEA' or ISO codes."),
    operator: countries.optional().describe("Countries the operator may be incorporated in: 'EU', 'EEA' or ISO codes."),
    allowUsControl: z.boolean().optional().describe('Allow operators with a US parent.'),
    allowUsSubprocessors: z.boolean().optional().describe('Allow US sub-processors.'),
    providers: z.strictObject({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).optional() }).optional(),
    zeroRetention: z.boolean().optional().describe('Only providers that keep no data.'),
  })
  .describe('A custom jurisdiction policy; its name is its key under `policies`.');

/** A preset name, a custom policy's name from `policies`, checked once policies are known. */
const policyName = z.string().min(1).describe("'eu-sovereign', 'eu-hosted', 'global' or a name from `policies`.");

const price = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cachedInput: z.number().min(0).optional().describe("An input token read from the prompt cache; default: for a preset's model, its built-in proportion to input; otherwise input."),
  cacheWrite: z.number().min(0).optional().describe("An input token written to the prompt cache; default: for a preset's model, its built-in proportion to input; otherwise input."),
  currency: z.enum(['EUR', 'USD', 'CHF']),
  asOf: z.string().optional(),
});

const modelOffer = z.strictObject({
  id: z.string().min(1),
  native: z.string().optional(),
  price: price.omit({ asOf: true }).optional(),
  priceAsOf: z.string().optional(),
  context: positiveInteger().optional(),
  capabilities: z.array(z.enum(['chat', 'tools', 'vision', 'json', 'embeddings', 'completions'])).optional(),
  quality: z.number().min(0).max(1).optional(),
  streaming: z.boolean().optional(),
});

const jurisdictionFacts = z.strictObject({
  operator: z.strictObject({
    name: z.string().min(1),
    country: countryCode,
    parents: z.array(z.strictObject({ name: z.string().min(1), country: countryCode })).optional(),
  }),
  hosting: z.array(countryCode),
  subprocessors: z.array(z.strictObject({ name: z.string().min(1), country: countryCode })).optional(),
  zeroRetention: z.boolean().optional(),
  verifiedAt: z.string().optional(),
  source: z.string().optional(),
});

const secret = z.string().min(1).describe('Write `${ENV_VAR}` to read it from the environment rather than the file.');

const presetNames = Object.keys(catalogPresets) as [string, ...string[]];

const presetEntry = z
  .strictObject({
    preset: z.enum(presetNames).describe('A built-in preset by its factory name.'),
    apiKey: secret.optional().describe("The provider's key; default: the preset's environment variable."),
    baseURL: z.string().url().optional(),
    id: z.string().min(1).optional().describe('Another provider id, to configure the same preset twice.'),
    headers: z.record(z.string(), z.string()).optional(),
    models: z.array(modelOffer).optional(),
    prices: z.record(z.string(), price).optional(),
    jurisdiction: jurisdictionFacts.partial().optional(),
    resource: z.string().optional().describe('azureOpenAI only: the Azure resource name.'),
    deployments: z.record(z.string(), z.string()).optional().describe('azureOpenAI only: model → deployment name.'),
    productId: z.string().optional().describe('infomaniak only: the product id.'),
    defaultMaxTokens: positiveInteger().optional().describe('anthropic only: max_tokens when a request sets none.'),
  })
  .describe('A built-in preset with its options.');

const compatibleEntry = z
  .strictObject({
    openaiCompatible: z.strictObject({
      id: z.string().min(1),
      baseURL: z.string().url(),
      apiKey: secret.optional(),
      apiKeyHeader: z.string().optional(),
      headers: z.record(z.string(), z.string()).optional(),
      jurisdiction: jurisdictionFacts.optional(),
      models: z.array(modelOffer).min(1),
      dialect: z
        .strictObject({
          maxTokens: z.enum(['max_tokens', 'max_completion_tokens']).optional().describe('The one field the upstream reads the output-token limit from.'),
          streamOptions: z.boolean().optional().describe('false: streams are sent without stream_options (the upstream reports usage unasked).'),
          renames: z.record(z.string(), z.string().min(1)).optional().describe("Fields the upstream takes under another name, e.g. { seed: 'random_seed' }."),
          toolCallIds: z.enum(['alphanumeric-9']).optional().describe('alphanumeric-9: tool-call ids in the history are sent as nine letters and digits (Mistral AI).'),
        })
        .optional()
        .describe("Where the upstream's chat completions wire differs from OpenAI's."),
    }),
  })
  .describe('Any OpenAI-compatible endpoint, with its facts and models.');

const sink = z.union([
  z.strictObject({
    jsonl: z.string().min(1).describe('Path of the JSONL audit log (relative to the config file).'),
    fsync: z.enum(['always', 'batch', 'never']).optional(),
    fsyncIntervalMs: positiveInteger().optional(),
  }),
  z.strictObject({
    postgres: z.string().min(1).describe('PostgreSQL connection string, e.g. `${DATABASE_URL}`.'),
    table: z.string().optional(),
    migrate: z.boolean().optional(),
  }),
]);

export const serveConfigSchema = z
  .strictObject({
    port: z.number().int().min(0).max(65_535).optional().describe('Port; 0 picks a free one. Default 8787.'),
    host: z.string().regex(listenHostPattern, listenHostRule).optional().describe('Interface to bind, without scheme or port. Default 127.0.0.1.'),
    allowAnonymous: z.boolean().optional(),
    allowedHosts: z.union([z.array(z.string().min(1)), z.literal('*')]).optional(),
    cors: z.strictObject({ origins: z.union([z.array(z.string().min(1)), z.literal('*')]) }).optional(),
    maxBodyBytes: positiveInteger().optional(),
    requestTimeoutMs: milliseconds().optional(),
    maxConnections: positiveInteger().optional(),
    keepAliveTimeoutMs: milliseconds().optional(),
    shutdownTimeoutMs: milliseconds().optional().describe('How long a shutdown waits for requests and streams in flight. Default 30000.'),
  })
  .describe('`sovroute serve` settings.');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    providers: z
      .array(z.union([presetEntry, compatibleEntry]))
      .min(1, 'the list is empty: list at least one provider, such as "- preset: mistralEU"')
      .describe('The provider deployments the router may use.'),
    policy: policyName.optional().describe("The router's policy. Default 'global'."),
    policies: z.record(z.string().min(1), customPolicy).optional().describe('Custom policies by name.'),
    strategy: z.enum(['cheapest', 'fastest', 'balanced', 'quality']).optional(),
    keys: z
      .array(
        z.strictObject({
          key: secret.describe('The bearer token callers send: `${ENV_VAR}`; a `test-` key gets the pseudo-LLM.'),
          label: z.string().min(1).optional().describe('Shown in audit records and the banner, never the key.'),
          policy: policyName.optional(),
        }),
      )
      // Empty, the router would refuse every caller while the banner reads like anonymous access.
      .min(1, 'the list is empty, so every caller would be refused: list at least one key, or remove keys to serve without them (on loopback only unless serve.allowAnonymous)')
      .optional()
      .describe('Scoped API keys; when given, only these are accepted.'),
    audit: z
      .strictObject({
        sinks: z.array(sink),
        content: z.enum(['none', 'hash', 'full']).optional(),
        candidates: z.enum(['summary', 'all']).optional(),
        queueLimit: positiveInteger().optional(),
        drainTimeoutMs: positiveInteger().optional(),
      })
      .optional(),
    health: z.strictObject({ failureThreshold: positiveInteger().optional(), cooldownMs: milliseconds().optional() }).optional(),
    // The router's own schemas: the file accepts exactly what createRouter does.
    retry: z.optional(retryOptionsSchema),
    limits: z.optional(requestLimitsSchema),
    timeoutMs: positiveInteger().optional(),
    deadlineMs: positiveInteger().optional(),
    streamIdleTimeoutMs: milliseconds().optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code such as EUR').optional(),
    serve: serveConfigSchema.optional(),
  })
  .describe('sovroute configuration: providers, policy, keys, audit and the gateway.');

export type SovrouteConfig = z.infer<typeof configSchema>;
export type ServeConfig = z.infer<typeof serveConfigSchema>;
