import { AbortedError } from '../errors.js';
import { priceUsage } from '../pricing/cost.js';
import type { ChatCompletionChunk, TokenUsage, UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import type { Execution } from './execute.js';
import { asRouterError, type RequestRecord } from './request-record.js';
import type { RouterContext } from './router-context.js';

export interface RelayInput {
  context: RouterContext;
  record: RequestRecord;
  execution: Execution<unknown>;
  first: UpstreamChatCompletionChunk;
  rest: AsyncIterator<UpstreamChatCompletionChunk>;
  /** The caller asked for `stream_options.include_usage`: content chunks carry `usage: null`. */
  includeUsage: boolean;
  promptTokens: number;
}

/**
 * Passes a committed stream's chunks to the caller as they arrive, holds back the upstream's
 * usage-only chunk, and ends with one chunk carrying usage with cost, `provider` and `route`.
 * A failure after the first chunk ends the stream with that error (never a quiet end) and is
 * recorded on the attempt; a caller that stops reading closes the upstream.
 */
export async function* relayStream(input: RelayInput): AsyncGenerator<ChatCompletionChunk> {
  const { context, record, execution, rest, includeUsage } = input;
  const candidate = execution.candidate;
  const template = input.first;
  let usage: TokenUsage | undefined;
  let characters = 0;
  let delivered = 0;
  let ended = false;
  try {
    for (let chunk: UpstreamChatCompletionChunk | undefined = input.first; chunk !== undefined; ) {
      if (chunk.usage) usage = chunk.usage;
      if (chunk.choices.length > 0) {
        for (const choice of chunk.choices) {
          const delta = choice.delta;
          if (typeof delta.content === 'string') characters += delta.content.length;
          if (delta.tool_calls) for (const call of delta.tool_calls) characters += call.function?.arguments?.length ?? 0;
        }
        if (includeUsage) chunk.usage = null;
        else delete chunk.usage;
        delivered += 1;
        yield chunk as ChatCompletionChunk;
      }
      const next: IteratorResult<UpstreamChatCompletionChunk> = await rest.next();
      chunk = next.done ? undefined : next.value;
    }
    const priced = priceUsage(usage, candidate, { promptTokens: input.promptTokens, completionTokens: Math.ceil(characters / 4) }, context.currency);
    ended = true;
    record.succeed(candidate, priced);
    yield {
      id: template.id,
      object: 'chat.completion.chunk',
      created: template.created,
      model: template.model,
      choices: [],
      usage: priced,
      provider: candidate.provider.id,
      route: record.route(candidate),
    };
  } catch (thrown) {
    ended = true;
    const error = asRouterError(execution.signal.aborted ? execution.signal.reason : thrown);
    execution.failedLate(error);
    const attempt = record.attempts.at(-1);
    if (attempt) {
      attempt.outcome = 'error';
      attempt.code = error.code;
      attempt.status = error.status;
      attempt.message = `${error.message} (after ${delivered} chunk(s) reached the caller)`;
    }
    throw record.fail(error, candidate);
  } finally {
    execution.release();
    if (!ended) {
      // The caller left the loop early: close the upstream and record why the answer is short.
      record.fail(new AbortedError(`The caller stopped reading the stream after ${delivered} chunk(s).`), candidate);
      await rest.return?.();
    }
  }
}
