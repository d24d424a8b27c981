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

/**
 * Well-known `gen_ai.provider.name` values by the vendor's API host: a preset keeps its host
 * whatever id it is given (`openai({ id: 'openai-eu' })`, a second `groq()`).
 */
const wellKnownHosts: [RegExp, string][] = [
  [/(^|\.)api\.openai\.com$/, 'openai'],
  [/\.openai\.azure\.com$/, 'azure.ai.openai'],
  [/(^|\.)api\.anthropic\.com$/, 'anthropic'],
  [/(^|\.)mistral\.ai$/, 'mistral_ai'],
  [/^bedrock-runtime\./, 'aws.bedrock'],
  [/(^|[.-])aiplatform\.([a-z]+\.rep\.)?googleapis\.com$/, 'gcp.vertex_ai'],
  [/^generativelanguage\.googleapis\.com$/, 'gcp.gemini'],
  [/^api\.groq\.com$/, 'groq'],
  [/(^|\.)(services|models)\.ai\.azure\.com$/, 'azure.ai.inference'],
  [/^models\.inference\.ai\.azure\.com$/, 'azure.ai.inference'],
  [/^api\.x\.ai$/, 'x_ai'],
  [/^api\.deepseek\.com$/, 'deepseek'],
  [/^api\.perplexity\.ai$/, 'perplexity'],
  [/^api\.cohere\.(ai|com)$/, 'cohere'],
  [/(^|\.)ml\.cloud\.ibm\.com$/, 'ibm.watsonx.ai'],
];

/**
 * Well-known values by the built-in preset a deployment was built from (`bedrock-eu-central-1`,
 * `vertex-europe-west4`: adapters without one address), else by provider id, for a deployment
 * behind another host (a proxy, a gateway).
 */
const wellKnownIds: [RegExp, string][] = [
  [/^openai$/, 'openai'],
  [/^azure-openai/, 'azure.ai.openai'],
  [/^anthropic/, 'anthropic'],
  [/^mistral/, 'mistral_ai'],
  [/^bedrock/, 'aws.bedrock'],
  [/^vertex/, 'gcp.vertex_ai'],
  [/^gemini/, 'gcp.gemini'],
  [/^groq$/, 'groq'],
];

/**
 * The deployment's `gen_ai.provider.name`: by its API host, else by the preset it was built from,
 * else by its id; other deployments are named by their id.
 */
export function providerName(providerId: string, host?: string, preset?: string): string {
  if (host !== undefined) for (const [pattern, name] of wellKnownHosts) if (pattern.test(host)) return name;
  for (const id of preset === undefined ? [providerId] : [preset, providerId]) for (const [pattern, name] of wellKnownIds) if (pattern.test(id)) return name;
  return providerId;
}

/** Bucket advice of the v1.41 duration histograms. @unit seconds */
export const durationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Bucket advice of `gen_ai.client.token.usage`. */
export const tokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** The longest content attribute (`telemetry.content: 'full'`); longer JSON is shortened (`messagesJson`). @unit characters */
export const maxContentAttribute = 16 * 1024;

/**
 * The most digests a `sovroute.input.sha256` / `sovroute.output.sha256` attribute holds
 * (`telemetry.content: 'hash'`), the newest messages' (16 KiB of hex, as `'full'` keeps at most).
 */
export const maxContentDigests = 256;

/** A message as `gen_ai.input.messages` / `gen_ai.output.messages` hold it: a role and typed parts. */
export interface GenAiMessage {
  role: string;
  parts: Record<string, unknown>[];
  name?: string;
  finish_reason?: string;
}

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A chat content part as a conventions part: text, an image by URI, else the part as it is (a generic part). */
function contentPart(part: unknown): Fields {
  if (typeof part === 'string') return { type: 'text', content: part };
  if (!isFields(part)) return { type: 'unknown', content: part };
  if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', content: part.text };
  if (part.type === 'image_url' && isFields(part.image_url) && typeof part.image_url.url === 'string') return { type: 'uri', modality: 'image', uri: part.image_url.url };
  return part;
}

