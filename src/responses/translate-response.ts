import type { ChatCompletion } from '../wire/chat-response.js';
import { argumentsText, contentPieces, finishStatus, newId, outputText, reasoningText, responseShell, responseUsage } from './response-shell.js';
import type { OutputItem, ResponseObject, ResponseRequest } from './wire.js';

/**
 * A routed chat completion → the response: the provider's reasoning text, if any, as a
 * `reasoning` item with one summary, then its first choice's text as one `message` item, then
 * one `function_call` item per tool call (the provider's call id kept as `call_id`, a minted one
 * when it sent none), the finish reason as status, and usage with cost, `provider` and `route`.
 */
export function toResponse(request: ResponseRequest, id: string, createdAt: number, completion: ChatCompletion): ResponseObject {
  const response = responseShell(request, id, completion.model, createdAt);
  const choice = completion.choices[0];
  const { status, incomplete_details } = finishStatus(choice?.finish_reason);
  const itemStatus = status === 'incomplete' ? 'incomplete' : 'completed';
  const message = choice?.message;
  const output: OutputItem[] = [];
  const pieces = contentPieces(message?.content);
  const joined = (kind: 'text' | 'reasoning') => {
    const parts = pieces.filter((piece) => piece.kind === kind);
    return parts.length === 0 ? undefined : parts.map((piece) => piece.text).join('');
  };
  const text = joined('text') ?? '';
  const reasoning = reasoningText(message) ?? joined('reasoning');
  if (reasoning !== undefined) output.push({ type: 'reasoning', id: newId('rs'), summary: [{ type: 'summary_text', text: reasoning }] });
  const calls = message?.tool_calls ?? [];
  const refusal = typeof message?.refusal === 'string' && message.refusal !== '' ? message.refusal : undefined;
  if (text !== '' || refusal !== undefined || calls.length === 0) {
    output.push({
      type: 'message',
      id: newId('msg'),
      status: itemStatus,
      role: 'assistant',
      content: refusal !== undefined && text === '' ? [{ type: 'refusal', refusal }] : [{ type: 'output_text', text, annotations: [], logprobs: [] }],
    });
  }
  const seen = new Set<string>();
  for (const call of calls) {
    const callId = call.id && !seen.has(call.id) ? call.id : newId('call');
    seen.add(callId);
    output.push({ type: 'function_call', id: newId('fc'), status: itemStatus, call_id: callId, name: call.function.name, arguments: argumentsText(call.function.arguments) });
  }
  return Object.assign(response, {
    status,
    incomplete_details,
    output,
    output_text: outputText(output),
    usage: responseUsage(completion.usage),
    provider: completion.provider,
    route: completion.route,
  });
}
