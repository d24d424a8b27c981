import type { ChatCompletionChunkChoice, UpstreamChatCompletionChunk } from '../wire/chat-response.js';

/**
 * Whether a chunk carries some of the answer: a finish reason (not `""`), or anything in a delta
 * but the role — content, a refusal, tool calls, a legacy function call, the reasoning fields some
 * providers send. Empty values (`''`, `null`, `[]`) are nothing: a chunk with the role and empty
 * content, as many upstreams open a stream with, has none.
 */
export function hasSubstance(chunk: UpstreamChatCompletionChunk): boolean {
  for (const choice of chunk.choices) if (choiceHasSubstance(choice)) return true;
  return false;
}

function choiceHasSubstance(choice: ChatCompletionChunkChoice): boolean {
  // Truthy: `""` is none, as Ollama, SGLang and some gateways send it on every chunk before the last.
  if (choice.finish_reason) return true;
  for (const key in choice.delta) {
    if (key === 'role') continue;
    const value = choice.delta[key];
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    return true;
  }
  return false;
}
