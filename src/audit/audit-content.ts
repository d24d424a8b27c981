import type { ChatCompletionChoice, UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import { contentHash } from './hash-chain.js';
import type { AuditCompletion, AuditContent, AuditContentMode } from './types.js';

/**
 * The `content` of a record for the configured mode: nothing, hashes, or the text. Built when
 * the record is written, so later changes to the caller's objects do not reach the log.
 */
export function auditContent(
  mode: AuditContentMode,
  prompt: readonly unknown[] | undefined,
  completion: readonly AuditCompletion[] | undefined,
): AuditContent | undefined {
  if (mode === 'none' || prompt === undefined) return undefined;
  if (mode === 'hash') {
    return { mode, prompt: prompt.map(contentHash), completion: completion ? completion.map(contentHash) : null };
  }
  // A JSON round trip: a snapshot, and exactly what a JSONL sink will hold.
  return JSON.parse(JSON.stringify({ mode, prompt, completion: completion ?? null })) as AuditContent;
}

/** The answers of a non-streamed completion, one per choice, in choice order. */
export function completionOf(choices: readonly ChatCompletionChoice[]): AuditCompletion[] {
  return [...choices]
    .sort((a, b) => a.index - b.index)
    .map(({ message }) => {
      const entry: AuditCompletion = { content: message.content };
      if (message.tool_calls && message.tool_calls.length > 0) {
        entry.tool_calls = message.tool_calls.map((call) => {
          // A call of a custom tool (OpenAI's freeform tools) carries `custom: { name, input }`.
          const custom = (call as { custom?: { name?: string; input?: string } }).custom;
          if ((call.type as string) === 'custom' && custom !== undefined) return { id: call.id, type: 'custom' as const, custom: { name: custom.name ?? '', input: custom.input ?? '' } };
          return { id: call.id, type: 'function' as const, function: { name: call.function.name, arguments: call.function.arguments } };
        });
      }
      return entry;
    });
}

/**
 * Joins a stream's deltas into the same answers {@link completionOf} gives for the same
 * completion unstreamed, so a streamed and an unstreamed answer hash the same. Used only when
 * content is audited or a listener (telemetry) wants it: otherwise no chunk is looked at.
 */
export class StreamedCompletion {
  readonly #choices = new Map<number, AuditCompletion>();

  add(chunk: UpstreamChatCompletionChunk): void {
    for (const { index, delta } of chunk.choices) {
      let entry = this.#choices.get(index);
      if (entry === undefined) this.#choices.set(index, (entry = { content: null }));
      const content: unknown = delta.content;
      if (typeof content === 'string') {
        if (Array.isArray(entry.content)) appendPart(entry.content, { type: 'text', text: content });
        else entry.content = (entry.content ?? '') + content;
      } else if (Array.isArray(content)) {
        // A list of parts (Mistral's Magistral: thinking, then text): the answer becomes parts,
        // text that came before them its first.
        if (!Array.isArray(entry.content)) entry.content = entry.content ? [{ type: 'text', text: entry.content }] : [];
        for (const part of content) appendPart(entry.content, part);
      }
      // Most deltas carry no tool calls: no empty list is made for them, chunk after chunk.
      const calls = delta.tool_calls;
      if (!calls || calls.length === 0) continue;
      const targets = (entry.tool_calls ??= []);
      for (const call of calls) {
        let target = targets[call.index];
        if (target === undefined) {
          // A call of a custom tool (OpenAI's freeform tools) carries `custom: { name, input }`.
          target = targets[call.index] =
            (call.type as string | undefined) === 'custom' || (call.custom !== undefined && call.function === undefined)
              ? { id: call.id ?? '', type: 'custom', custom: { name: '', input: '' } }
              : { id: call.id ?? '', type: 'function', function: { name: '', arguments: '' } };
        }
        if (call.id) target.id = call.id;
        const [held, name, text] = target.type === 'custom' ? [target.custom, call.custom?.name, call.custom?.input] : [target.function, call.function?.name, call.function?.arguments];
        // A name sent again whole (MiniMax through NVIDIA NIM repeat it in every delta) is the same
        // name, as the openai SDK reads it; pieces of one are joined.
        if (name && name !== held.name) held.name += name;
        if (text) {
          if ('input' in held) held.input += text;
          else held.arguments += text;
        }
      }
    }
  }

  result(): AuditCompletion[] {
    return [...this.#choices.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
  }
}

type Part = { type?: unknown; text?: unknown; thinking?: unknown };

/**
 * Adds a streamed content part to `parts`, joined to the last one when both are text, or both are
 * thinking made of text parts, as the unstreamed answer holds them. Copies: the caller's chunks
 * stay as they came.
 */
function appendPart(parts: unknown[], part: unknown): void {
  if (typeof part !== 'object' || part === null) return void parts.push(part);
  const next = part as Part;
  const last = parts.at(-1) as Part | undefined;
  if (last !== undefined && typeof last === 'object' && last !== null && last.type === next.type) {
    if (next.type === 'text' && typeof last.text === 'string' && typeof next.text === 'string') return void (last.text += next.text);
    if (next.type === 'thinking' && Array.isArray(last.thinking) && Array.isArray(next.thinking)) {
      for (const inner of next.thinking as unknown[]) appendPart(last.thinking as unknown[], inner);
      return;
    }
  }
  parts.push(next.type === 'thinking' && Array.isArray(next.thinking) ? { ...next, thinking: (next.thinking as unknown[]).map(copyPart) } : copyPart(part));
}

function copyPart(part: unknown): unknown {
  return typeof part === 'object' && part !== null && !Array.isArray(part) ? { ...part } : part;
}
