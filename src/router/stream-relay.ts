import { StreamedCompletion } from '../audit/audit-content.js';
import { AbortedError, type RouterError } from '../errors.js';
import { priceUsage } from '../pricing/cost.js';
import type { ChatCompletionChunk, TokenUsage, Usage, UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import type { Execution } from './execute.js';
import { asRouterError, type RequestRecord } from './request-record.js';
import type { RouterContext } from './router-context.js';

export interface RelayInput {
  context: RouterContext;
  record: RequestRecord;
  execution: Execution<unknown>;
  /** The first chunk with choices: its id, model and created are the final usage chunk's too. */
  first: UpstreamChatCompletionChunk;
  /** Usage reported on the chunks without choices that came before `first`. */
  usage: TokenUsage | undefined;
  rest: AsyncIterator<UpstreamChatCompletionChunk>;
  /** The caller asked for `stream_options.include_usage`: content chunks carry `usage: null`. */
  includeUsage: boolean;
  promptTokens: number;
  /** The stream's controller: aborting it closes the upstream. */
  controller: AbortController;
}

/**
 * A stream whose generator is garbage collected before it ended was dropped by the caller: no
 * `break`, no `return()`, no abort. Its record is written then, and its upstream released.
 */
const dropped = new FinalizationRegistry<RelayState>((state) => {
  state.abandon(`The caller dropped the stream after ${state.delivered} chunk(s) without reading it to the end or closing it.`);
});

/**
 * What a relay knows about its stream, kept apart from the generator (which it must never
 * reference) so that the stream can be finished without the generator: on abort, when the
 * caller stops reading for `streamIdleTimeoutMs`, or when the caller drops it.
 */
class RelayState {
  delivered = 0;
  characters = 0;
  usage: TokenUsage | undefined;
  /** The caller read a chunk since the idle timer last looked. */
  pulled = false;
  /** The relay is waiting on the upstream, not on the caller: it is not idle then. */
  busy = false;
  /** Set when the stream ended between two reads (abort, idle, drop): the next read throws it. */
  ended: RouterError | undefined;
  readonly capture: StreamedCompletion | undefined;
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onAbort = () => this.#aborted();

  constructor(readonly input: RelayInput) {
    this.capture = input.context.audit.content === 'none' ? undefined : new StreamedCompletion();
    this.usage = input.usage;
    input.execution.signal.addEventListener('abort', this.#onAbort, { once: true });
    const idleMs = input.context.options.streamIdleTimeoutMs;
    if (idleMs > 0) {
      this.#timer = setTimeout(() => this.#checkIdle(idleMs), idleMs);
      this.#timer.unref?.();
    }
  }

  /** Called each time the caller asks for a chunk. */
  resume(): void {
    this.pulled = true;
    if (this.ended) throw this.ended;
  }

  count(chunk: UpstreamChatCompletionChunk): void {
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      if (typeof delta.content === 'string') this.characters += delta.content.length;
      if (delta.tool_calls) for (const call of delta.tool_calls) this.characters += call.function?.arguments?.length ?? 0;
    }
    this.capture?.add(chunk);
    this.delivered += 1;
  }

  /** Usage with cost: the upstream's, or estimated from what reached the caller. */
  priced(reported: TokenUsage | undefined): Usage {
    const { execution, promptTokens, context } = this.input;
    return priceUsage(reported, execution.candidate, { promptTokens, completionTokens: Math.ceil(this.characters / 4) }, context.currency);
  }

  succeed(): Usage {
    const usage = this.priced(this.usage);
    this.#stop();
    const { first } = this.input;
    this.input.record.succeed(this.input.execution.candidate, usage, this.#completion(), { id: first.id, model: first.model });
    return usage;
  }

  /** The stream failed mid-way (upstream cut, abort): record it with the usage it had. */
  fail(thrown: unknown): RouterError {
    const { record, execution } = this.input;
    const error = this.ended ?? asRouterError(execution.signal.aborted ? execution.signal.reason : thrown);
    if (!record.done) {
      // A failure after the first chunk still counts against the deployment's health.
      execution.failedLate(error);
      const attempt = record.attempts.at(-1);
      if (attempt) {
        attempt.outcome = 'error';
        attempt.code = error.code;
        attempt.status = error.status;
        attempt.message = `${error.message} (after ${this.delivered} chunk(s) reached the caller)`;
      }
    }
    this.#stop();
    // Nobody may read again (an abort ends it): the attempt's timers and listeners go now.
    execution.release();
    return record.fail(error, execution.candidate, this.priced(undefined), this.#completion());
  }

  /** The caller left (break, idle, dropped): record it, then close the upstream. */
  abandon(message: string): Promise<unknown> {
    const { record, execution, controller, rest } = this.input;
    if (record.done) return Promise.resolve();
    this.ended = new AbortedError(message);
    this.#stop();
    record.fail(this.ended, execution.candidate, this.priced(undefined), this.#completion());
    controller.abort(this.ended);
    execution.release();
    return Promise.resolve()
      .then(() => rest.return?.())
      .catch(() => undefined);
  }

  #aborted(): void {
    if (this.input.record.done) return;
    this.ended = this.fail(undefined);
  }

  #checkIdle(idleMs: number): void {
    if (this.input.record.done) return;
    if (this.busy || this.pulled) {
      this.pulled = false;
      this.#timer?.refresh();
      return;
    }
    void this.abandon(`The caller did not read the stream for ${idleMs} ms (streamIdleTimeoutMs) after ${this.delivered} chunk(s).`);
  }

  #completion() {
    const capture = this.capture;
    return capture && (() => capture.result());
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.input.execution.signal.removeEventListener('abort', this.#onAbort);
    dropped.unregister(this);
  }
}

/**
 * Passes a committed stream's chunks to the caller as they arrive, holds back the upstream's
 * usage-only chunk, and ends with one chunk carrying usage with cost, `provider` and `route`.
 * A failure after the first chunk ends the stream with that error (never a quiet end). Every
 * way a stream ends writes its one audit record: the end, an upstream cut, an abort, the
 * caller leaving the loop, not reading for `streamIdleTimeoutMs`, or dropping the stream.
 */
export function relayStream(input: RelayInput): AsyncGenerator<ChatCompletionChunk> {
  const state = new RelayState(input);
  const generator = relay(state);
  // What the caller holds. A generator closed before its first read never runs its body (nor
  // its finally), so closing is watched here too; and dropping this object is what counts.
  const stream: AsyncGenerator<ChatCompletionChunk> = {
    next: (...args) => generator.next(...args),
    async return(value) {
      const message = `The caller closed the stream after ${state.delivered} chunk(s).`;
      // A read may be waiting on a silent upstream (a ReadableStream pulls ahead of its reader),
      // and the generator's return() would queue behind it: abandon first, which aborts that read.
      const abandoned = state.busy ? state.abandon(message) : undefined;
      const result = await generator.return(value).catch(() => ({ done: true as const, value }));
      await (abandoned ?? state.abandon(message));
      return result;
    },
    throw: (error) => generator.throw(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  dropped.register(stream, state, state);
  return stream;
}

async function* relay(state: RelayState): AsyncGenerator<ChatCompletionChunk> {
  const { record, execution, rest, includeUsage } = state.input;
  const candidate = execution.candidate;
  const template = state.input.first;
  try {
    for (let chunk: UpstreamChatCompletionChunk | undefined = template; chunk !== undefined; ) {
      state.resume();
      if (chunk.usage) state.usage = chunk.usage;
      if (chunk.choices.length > 0) {
        state.count(chunk);
        if (includeUsage) chunk.usage = null;
        else delete chunk.usage;
        yield chunk as ChatCompletionChunk;
        state.resume();
      }
      state.busy = true;
      const next: IteratorResult<UpstreamChatCompletionChunk> = await rest.next();
      state.busy = false;
      chunk = next.done ? undefined : next.value;
    }
    const usage = state.succeed();
    const final: ChatCompletionChunk = {
      id: template.id,
      object: 'chat.completion.chunk',
      created: template.created,
      model: template.model,
      choices: [],
      usage,
      provider: candidate.provider.id,
      route: record.route(candidate),
    };
    // With a full audit queue (onFull 'wait'), the stream ends only once its record is in.
    yield await record.onceQueued(final);
  } catch (thrown) {
    throw await record.onceQueued(state.fail(thrown));
  } finally {
    state.busy = false;
    // The caller left the loop early: record why the answer is short and close the upstream.
    if (!record.done) await state.abandon(`The caller closed the stream after ${state.delivered} chunk(s).`);
    execution.release();
  }
}
