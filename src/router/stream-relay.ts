import { StreamedCompletion } from '../audit/audit-content.js';
import { AbortedError, type RouterError } from '../errors.js';
import { priceUsage } from '../pricing/cost.js';
import { answerLength, reasoningLength, toolCallLength } from '../pricing/tokens.js';
import { isBufferedIterator, type BufferedAsyncIterator } from '../streaming/buffered-iterator.js';
import type { ChatCompletionChunk, TokenUsage, Usage, UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import type { Execution } from './execute.js';
import { asRouterError, type RequestRecord } from './request-record.js';
import type { RouterContext } from './router-context.js';
import type { StreamOpening } from './stream-opening.js';

export interface RelayInput {
  context: RouterContext;
  record: RequestRecord;
  execution: Execution<unknown>;
  /**
   * The chunks read while the attempt could still fall back, the caller's first, in order: from
   * the first chunk with choices (whose id, model and created are the final usage chunk's too)
   * to the first chunk of substance (`readOpening`).
   */
  read: StreamOpening['read'];
  /** Usage reported on the chunks without choices that came before the first with choices. */
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
  /** Each choice's finish reason, by choice index, once the upstream sent it. */
  finishReasons: string[] | undefined;
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
    // The answer is joined for the audit record's content and for listeners that want it (telemetry's).
    const { audit, observer } = input.context;
    this.capture = audit.content === 'none' && !observer?.wantsContent ? undefined : new StreamedCompletion();
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
      if (choice.finish_reason) (this.finishReasons ??= [])[choice.index] = choice.finish_reason;
      const delta = choice.delta;
      this.characters += answerLength(delta.content);
      this.characters += reasoningLength(delta);
      // As a whole answer is estimated (chat-completions.ts): a tool call's name and its arguments
      // (a custom tool's call: its name and input).
      if (delta.tool_calls) for (const call of delta.tool_calls) this.characters += toolCallLength(call);
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
    const first = this.input.read[0];
    const finishReasons = this.finishReasons && Array.from(this.finishReasons, (reason) => reason ?? 'unknown');
    this.input.record.succeed(this.input.execution.candidate, usage, this.#completion(), { id: first.id, model: first.model, finishReasons });
    return usage;
  }

  /**
   * The stream failed mid-way (upstream cut, abort): record it with the usage it had, the
   * upstream's when it already reported it (on the finish chunk, as some do), else estimated.
   */
  fail(thrown: unknown): RouterError {
    const { record, execution } = this.input;
    const error = this.ended ?? asRouterError(execution.signal.aborted ? execution.signal.reason : thrown);
    if (!record.done) {
      // A failure after the commit still counts against the deployment's health.
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
    return record.fail(error, execution.candidate, this.priced(this.usage), this.#completion());
  }

  /** The caller left (break, idle, dropped): record it, then close the upstream. */
  abandon(message: string): Promise<unknown> {
    const { record, execution, controller, rest } = this.input;
    if (record.done) return Promise.resolve();
    this.ended = new AbortedError(message);
    this.#stop();
    this.#takeUnreadUsage();
    record.fail(this.ended, execution.candidate, this.priced(this.usage), this.#completion());
    controller.abort(this.ended);
    execution.release();
    return Promise.resolve()
      .then(() => rest.return?.())
      .catch(() => undefined);
  }

  /**
   * Takes in the usage on chunks the upstream already sent that nobody will read now: an upstream
   * that generated more than the caller read bills for all of it, and may have said how much.
   */
  #takeUnreadUsage(): void {
    const rest = this.input.rest;
    if (!isBufferedIterator(rest)) return;
    this.usage = readBuffered(rest, false).usage ?? this.usage;
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
 * A failure after the commit ends the stream with that error (never a quiet end). Every
 * way a stream ends writes its one audit record: the end, an upstream cut, an abort, the
 * caller leaving the loop, not reading for `streamIdleTimeoutMs`, or dropping the stream.
 */
export function relayStream(input: RelayInput): AsyncGenerator<ChatCompletionChunk> {
  const state = new RelayState(input);
  const stream = new RelayHandle(new Relay(state));
  dropped.register(stream, state, state);
  return stream;
}

/**
 * What the caller holds, apart from the relay that a pending read keeps alive: dropping this
 * object is what counts as dropping the stream.
 */
class RelayHandle implements AsyncGenerator<ChatCompletionChunk> {
  readonly #relay: Relay;

  constructor(relay: Relay) {
    this.#relay = relay;
  }

  next(): Promise<ChunkResult> {
    return this.#relay.next();
  }

  return(value?: unknown): Promise<ChunkResult> {
    return this.#relay.return(value);
  }

  throw(error?: unknown): Promise<ChunkResult> {
    return this.#relay.throw(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

type ChunkResult = IteratorResult<ChatCompletionChunk>;

const ended: ChunkResult = Object.freeze({ done: true, value: undefined });

/**
 * The relay as one iterator rather than an async generator: a chunk the upstream's parser
 * already holds (`nextBuffered`) goes to the caller in the same turn, as one settled promise,
 * where a generator spends an await on the upstream's settled promise and another on its own
 * `yield` for every chunk. It waits only when the upstream must be read, and a `next()` called
 * meanwhile waits its turn, as a generator queues its callers.
 */
class Relay {
  readonly #state: RelayState;
  readonly #buffered: BufferedAsyncIterator<UpstreamChatCompletionChunk> | undefined;
  /** The chunks read while the attempt could still fall back (`RelayInput.read`), until all went out. */
  #held: readonly UpstreamChatCompletionChunk[] | undefined;
  #nextHeld = 0;
  /**
   * The last call still to settle while a `next()` waits on the upstream or the audit queue:
   * calls made meanwhile chain on it, so each is served in the order it was made.
   */
  #tail: Promise<ChunkResult> | undefined;
  /** Ended: the final chunk went out, or the stream failed or was closed. */
  #closed = false;

  constructor(state: RelayState) {
    this.#state = state;
    this.#held = state.input.read;
    const { rest } = state.input;
    this.#buffered = isBufferedIterator(rest) ? rest : undefined;
  }

  next(): Promise<ChunkResult> {
    return this.#tail === undefined ? this.#nextNow() : this.#after(() => this.#nextNow());
  }

  /** Runs `call` once every call made before it settled. */
  #after(call: () => Promise<ChunkResult>): Promise<ChunkResult> {
    const queued = this.#tail!.then(call, call);
    this.#tail = queued;
    const settled = () => {
      if (this.#tail === queued) this.#tail = undefined;
    };
    queued.then(settled, settled);
    return queued;
  }

  #nextNow(): Promise<ChunkResult> {
    if (this.#closed) return Promise.resolve(ended);
    let result: ChunkResult | Promise<ChunkResult>;
    try {
      this.#state.resume();
      result = this.#step(undefined);
    } catch (thrown) {
      return this.#fail(thrown);
    }
    if (!(result instanceof Promise)) return Promise.resolve(result);
    // A call that waited its turn is the tail already; a first one becomes it until it settles
    // (cleared in its own handlers: before any continuation of the caller's runs).
    const pending: Promise<ChunkResult> = result.then(
      (value) => {
        if (this.#tail === pending) this.#tail = undefined;
        return value;
      },
      (thrown: unknown) => {
        if (this.#tail === pending) this.#tail = undefined;
        return this.#fail(thrown);
      },
    );
    this.#tail ??= pending;
    return pending;
  }

  async return(value?: unknown): Promise<ChunkResult> {
    const state = this.#state;
    // Left with nothing of the answer unread (a loop that stops at the finish reason), the rest of
    // the stream already in: the stream ended well, the caller only skips its usage chunk.
    if (!this.#closed && !this.#waiting() && !state.input.record.done && this.#restIsIn()) {
      this.#close();
      state.succeed();
      state.input.execution.release();
      await state.input.record.onceQueued(undefined);
      return { done: true, value };
    }
    const message = `The caller closed the stream after ${state.delivered} chunk(s).`;
    // A read may be waiting on a silent upstream (a ReadableStream pulls ahead of its reader), or
    // be queued to start one once an earlier call settles: abandon first, which aborts that read
    // or fails the queued one at its start, rather than wait for it.
    const abandoned = this.#waiting() ? state.abandon(message) : undefined;
    if (this.#tail !== undefined) await this.#tail.catch(() => undefined);
    this.#close();
    await (abandoned ?? state.abandon(message));
    return { done: true, value };
  }

  /**
   * The caller ends the stream with its own error (a generator's `throw()`): as `return()` —
   * recorded as the caller leaving, the upstream closed — then the error is handed back, as a
   * generator that does not catch it would. The deployment did nothing wrong: its health is not
   * told.
   */
  async throw(error?: unknown): Promise<ChunkResult> {
    const state = this.#state;
    const reason = error instanceof Error && error.message !== '' ? `: ${error.message}` : '';
    const message = `The caller ended the stream with an error after ${state.delivered} chunk(s)${reason}.`;
    const abandoned = this.#waiting() ? state.abandon(message) : undefined;
    if (this.#tail !== undefined) await this.#tail.catch(() => undefined);
    this.#close();
    await (abandoned ?? state.abandon(message));
    throw error;
  }

  /**
   * Whether what is left of the upstream's stream is already in and holds no chunk for the caller:
   * only chunks without choices, then the end. Takes in the usage it finds on the way.
   */
  #restIsIn(): boolean {
    const buffered = this.#buffered;
    if (buffered === undefined || this.#held !== undefined) return false;
    const { usage, ended } = readBuffered(buffered, true);
    this.#state.usage = usage ?? this.#state.usage;
    return ended;
  }

  /** A call is reading the upstream, or waits its turn to (and may then read). */
  #waiting(): boolean {
    return this.#state.busy || this.#tail !== undefined;
  }

  /**
   * From `chunk` (or the next held chunk, or the upstream's next, when none) to the next chunk
   * for the caller, in this turn while the upstream's chunks are held or buffered; a promise
   * once it must be read.
   */
  #step(chunk: UpstreamChatCompletionChunk | undefined): ChunkResult | Promise<ChunkResult> {
    const buffered = this.#buffered;
    for (;;) {
      if (chunk === undefined && this.#held !== undefined) chunk = this.#takeHeld();
      if (chunk === undefined) {
        const ready = buffered?.nextBuffered();
        if (ready === undefined) return this.#read();
        if (ready.done) return this.#finish();
        chunk = ready.value;
      }
      if (this.#deliverable(chunk)) return { done: false, value: chunk as ChatCompletionChunk };
      chunk = undefined;
    }
  }

  #takeHeld(): UpstreamChatCompletionChunk | undefined {
    const held = this.#held!;
    const chunk = held[this.#nextHeld++];
    if (this.#nextHeld >= held.length) this.#held = undefined;
    return chunk;
  }

  async #read(): Promise<ChunkResult> {
    const state = this.#state;
    state.busy = true;
    let next: IteratorResult<UpstreamChatCompletionChunk>;
    try {
      next = await state.input.rest.next();
    } finally {
      state.busy = false;
    }
    // The stream may have ended while the read waited (an abort).
    state.resume();
    return next.done ? this.#finish() : this.#step(next.value);
  }

  /** Takes one upstream chunk in: its usage kept; true when the caller gets it (it has choices). */
  #deliverable(chunk: UpstreamChatCompletionChunk): boolean {
    const state = this.#state;
    if (chunk.usage) state.usage = chunk.usage;
    if (chunk.choices.length === 0) return false;
    state.count(chunk);
    if (state.input.includeUsage) chunk.usage = null;
    // `delete` is a runtime call even for a field that is not there: asked only when it is.
    else if ('usage' in chunk) delete chunk.usage;
    return true;
  }

  /** The upstream ended: the record succeeds and the caller gets the usage chunk, last. */
  #finish(): ChunkResult | Promise<ChunkResult> {
    const state = this.#state;
    const { record, execution } = state.input;
    const first = state.input.read[0];
    this.#closed = true;
    const usage = state.succeed();
    execution.release();
    const candidate = execution.candidate;
    const final: ChatCompletionChunk = {
      id: first.id,
      object: 'chat.completion.chunk',
      created: first.created,
      model: first.model,
      choices: [],
      usage,
      provider: candidate.provider.id,
      route: record.route(candidate),
    };
    // With a full audit queue (onFull 'wait'), the stream ends only once its record is in.
    const queued = record.onceQueued(final);
    return queued instanceof Promise ? queued.then((value) => ({ done: false, value })) : { done: false, value: queued };
  }

  /** The stream failed (the upstream, an abort): recorded, then thrown. */
  #fail(thrown: unknown): Promise<never> {
    this.#close();
    const { record } = this.#state.input;
    const error = this.#state.fail(thrown);
    return Promise.resolve(record.onceQueued(error)).then((queued) => Promise.reject(queued));
  }

  #close(): void {
    this.#closed = true;
    this.#held = undefined;
    this.#state.busy = false;
  }
}

/**
 * Reads the chunks `rest` already holds, waiting on nothing: the last usage among them, and
 * whether the stream's end is in. With `untilAnswer` it stops at the first chunk with choices
 * (then `ended` is false). A failure after them ends the read with what was seen (`ended` false:
 * the stream did not end well).
 */
function readBuffered(rest: BufferedAsyncIterator<UpstreamChatCompletionChunk>, untilAnswer: boolean): { usage: TokenUsage | undefined; ended: boolean } {
  let usage: TokenUsage | undefined;
  try {
    for (;;) {
      const ready = rest.nextBuffered();
      if (ready === undefined) return { usage, ended: false };
      if (ready.done) return { usage, ended: true };
      if (ready.value.usage) usage = ready.value.usage;
      if (untilAnswer && ready.value.choices.length > 0) return { usage, ended: false };
    }
  } catch {
    return { usage, ended: false };
  }
}
