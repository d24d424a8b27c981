import type { UpstreamChatCompletion } from '../../wire/chat-response.js';
import { translateResponse as translateMessage } from '../anthropic/translate-response.js';
import type { AnthropicResponseBlock, AnthropicUsage } from '../anthropic/wire.js';
import type { ConverseResponse, ConverseUsage } from './wire.js';

/*
 * A Converse answer → an OpenAI `chat.completion`, through the Anthropic translation (same
 * blocks, same JSON-tool unwrapping). Stop reasons: end_turn and stop_sequence → `stop`;
 * max_tokens and model_context_window_exceeded → `length`; tool_use → `tool_calls`;
 * guardrail_intervened and content_filtered → `content_filter`. Reasoning blocks are not
 * returned: OpenAI's shape has no slot for them.
 */

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
