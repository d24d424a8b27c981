import { randomHex } from '../internal/random-id.js';
import { cachedTokens, cacheWriteTokens } from '../pricing/cost.js';
import type { Usage } from '../wire/chat-response.js';
import type { OutputItem, ResponseObject, ResponseRequest, ResponseUsage } from './wire.js';

/** A fresh id with OpenAI's prefix (`resp`, `msg`, `fc`, `call`, `rs`): unique, opaque, unguessable. */
export function newId(prefix: 'resp' | 'msg' | 'fc' | 'call' | 'rs'): string {
  return `${prefix}_${randomHex(24)}`;
}

/**
 * A response as it starts: the request's settings echoed with OpenAI's defaults filled in (what
 * clients copy into their metadata), no output and no usage yet.
 */
export function responseShell(request: ResponseRequest, id: string, model: string, createdAt: number): ResponseObject {
  const format = request.text?.format ?? { type: 'text' };
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: null,
    model,
    output: [],
    output_text: '',
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    prompt_cache_key: request.prompt_cache_key ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    safety_identifier: request.safety_identifier ?? null,
    service_tier: 'default',
    store: request.store !== false,
    temperature: request.temperature ?? 1,
    text: { format, ...(request.text?.verbosity ? { verbosity: request.text.verbosity } : {}) },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_logprobs: 0,
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage: null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

/**
 * Chat usage with cost → the Responses usage shape, cost kept, and the prompt tokens written to
 * the provider's cache (priced apart, as on a chat answer) when there were any.
 */
export function responseUsage(usage: Usage): ResponseUsage {
  const written = cacheWriteTokens(usage.prompt_tokens, usage.prompt_tokens_details);
  const cached = cachedTokens(usage.prompt_tokens, usage.prompt_tokens_details);
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: written > 0 ? { cached_tokens: cached, cache_write_tokens: written } : { cached_tokens: cached },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens || usage.prompt_tokens + usage.completion_tokens,
    cost: usage.cost,
    currency: usage.currency,
    ...(usage.estimated ? { estimated: true as const } : {}),
    ...(usage.price_unknown ? { price_unknown: true as const } : {}),
  };
}

/** The text of every `output_text` part of every message, in order (refusals left out). */
export function outputText(output: readonly OutputItem[]): string {
  let text = '';
  for (const item of output) {
    if (item.type !== 'message') continue;
    for (const part of item.content) if (part.type === 'output_text') text += part.text;
  }
  return text;
}

/** Chat `finish_reason` → the response's status and why it is incomplete. */
export function finishStatus(finishReason: string | null | undefined): Pick<ResponseObject, 'status' | 'incomplete_details'> {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/**
 * The reasoning text a Chat Completions provider sent alongside the answer, under the names
 * DeepSeek, vLLM and others use (`reasoning_content`, `reasoning`), or `undefined`.
 */
export function reasoningText(fields: Record<string, unknown> | undefined): string | undefined {
  const text = fields?.reasoning_content ?? fields?.reasoning;
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/** A part's text: a string, or the joined `text` of a list of `{ type: 'text', text }` parts. */
function partText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  let text = '';
  for (const part of value) if (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string') text += (part as { text: string }).text;
  return text;
}

/**
 * A message's (or a delta's) `content` as its answer text and reasoning text, in order: a string
 * is all answer; a list of parts, which some upstreams send (Mistral's Magistral: `thinking` parts
 * with the reasoning, then `text` parts), gives each part to the one it belongs to. Other part
 * types carry nothing a response can hold.
 */
export function contentPieces(content: unknown): { kind: 'text' | 'reasoning'; text: string }[] {
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const pieces: { kind: 'text' | 'reasoning'; text: string }[] = [];
  for (const part of content) {
    if (typeof part !== 'object' || part === null) continue;
    const { type, text, thinking } = part as { type?: unknown; text?: unknown; thinking?: unknown };
    const piece = type === 'text' ? { kind: 'text' as const, text: partText(text) } : type === 'thinking' ? { kind: 'reasoning' as const, text: partText(thinking) } : undefined;
    if (piece && piece.text !== '') pieces.push(piece);
  }
  return pieces;
}

/**
 * A call's arguments as JSON text, as the Responses API gives them: some upstreams send an object
 * instead, which clients cannot parse and a continued conversation could not send back.
 */
export function argumentsText(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined || value === null ? '' : JSON.stringify(value);
}
