import { RouterError } from '../../errors.js';
import type { UpstreamChatCompletion } from '../../wire/chat-response.js';
import { translateResponse as translateMessage } from '../anthropic/translate-response.js';
import type { AnthropicResponseBlock, AnthropicUsage } from '../anthropic/wire.js';
import type { ConverseResponse, ConverseUsage } from './wire.js';

/*
 * A Converse answer → an OpenAI `chat.completion`, through the Anthropic translation (same
 * blocks, same JSON-tool unwrapping). Stop reasons: end_turn and stop_sequence → `stop`;
 * max_tokens and model_context_window_exceeded → `length`; tool_use → `tool_calls`;
 * guardrail_intervened and content_filtered → `content_filter`; malformed_tool_use and
 * malformed_model_output have no finish reason (see `malformedOutputError`). Reasoning blocks are
 * not returned: OpenAI's shape has no slot for them.
 */

/** Stop reasons that say the output is not a usable answer, with what the model produced. */
const malformed: ReadonlyMap<unknown, string> = new Map([
  ['malformed_tool_use', 'a tool call that is not valid'],
  ['malformed_model_output', 'output that is not valid'],
]);

/**
 * The error a stop reason that says the output is unusable becomes, streamed or not; undefined
 * for the others. No `finish_reason` says it (`stop` would pass a broken answer off as a
 * complete one), and the model's output is sampled: another attempt, or another deployment's
 * model, may well answer properly. Hence a retryable `upstream_error`.
 */
export function malformedOutputError(providerId: string, stopReason: string | undefined, requestId: string | undefined): RouterError | undefined {
  const what = malformed.get(stopReason);
  if (what === undefined) return undefined;
  return new RouterError(
    `${providerId}: the model produced ${what} (stopReason ${stopReason}), not an answer; another attempt may succeed. If it keeps happening, check the request's tools and response_format, or use another model`,
    { code: 'upstream_error', providerId, isRetryable: true, requestID: requestId },
  );
}

/** Converse stop reasons in the Messages API's words, where they differ. */
export function messagesStopReason(stopReason: string | undefined): string | undefined {
  return stopReason === 'guardrail_intervened' || stopReason === 'content_filtered' ? 'refusal' : stopReason;
}

/** Converse usage in the Messages API's words: `inputTokens` excludes cache reads and writes there too. */
export function messagesUsage(usage: ConverseUsage): AnthropicUsage {
  // A count left out stays out: the translation then reports no usage rather than zero tokens.
  const result: AnthropicUsage = { input_tokens: usage.inputTokens ?? null, output_tokens: usage.outputTokens ?? null };
  if (typeof usage.cacheReadInputTokens === 'number' || typeof usage.cacheWriteInputTokens === 'number') {
    result.cache_read_input_tokens = usage.cacheReadInputTokens ?? 0;
    result.cache_creation_input_tokens = usage.cacheWriteInputTokens ?? 0;
  }
  return result;
}

/**
 * @param model the model id the request was sent to (Converse does not echo it).
 * @param id the upstream request id, used for the completion's id.
 */
export function translateResponse(response: ConverseResponse, jsonTool: string | undefined, model: string, id: string, created: number): UpstreamChatCompletion {
  const content: AnthropicResponseBlock[] = [];
  for (const block of response.output?.message?.content ?? []) {
    if (typeof block.text === 'string') content.push({ type: 'text', text: block.text });
    else if (block.toolUse !== undefined) content.push({ type: 'tool_use', id: block.toolUse.toolUseId ?? '', name: block.toolUse.name ?? '', input: block.toolUse.input ?? {} });
  }
  return translateMessage(
    {
      id,
      type: 'message',
      model,
      content,
      stop_reason: messagesStopReason(response.stopReason) ?? null,
      ...(response.usage === undefined ? {} : { usage: messagesUsage(response.usage) }),
    },
    jsonTool,
    created,
  );
}