function toolCallParts(calls: unknown): Fields[] {
  if (!Array.isArray(calls)) return [];
  return calls.filter(isFields).map((call) => {
    const fn = isFields(call.function) ? call.function : {};
    return { type: 'tool_call', id: call.id ?? null, name: fn.name, arguments: fn.arguments };
  });
}

/**
 * The request's messages (or a completions prompt's or embeddings' inputs) in the conventions'
 * input-messages shape: `{ role, parts: [{ type: 'text', content }, { type: 'tool_call', … }, …] }`.
 */
export function inputMessages(prompt: readonly unknown[]): GenAiMessage[] {
  return prompt.map((message) => {
    if (!isFields(message) || typeof message.role !== 'string') return { role: 'user', parts: [contentPart(message)] };
    if (message.role === 'tool') return { role: 'tool', parts: [{ type: 'tool_call_response', id: message.tool_call_id ?? null, response: message.content }] };
    const content = message.content;
    const parts = content == null ? [] : Array.isArray(content) ? content.map(contentPart) : [contentPart(content)];
    const entry: GenAiMessage = { role: message.role, parts: [...parts, ...toolCallParts(message.tool_calls)] };
    if (typeof message.name === 'string') entry.name = message.name;
    return entry;
  });
}

/** The answers, one per choice, in the conventions' output-messages shape, each with its finish reason. */
export function outputMessages(completion: readonly unknown[], finishReasons: readonly string[] | undefined): GenAiMessage[] {
  return completion.map((answer, index) => {
    const fields = isFields(answer) ? answer : {};
    const parts = typeof fields.content === 'string' ? [{ type: 'text', content: fields.content }] : [];
    return { role: 'assistant', parts: [...parts, ...toolCallParts(fields.tool_calls)], finish_reason: finishReasons?.[index] ?? 'unknown' };
  });
}

/** The parts' strings, at any depth (a tool result's text parts, a generic part's fields), cut to `limit` characters (a cut one ends in `…`); `type` fields are kept. */
function capped(messages: readonly GenAiMessage[], limit: number): GenAiMessage[] {
  return messages.map((message) => ({ ...message, parts: message.parts.map((part) => cutStrings(part, limit) as Fields) }));
}

function cutStrings(value: unknown, limit: number): unknown {
  if (typeof value === 'string') return value.length > limit ? `${value.slice(0, limit)}…` : value;
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, limit));
  if (!isFields(value)) return value;
  const copy: Fields = {};
  for (const [key, field] of Object.entries(value)) copy[key] = key === 'type' && typeof field === 'string' ? field : cutStrings(field, limit);
  return copy;
}

/**
 * The messages as JSON of at most `max` characters that still parses: when the whole is longer,
 * the oldest messages are left out; when the newest alone is longer, its texts are cut (each
 * ending in `…`) by as little as fits.
 */
export function messagesJson(messages: readonly GenAiMessage[], max: number): string {
  const whole = JSON.stringify(messages);
  if (whole.length <= max) return whole;
  // The newest messages that fit whole: `[`, `]` and a comma between two.
  let start = messages.length;
  for (let size = 2; start > 0; start--) {
    size += JSON.stringify(messages[start - 1]).length + (start < messages.length ? 1 : 0);
    if (size > max) break;
  }
  if (start < messages.length) return JSON.stringify(messages.slice(start));
  const newest = messages.slice(-1);
  let best = '[]';
  let low = 0;
  let high = max;
  while (low <= high) {
    const limit = Math.floor((low + high) / 2);
    const text = JSON.stringify(capped(newest, limit));
    if (text.length <= max) {
      best = text;
      low = limit + 1;
    } else high = limit - 1;
  }
  return best;
}
