import type { AuditRecordBody } from '../audit/types.js';

/*
 * OpenTelemetry GenAI semantic-convention names (v1.41, the last released set), kept in one
 * place: the conventions are still in development and their names may move.
 */

/** `gen_ai.operation.name` per endpoint. */
export function operationName(endpoint: AuditRecordBody['endpoint'] | string): string {
  if (endpoint === 'embeddings') return 'embeddings';
  if (endpoint === 'completions') return 'text_completion';
  return 'chat';
}

/** Well-known `gen_ai.provider.name` values; other deployments are named by their provider id. */
const wellKnown: [RegExp, string][] = [
  [/^openai$/, 'openai'],
  [/^azure-openai/, 'azure.ai.openai'],
  [/^anthropic/, 'anthropic'],
  [/^mistral/, 'mistral_ai'],
  [/^bedrock/, 'aws.bedrock'],
  [/^vertex/, 'gcp.vertex_ai'],
  [/^gemini/, 'gcp.gemini'],
  [/^groq$/, 'groq'],
];

export function providerName(providerId: string): string {
  for (const [pattern, name] of wellKnown) if (pattern.test(providerId)) return name;
  return providerId;
}

/** Bucket advice of the v1.41 duration histograms. @unit seconds */
export const durationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Bucket advice of `gen_ai.client.token.usage`. */
export const tokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** The longest content attribute (`telemetry.content: 'full'`); longer JSON is cut. @unit characters */
export const maxContentAttribute = 16 * 1024;
