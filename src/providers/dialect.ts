/*
 * An OpenAI-compatible upstream's dialect: where its chat completions wire differs from OpenAI's,
 * and the rewriting that makes a request fit it before it is sent (openai-compatible.ts). The
 * presets declare the dialects of the upstreams that need one (docs/providers.md).
 */

/** Where an OpenAI-compatible upstream's chat completions wire differs from OpenAI's. */
export interface OpenAICompatibleDialect {
  /**
   * The one field this upstream reads the output-token limit from. A request's limit in the
   * other field (`max_tokens` or `max_completion_tokens`) is sent in this one; when a request
   * sets both, the smaller is sent. Mistral AI refuses `max_completion_tokens` (422, "Extra
   * inputs are not permitted"); OpenAI's reasoning models refuse `max_tokens`.
   * @default undefined (both sent as given)
   */
  maxTokens?: 'max_tokens' | 'max_completion_tokens' | undefined;
  /**
   * Whether this upstream takes `stream_options`. When false, streams are sent without it (the
   * caller's included), and the upstream must report usage on its last chunk unasked, as Mistral
   * AI does; cost accounting reads it from there. (A request that does not stream never carries
   * it, whatever the dialect.)
   * @default true
   */
  streamOptions?: boolean | undefined;
  /**
   * Request fields this upstream takes under another name, OpenAI's name → the upstream's, e.g.
   * `{ seed: 'random_seed' }` for Mistral AI. A field the request also sets under the upstream's
   * name keeps that value.
   * @default {}
   */
  renames?: Record<string, string> | undefined;
  /**
   * The tool-call ids this upstream takes in a conversation's history. `'alphanumeric-9'`: exactly
   * nine letters and digits, as Mistral AI requires (400 "Tool call id was call_… but must be a-z,
   * A-Z, 0-9, with a length of 9"); any other id (another provider's `call_…` or `toolu_…`) is
   * sent as one derived from it, the same for an assistant's call and the tool's answer to it,
   * and the same on every request, so a conversation can move to this upstream mid-way.
   * @default undefined (ids sent as given)
   */
  toolCallIds?: 'alphanumeric-9' | undefined;
}

/** A function that rewrites a chat request's body (a copy the caller does not hold) into `dialect`. */
export function dialectRewriter(dialect: OpenAICompatibleDialect): (body: Record<string, unknown>) => void {
  const limitField = dialect.maxTokens;
  const renames = Object.entries(dialect.renames ?? {});
  const nineCharacterIds = dialect.toolCallIds === 'alphanumeric-9';
  // `streamOptions` is openai-compatible.ts's to apply: it alone knows whether the call streams.
  return (body) => {
    if (limitField !== undefined) toLimitField(body, limitField);
    for (const [from, to] of renames) {
      if (from === to || !(from in body)) continue;
      if (!(to in body)) body[to] = body[from];
      delete body[from];
    }
    if (nineCharacterIds && Array.isArray(body.messages)) body.messages = withToolCallIds(body.messages, alphanumeric9);
  };
}

/** Moves a request's output-token limit into `field` (the smaller when both fields are set). */
function toLimitField(body: Record<string, unknown>, field: 'max_tokens' | 'max_completion_tokens'): void {
  const other = field === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
  const moved = body[other] as number | null | undefined;
  if (moved === undefined) return;
  delete body[other];
  // The other field's null says "no limit": the limit set here, if any, stands.
  if (moved === null) return;
  const kept = body[field] as number | null | undefined;
  body[field] = kept == null ? moved : Math.min(kept, moved);
}

type Message = Record<string, unknown>;

/**
 * `messages` with every tool-call id passed through `rewrite` (assistant `tool_calls[].id`, tool
 * `tool_call_id`). The messages are the caller's (and a fallback sends them again elsewhere):
 * those that change are copied, never changed; the same array when none changes.
 */
function withToolCallIds(messages: readonly unknown[], rewrite: (id: string) => string): unknown[] {
  let copied: unknown[] | undefined;
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as Message | null;
    if (message === null || typeof message !== 'object') continue;
    let changed: Message | undefined;
    if (typeof message.tool_call_id === 'string') {
      const id = rewrite(message.tool_call_id);
      if (id !== message.tool_call_id) changed = { ...message, tool_call_id: id };
    }
    if (Array.isArray(message.tool_calls)) {
      let calls: unknown[] | undefined;
      for (let position = 0; position < message.tool_calls.length; position++) {
        const call = message.tool_calls[position] as Message | null;
        if (call === null || typeof call !== 'object' || typeof call.id !== 'string') continue;
        const id = rewrite(call.id);
        if (id === call.id) continue;
        calls ??= [...message.tool_calls];
        calls[position] = { ...call, id };
      }
      if (calls !== undefined) changed = { ...(changed ?? message), tool_calls: calls };
    }
    if (changed === undefined) continue;
    copied ??= [...messages];
    copied[index] = changed;
  }
  return copied ?? (messages as unknown[]);
}

const nineAlphanumeric = /^[A-Za-z0-9]{9}$/;
const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An id of nine letters and digits: the id itself when it is one, else one derived from it (two
 * FNV-1a hashes, 64 bits, in base 62: 62⁹ ≈ 2⁵³ ids, so two ids of one conversation meet with a
 * chance of about n² / 2⁵⁴).
 */
export function alphanumeric9(id: string): string {
  if (nineAlphanumeric.test(id)) return id;
  let high = 0x811c9dc5;
  let low = 0x01000193 ^ id.length;
  for (let index = 0; index < id.length; index++) {
    const unit = id.charCodeAt(index);
    high = Math.imul(high ^ unit, 0x01000193);
    low = Math.imul(low ^ unit, 0x01000193) ^ (high >>> 7);
  }
  let value = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  let text = '';
  for (let place = 0; place < 9; place++) {
    text += digits[Number(value % 62n)];
    value /= 62n;
  }
  return text;
}
