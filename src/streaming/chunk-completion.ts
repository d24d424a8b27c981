import { RouterError } from '../errors.js';
import type { UpstreamChatCompletionChunk } from '../wire/chat-response.js';

/**
 * Checks each parsed event of an OpenAI-shaped stream and keeps track of which choices have
 * finished. With `n > 1` each choice finishes on its own: a stream that ends without `[DONE]` is
 * complete only once every choice index that appeared has sent its `finish_reason`. Tool-call
 * deltas get the `index` and `type` some upstreams leave out (`#completeToolCalls`).
 */
export class ChunkCompletion {
  readonly #finished = new Set<unknown>();
  readonly #unfinished = new Set<unknown>();
  /** Per choice, the tool calls seen: how many, the last one, and which each id is. */
  #calls: Map<unknown, { count: number; last: number; byId: Map<string, number>; byIndex: Map<number, { index: number; id: string | undefined }>; used: Set<number> }> | undefined;

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
          const calls = (choice.delta as { tool_calls?: Record<string, unknown>[] | null }).tool_calls;
          if (calls) this.#completeToolCalls(choice.index ?? 0, calls);
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

  /**
   * Gives tool-call deltas what OpenAI's carry and clients key on. Calls are numbered in order of
   * appearance, as OpenAI's are: a known id is its call; a delta at an index is that index's call,
   * unless it brings a new id and a name where another call's id is (Ollama and LiteLLM's
   * ollama_chat send every parallel call at index 0, which clients glue into one call); a delta
   * without `index` (Ollama before 0.4.7, SGLang, mistral.rs, some proxies send none, and the
   * openai SDK's stream helper then drops the calls) with a new id starts a call, without one
   * continues the last call. An index no call holds yet is kept as sent, so the indexes
   * OpenAI-shaped upstreams send are kept as they are, in any order and with any ids. A function
   * call's first delta without `type` (Mistral AI's; the openai SDK 4's stream helper then fails
   * with "missing choices[0].tool_calls[0].type") gets `type: 'function'`.
   */
  #completeToolCalls(choice: unknown, calls: Record<string, unknown>[]): void {
    let state = this.#calls?.get(choice);
    if (state === undefined) (this.#calls ??= new Map()).set(choice, (state = { count: 0, last: 0, byId: new Map(), byIndex: new Map(), used: new Set() }));
    for (const call of calls) {
      const id = typeof call.id === 'string' && call.id !== '' ? call.id : undefined;
      const sent = typeof call.index === 'number' ? call.index : undefined;
      const known = id === undefined ? undefined : state.byId.get(id);
      const held = sent === undefined ? undefined : state.byIndex.get(sent);
      const fn = call.function as { name?: unknown } | null | undefined;
      const named = typeof fn?.name === 'string' && fn.name !== '';
      let index: number;
      // An index no call holds yet is kept as sent, even out of order or with an id another
      // call already has (some upstreams give every parallel call one id).
      if (sent !== undefined && held === undefined && !state.used.has(sent)) index = sent;
      else if (known !== undefined) index = known;
      // A new id with a name at an index another call holds starts a call of its own (Ollama
      // and LiteLLM's ollama_chat send every parallel call at index 0).
      else if (held !== undefined && !(id !== undefined && named && held.id !== undefined && held.id !== id)) index = held.index;
      else if (sent !== undefined && held === undefined && (sent >= state.count || id === undefined)) index = sent;
      else if (sent !== undefined || id !== undefined || state.count === 0) index = state.count;
      else index = state.last;
      state.count = Math.max(state.count, index + 1);
      state.used.add(index);
      if (id !== undefined) state.byId.set(id, index);
      if (sent !== undefined && (held === undefined || held.index !== index)) state.byIndex.set(sent, { index, id });
      else if (held !== undefined && held.id === undefined && id !== undefined) held.id = id;
      call.index = state.last = index;
      if ((call.type === undefined || call.type === null) && id !== undefined && call.custom === undefined) call.type = 'function';
    }
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
