import { RouterError } from '../errors.js';
import type { UpstreamChatCompletionChunk } from '../wire/chat-response.js';

/**
 * Checks each parsed event of an OpenAI-shaped stream and keeps track of which choices have
 * finished. With `n > 1` each choice finishes on its own: a stream that ends without `[DONE]` is
 * complete only once every choice index that appeared has sent its `finish_reason`. A function
 * call's first delta without `type` (Mistral AI's) is given `type: 'function'`.
 */
export class ChunkCompletion {
  readonly #finished = new Set<unknown>();
  readonly #unfinished = new Set<unknown>();

  constructor(
    private readonly providerId: string,
    private readonly requestId: string | undefined,
  ) {}

  /** Every choice that appeared has finished (and at least one did). */
  get complete(): boolean {
    return this.#finished.size > 0 && this.#unfinished.size === 0;
  }

  /**
   * The event as a chunk (a missing `choices` becomes `[]`, a missing `delta` `{}`); throws a
   * retryable upstream error on anything else: before the first chunk of substance the router falls back.
   */
  accept(data: unknown): UpstreamChatCompletionChunk {
    if (typeof data !== 'object' || data === null) throw this.#malformed();
    const chunk = data as { choices?: unknown };
    if (chunk.choices === undefined || chunk.choices === null) chunk.choices = [];
    else if (!Array.isArray(chunk.choices)) throw this.#malformed();
    else {
      for (const choice of chunk.choices as { index?: unknown; finish_reason?: unknown; delta?: unknown }[]) {
        // A null or scalar choice is not a chunk the caller could read: the upstream is failing.
        if (typeof choice !== 'object' || choice === null || Array.isArray(choice)) throw this.#malformed('a choice that is not an object');
        if (choice.delta === undefined || choice.delta === null) choice.delta = {};
        else if (typeof choice.delta !== 'object') throw this.#malformed('a choice whose delta is not an object');
        else {
          const problem = deltaProblem(choice.delta as Record<string, unknown>);
          if (problem !== undefined) throw this.#malformed(problem);
          typeToolCalls(choice.delta as Record<string, unknown>);
        }
        const index = choice.index ?? 0;
        // `""` is no finish reason: Ollama, SGLang and some gateways send it on every unfinished chunk.
        if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') {
          this.#finished.add(index);
          this.#unfinished.delete(index);
        } else if (!this.#finished.has(index)) this.#unfinished.add(index);
      }
    }
    return data as UpstreamChatCompletionChunk;
  }

  #malformed(what = 'not a chat.completion.chunk object'): RouterError {
    return new RouterError(`malformed SSE event from ${this.providerId}: ${what}`, {
      code: 'upstream_error',
      providerId: this.providerId,
      isRetryable: true,
      requestID: this.requestId,
    });
  }
}

const textOrAbsent = (value: unknown) => value === undefined || value === null || typeof value === 'string';

/**
 * What is wrong with a delta a client could not read, or undefined: content that is neither text,
 * null nor a list of parts, or tool calls that are not a list of objects whose `function` (when
 * present) has text `name` and `arguments` (the openai SDK's stream helpers concatenate them).
 * Parts of a call may come in any delta, so none is required.
 */
function deltaProblem(delta: Record<string, unknown>): string | undefined {
  const { content, tool_calls: calls } = delta;
  if (!textOrAbsent(content) && !Array.isArray(content)) return 'a delta whose content is not text';
  if (calls === undefined || calls === null) return undefined;
  if (!Array.isArray(calls)) return 'a delta whose tool_calls is not a list';
  for (const call of calls as unknown[]) {
    if (typeof call !== 'object' || call === null) return 'a tool call delta that is not an object';
    const fn = (call as { function?: unknown }).function;
    if (fn === undefined || fn === null) continue;
    if (typeof fn !== 'object' || !textOrAbsent((fn as { name?: unknown }).name) || !textOrAbsent((fn as { arguments?: unknown }).arguments)) {
      return "a tool call delta whose function's name or arguments are not text";
    }
  }
  return undefined;
}

/**
 * Gives the first delta of a function call (the one with its id) the `type: 'function'` OpenAI
 * sends there, when the upstream left it out: Mistral AI, and Mistral models on Azure, stream
 * their calls without it, and the openai SDK 4's stream helper then fails ("missing
 * choices[0].tool_calls[0].type"). Checked by `deltaProblem` first: `tool_calls` is a list of objects.
 */
function typeToolCalls(delta: Record<string, unknown>): void {
  const calls = delta.tool_calls as Record<string, unknown>[] | null | undefined;
  if (!calls) return;
  for (const call of calls) {
    if ((call.type === undefined || call.type === null) && typeof call.id === 'string' && call.custom === undefined) call.type = 'function';
  }
}
