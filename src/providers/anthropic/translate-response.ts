import type { FinishReason, TokenUsage, ToolCall, UpstreamChatCompletion } from '../../wire/chat-response.js';
import type { AnthropicResponse, AnthropicUsage } from './wire.js';

/*
 * An Anthropic message → an OpenAI `chat.completion` (openai-contract.md §4.3–4.5). The id is
 * Anthropic's with a `chatcmpl-` prefix, `model` is the model Anthropic reports (a dated
 * snapshot such as `claude-sonnet-4-5-20250929`), `created` is the time of translation
 * (Anthropic sends none). Thinking blocks are not returned: OpenAI's shape has no slot for them.
 */

/** Anthropic `stop_reason` → OpenAI `finish_reason`; unknown and absent reasons read as `stop`. */
export function finishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

/**
 * Anthropic usage → OpenAI usage. Anthropic's `input_tokens` leaves out cache reads and writes;
 * OpenAI's `prompt_tokens` includes cached tokens, so all three are added up. Undefined when
 * neither input nor output tokens were reported: zero counts would price the call at nothing,
 * where without usage the router estimates it.
 */
export function translateUsage(usage: AnthropicUsage): TokenUsage | undefined {
  if (typeof usage.input_tokens !== 'number' && typeof usage.output_tokens !== 'number') return undefined;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const promptTokens = (usage.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completionTokens = usage.output_tokens ?? 0;
  const result: TokenUsage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  if (typeof usage.cache_read_input_tokens === 'number' || cacheWrite > 0) {
    result.prompt_tokens_details = cacheWrite > 0 ? { cached_tokens: cacheRead, cache_write_tokens: cacheWrite } : { cached_tokens: cacheRead };
  }
  const thinking = usage.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') result.completion_tokens_details = { reasoning_tokens: thinking };
  return result;
}

/**
 * The prompt's side of the usage `message_start` reports before any output: prompt tokens and
 * cache details, without completion or total counts (the answer is still to come). Undefined
 * when no input count was reported.
 */
export function promptUsage(usage: AnthropicUsage): Pick<TokenUsage, 'prompt_tokens' | 'prompt_tokens_details'> | undefined {
  if (typeof usage.input_tokens !== 'number') return undefined;
  const { prompt_tokens, prompt_tokens_details } = translateUsage(usage)!;
  return prompt_tokens_details === undefined ? { prompt_tokens } : { prompt_tokens, prompt_tokens_details };
}

/**
 * @param jsonTool the JSON-mode tool's name when the request asked for JSON: its call becomes the
 *   message content, with finish_reason `stop`.
 * @param created the completion's `created`, in Unix seconds.
 */
export function translateResponse(message: AnthropicResponse, jsonTool: string | undefined, created: number): UpstreamChatCompletion {
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  let json: string | undefined;
  for (const block of message.content ?? []) {
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block.type === 'tool_use') {
      const input = JSON.stringify(block.input ?? {});
      if (jsonTool !== undefined && block.name === jsonTool) json = input;
      else toolCalls.push({ id: block.id ?? '', type: 'function', function: { name: block.name ?? '', arguments: input } });
    }
  }
  // In JSON mode the content is the JSON alone, without any words the model put before it.
  const content = json ?? (texts.length > 0 ? texts.join('') : null);
  const mapped = finishReason(message.stop_reason);
  // The JSON tool's call is the answer itself, not a call for the caller to run.
  const finish = json !== undefined && toolCalls.length === 0 && mapped === 'tool_calls' ? 'stop' : mapped;
  const completion: UpstreamChatCompletion = {
    id: `chatcmpl-${message.id ?? ''}`,
    object: 'chat.completion',
    created,
    model: message.model ?? '',
    choices: [
      {
        index: 0,
        message: toolCalls.length > 0 ? { role: 'assistant', content, refusal: null, tool_calls: toolCalls } : { role: 'assistant', content, refusal: null },
        finish_reason: finish,
        logprobs: null,
      },
    ],
  };
  const usage = message.usage === undefined ? undefined : translateUsage(message.usage);
  if (usage !== undefined) completion.usage = usage;
  return completion;
}
