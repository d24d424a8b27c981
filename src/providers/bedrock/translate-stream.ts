import type { UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import { StreamTranslator } from '../anthropic/translate-stream.js';
import type { AnthropicUsage } from '../anthropic/wire.js';
import { messagesStopReason, messagesUsage } from './translate-response.js';
import type { ConverseStreamEvent } from './wire.js';

/*
 * ConverseStream events → OpenAI chunks, through the Anthropic stream translator, whose rules
 * hold here too: the role chunk waits for the first output (so an exception frame before any
 * output still fails over), tool calls are numbered 0, 1, … in order of appearance (not by
 * `contentBlockIndex`, which text blocks also use), a call with no streamed input gets `"{}"`,
 * the JSON tool's input streams as `content`. One difference in order: Converse sends
 * `messageStop` (the stop reason) before `metadata` (the usage), so the finish and usage chunks
 * are emitted at `metadata`, or at the end of the body when it never comes.
 */

export class ConverseStreamTranslator {
  readonly #inner: StreamTranslator;
  #stopped = false;

  /**
   * @param id the chunks' id suffix (the upstream request id).
   * @param model the model id the request was sent to.
   */
  constructor(jsonTool: string | undefined, id: string, model: string, created: number) {
    this.#inner = new StreamTranslator(jsonTool, created);
    this.#inner.push({ type: 'message_start', message: { id, model, usage: {} } });
  }

  /** The answer is complete: its finish and usage chunks were emitted. */
  get done(): boolean {
    return this.#inner.done;
  }

  /** The stop reason arrived; only the usage may still follow. */
  get stopped(): boolean {
    return this.#stopped;
  }

  push(eventType: string, event: ConverseStreamEvent): readonly UpstreamChatCompletionChunk[] {
    const index = event.contentBlockIndex ?? -1;
    switch (eventType) {
      case 'contentBlockStart': {
        const toolUse = event.start?.toolUse;
        if (toolUse === undefined) return [];
        return this.#inner.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: toolUse.toolUseId ?? '', name: toolUse.name ?? '' } });
      }
      case 'contentBlockDelta': {
        const delta = event.delta;
        if (typeof delta?.text === 'string') return this.#inner.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: delta.text } });
        if (typeof delta?.toolUse?.input === 'string') return this.#inner.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: delta.toolUse.input } });
        return [];
      }
      case 'contentBlockStop':
        return this.#inner.push({ type: 'content_block_stop', index });
      case 'messageStop':
        this.#stopped = true;
        return this.#inner.push({ type: 'message_delta', delta: { stop_reason: messagesStopReason(event.stopReason) ?? null } });
      case 'metadata': {
        const usage: AnthropicUsage | undefined = event.usage === undefined ? undefined : messagesUsage(event.usage);
        return [...this.#inner.push({ type: 'message_delta', ...(usage === undefined ? {} : { usage }) }), ...this.#inner.push({ type: 'message_stop' })];
      }
      default:
        // messageStart carries nothing the chunks need; unknown events are skipped.
        return [];
    }
  }

  /** At the end of the body: the finish and usage chunks, when `metadata` never came after `messageStop`. */
  finish(): readonly UpstreamChatCompletionChunk[] {
    return this.#stopped && !this.#inner.done ? this.#inner.push({ type: 'message_stop' }) : [];
  }
}
