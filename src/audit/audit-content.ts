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
        entry.tool_calls = message.tool_calls.map(({ id, type, function: call }) => ({
          id,
          type,
          function: { name: call.name, arguments: call.arguments },
        }));
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
      if (typeof delta.content === 'string') entry.content = (entry.content ?? '') + delta.content;
      // Most deltas carry no tool calls: no empty list is made for them, chunk after chunk.
      const calls = delta.tool_calls;
      if (!calls || calls.length === 0) continue;
      const targets = (entry.tool_calls ??= []);
      for (const call of calls) {
        let target = targets[call.index];
        if (target === undefined) {
          target = targets[call.index] = { id: call.id ?? '', type: 'function', function: { name: '', arguments: '' } };
        }
        if (call.id) target.id = call.id;
        if (call.function?.name) target.function.name += call.function.name;
        if (call.function?.arguments) target.function.arguments += call.function.arguments;
      }
    }
  }

  result(): AuditCompletion[] {
    return [...this.#choices.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
  }
}
