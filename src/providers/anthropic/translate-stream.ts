import type { ChunkToolCallDelta, TokenUsage, UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import { finishReason, promptUsage, translateUsage } from './translate-response.js';
import type { AnthropicStreamEvent, AnthropicUsage } from './wire.js';

/*
 * Anthropic stream events → OpenAI `chat.completion.chunk`s (openai-contract.md §4.6), one event
 * at a time, O(1) each:
 * - `message_start` (the first; a repeated one is ignored) → `{role:'assistant', content:''}`,
 *   emitted with the first output rather than at once, so an error before any output fails over,
 *   and carrying the prompt's side of the usage `message_start` reported (no completion count):
 *   a stream cut before its usage chunk is then costed on the prompt Anthropic counted, cache
 *   reads included, and only the answer is estimated;
 * - text → `content` deltas; each `tool_use` block → tool-call deltas numbered from 0 in order
 *   of appearance (not by Anthropic's block index), the first carrying id, type and name, and
 *   `"{}"` as arguments for a call that streamed none;
 * - the JSON-mode tool's input streams as `content`, and the answer finishes with `stop`;
 * - `message_stop` → exactly one chunk with `finish_reason`, then one `choices: []` chunk with
 *   the usage (cumulative: `message_delta` counts replace `message_start`'s), when any was reported;
 * - `ping`, thinking and signature deltas, and unknown events produce nothing.
 * `error` events never get here: the SSE reader raises them as a RouterError.
 */

/** What an Anthropic content block turned into. */
type BlockState = { kind: 'tool'; index: number; sawArguments: boolean } | { kind: 'json'; sawArguments: boolean } | { kind: 'other' };

const none: readonly UpstreamChatCompletionChunk[] = Object.freeze([]);

export class StreamTranslator {
  /** `message_stop` arrived: the answer is complete. */
  done = false;
  /** `message_start` was seen (a repeated one is ignored). */
  #opened = false;
  /** The role chunk was emitted. */
  #started = false;
  #id = 'chatcmpl-';
  #model = '';
  #toolCount = 0;
  #sawJson = false;
  #stopReason: string | null | undefined;
  readonly #blocks = new Map<number, BlockState>();
  readonly #usage: AnthropicUsage = {};
  readonly #jsonTool: string | undefined;
  readonly #created: number;

  /**
   * @param jsonTool the JSON-mode tool's name when the request asked for JSON.
   * @param created every chunk's `created`, in Unix seconds.
   */
  constructor(jsonTool: string | undefined, created: number) {
    this.#jsonTool = jsonTool;
    this.#created = created;
  }

  /** The chunks one event becomes, in order; often none. */
  push(event: AnthropicStreamEvent): readonly UpstreamChatCompletionChunk[] {
    switch (event.type) {
      case 'message_start': {
        if (this.#opened) return none;
        this.#opened = true;
        const message = event.message ?? {};
        this.#id = `chatcmpl-${message.id ?? ''}`;
        this.#model = message.model ?? '';
        Object.assign(this.#usage, message.usage);
        // The role chunk waits for the first output: Anthropic may still send an error (e.g.
        // overloaded) after message_start, and until a chunk reaches the caller the router can
        // retry or fall back.
        return none;
      }
      case 'content_block_start':
        return this.#blockStart(event);
      case 'content_block_delta':
        return this.#blockDelta(event);
      case 'content_block_stop': {
        const block = this.#blocks.get(event.index ?? -1);
        if (block === undefined || block.kind === 'other' || block.sawArguments) return none;
        // A call without arguments still needs valid JSON arguments.
        return this.#emit(block.kind === 'json' ? { content: '{}' } : { tool_calls: [{ index: block.index, function: { arguments: '{}' } }] });
      }
      case 'message_delta':
        if (event.delta?.stop_reason !== undefined) this.#stopReason = event.delta.stop_reason;
        for (const [key, value] of Object.entries(event.usage ?? {})) {
          if (value !== null && value !== undefined) (this.#usage as Record<string, unknown>)[key] = value;
        }
        return none;
      case 'message_stop': {
        if (this.done) return none;
        this.done = true;
        const mapped = finishReason(this.#stopReason);
        // The JSON tool's call is the answer itself, not a call for the caller to run.
        const finish = this.#sawJson && this.#toolCount === 0 && mapped === 'tool_calls' ? 'stop' : mapped;
        const opening = this.#started ? [] : this.#start();
        const usage = translateUsage(this.#usage);
        const finished = [...opening, this.#chunk({}, finish)];
        // No usage reported: no usage chunk, so the router estimates it instead of pricing zero tokens.
        return usage === undefined ? finished : [...finished, { ...this.#chunk({}, null), choices: [], usage }];
      }
      default:
        return none;
    }
  }

  #blockStart(event: AnthropicStreamEvent): readonly UpstreamChatCompletionChunk[] {
    const block = event.content_block;
    const index = event.index ?? -1;
    if (block?.type === 'tool_use' && this.#jsonTool !== undefined && block.name === this.#jsonTool) {
      this.#sawJson = true;
      this.#blocks.set(index, { kind: 'json', sawArguments: false });
      return none;
    }
    if (block?.type === 'tool_use') {
      const toolIndex = this.#toolCount++;
      this.#blocks.set(index, { kind: 'tool', index: toolIndex, sawArguments: false });
      const call: ChunkToolCallDelta = { index: toolIndex, id: block.id ?? '', type: 'function', function: { name: block.name ?? '', arguments: '' } };
      return this.#emit({ tool_calls: [call] });
    }
    this.#blocks.set(index, { kind: 'other' });
    return block?.type === 'text' && typeof block.text === 'string' && block.text !== '' ? this.#emit({ content: block.text }) : none;
  }

  #blockDelta(event: AnthropicStreamEvent): readonly UpstreamChatCompletionChunk[] {
    const delta = event.delta;
    if (delta?.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') return this.#emit({ content: delta.text });
    if (delta?.type !== 'input_json_delta' || typeof delta.partial_json !== 'string' || delta.partial_json === '') return none;
    const block = this.#blocks.get(event.index ?? -1);
    if (block === undefined || block.kind === 'other') return none;
    block.sawArguments = true;
    if (block.kind === 'json') return this.#emit({ content: delta.partial_json });
    return this.#emit({ tool_calls: [{ index: block.index, function: { arguments: delta.partial_json } }] });
  }

  /** The first chunk; a stream that skipped `message_start` gets it before its first content. */
  #start(): UpstreamChatCompletionChunk[] {
    this.#started = true;
    const chunk = this.#chunk({ role: 'assistant', content: '' }, null);
    const prompt = promptUsage(this.#usage);
    // Without completion_tokens on purpose: the router estimates the answer from what streamed
    // until the full usage replaces it (pricing/cost.ts fills a count an upstream left out).
    if (prompt !== undefined) chunk.usage = prompt as TokenUsage;
    return [chunk];
  }

  #emit(delta: UpstreamChatCompletionChunk['choices'][number]['delta']): readonly UpstreamChatCompletionChunk[] {
    const chunk = this.#chunk(delta, null);
    return this.#started ? [chunk] : [...this.#start(), chunk];
  }

  #chunk(delta: UpstreamChatCompletionChunk['choices'][number]['delta'], finish: UpstreamChatCompletionChunk['choices'][number]['finish_reason']): UpstreamChatCompletionChunk {
    return {
      id: this.#id,
      object: 'chat.completion.chunk',
      created: this.#created,
      model: this.#model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
  }
}
