import type { ChatMessage } from '../wire/chat-request.js';

/*
 * Token estimates for cost ranking before a call, and for usage when an upstream reports none.
 * Roughly four characters a token for Latin-script text, as the common BPE tokenizers average;
 * estimates are always marked as such where they reach the caller.
 */

/** Per-message framing tokens (role markers and separators) in chat formats. */
const messageOverhead = 4;

export function estimateTextTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/**
 * Characters of the reasoning an upstream sends beside the answer (`reasoning_content` from
 * DeepSeek and vLLM, `reasoning` from others), in a message or a chunk's delta: tokens generated
 * and paid for like the answer's, so an estimate of the completion counts them.
 */
export function reasoningLength(fields: Record<string, unknown>): number {
  const text = fields.reasoning_content ?? fields.reasoning;
  return typeof text === 'string' ? text.length : 0;
}

/**
 * Characters of a tool call (whole, or a chunk delta's piece of one): a function call's name and
 * arguments, or a custom tool's call's name and input (OpenAI's freeform tools carry `custom`,
 * with `function` absent or null).
 */
export function toolCallLength(call: { function?: { name?: string; arguments?: string } | null; custom?: { name?: string; input?: string } | null }): number {
  const fn = call.function;
  const custom = call.custom;
  return (fn?.name?.length ?? 0) + (fn?.arguments?.length ?? 0) + (custom?.name?.length ?? 0) + (custom?.input?.length ?? 0);
}

/**
 * Characters of an answer's (or a chunk delta's) `content`: a string, or a list of parts, which
 * some upstreams send (Mistral's Magistral: `thinking` parts, then `text` parts), all of them
 * generated and paid for.
 */
export function answerLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let length = 0;
  for (const part of content) {
    if (part && typeof part === 'object') {
      const { text, thinking } = part as { text?: unknown; thinking?: unknown };
      length += partLength(text) + partLength(thinking);
    }
  }
  return length;
}

/** A part's text: a string, or a list of `{ text }` parts (a Magistral `thinking` part's). */
function partLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (!Array.isArray(value)) return 0;
  let length = 0;
  for (const part of value) if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') length += (part as { text: string }).text.length;
  return length;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (part && typeof part === 'object') {
      const value = part as { text?: unknown; refusal?: unknown; type?: unknown };
      if (typeof value.text === 'string') text += value.text;
      else if (typeof value.refusal === 'string') text += value.refusal;
    }
  }
  return text;
}

/** Image parts cost a flat amount: the low-detail tile price most vision models charge. */
const imageTokens = 85;

export function estimatePromptTokens(messages: readonly ChatMessage[], tools?: readonly unknown[]): number {
  let tokens = 3;
  for (const message of messages) {
    tokens += messageOverhead + estimateTextTokens(contentText(message.content));
    if (Array.isArray(message.content)) {
      for (const part of message.content) if (part.type === 'image_url') tokens += imageTokens;
    }
    if (message.role === 'assistant' && message.tool_calls) {
      for (const call of message.tool_calls) {
        tokens += estimateTextTokens(call.function.name) + estimateTextTokens(call.function.arguments);
      }
    }
  }
  if (tools && tools.length > 0) tokens += estimateTextTokens(JSON.stringify(tools));
  return tokens;
}
