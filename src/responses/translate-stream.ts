import { AbortedError, RouterError } from '../errors.js';
import type { ChatCompletionChunk, Route, Usage } from '../wire/chat-response.js';
import { argumentsText, contentPieces, finishStatus, newId, outputText, reasoningText, responseShell, responseUsage } from './response-shell.js';
import type { FunctionCallItem, OutputItem, OutputMessage, ReasoningItem, ResponseObject, ResponseRequest, ResponseStreamEvent } from './wire.js';

/*
 * Chat Completions stream chunks → the Responses event sequence: `response.created`,
 * `response.in_progress`, then per item `output_item.added` … `output_item.done` (a message's
 * content part and text deltas, a function call's argument deltas), then `response.completed`
 * (or `response.incomplete`) with the full output and usage with cost. Indexes are allocated
 * densely in the order items open; each item keeps one id for the whole stream. A failure after
 * the start is an `error` event (flat and nested fields, which every client reads) and then
 * `response.failed`. No other event types are invented: strict clients reject unknown ones.
 */

interface OpenMessage {
  item: OutputMessage;
  outputIndex: number;
  kind: 'output_text' | 'refusal';
  text: string;
}

interface OpenReasoning {
  item: ReasoningItem;
  outputIndex: number;
  text: string;
}

interface OpenCall {
  item: FunctionCallItem;
  outputIndex: number;
  open: boolean;
}

export interface StreamTranslation {
  request: ResponseRequest;
  id: string;
  createdAt: number;
  /** Called with the final response before its terminal event is sent (to store it: it may set `store: false`). */
  onEnd(response: ResponseObject): void | Promise<void>;
  /**
   * The usage with cost the router counted for this request once it ended (its audit record's):
   * what a failed response reports, since tokens spent before a failure are paid for too.
   */
  counted?(): Usage | undefined;
}

/** `error.code` strings as OpenAI streams send them. */
/** A message's one content part: its text, or its refusal. */
function messagePart(kind: OpenMessage['kind'], text: string): OutputMessage['content'][number] {
  return kind === 'refusal' ? { type: 'refusal', refusal: text } : { type: 'output_text', text, annotations: [], logprobs: [] };
}

function streamErrorCode(error: RouterError): string {
  if (error.code === 'rate_limited' || error.status === 429) return 'rate_limit_exceeded';
  return 'server_error';
}

export async function* translateStream(chunks: AsyncIterator<ChatCompletionChunk>, options: StreamTranslation): AsyncGenerator<ResponseStreamEvent> {
  const { request, id, createdAt } = options;
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>): ResponseStreamEvent => ({ type, sequence_number: sequence++, ...fields });
  const output: OutputItem[] = [];
  let message: OpenMessage | undefined;
  let reasoning: OpenReasoning | undefined;
  // Every call in the order it opened; `callAt`: the call each upstream index continues now. An
  // upstream that reuses an index for its next call (some number calls per chunk) moves the index
  // on, and the call it left still closes with the others.
  const calls: OpenCall[] = [];
  const callAt = new Map<number, OpenCall>();
  let finishReason: string | null = null;
  let usage: Usage | undefined;
  let provider: string | undefined;
  let route: Route | undefined;
  let done = false;
  let response: ResponseObject | undefined;
  // The deployment's model id, once the first chunk names it (the request's model string until then).
  let model = request.model;

  // A provider's reasoning text (`reasoning_content`) is a reasoning item with one summary part.
  function* reason(delta: string): Generator<ResponseStreamEvent> {
    if (!reasoning) {
      const item: ReasoningItem = { type: 'reasoning', id: newId('rs'), summary: [] };
      reasoning = { item, outputIndex: output.length, text: '' };
      output.push(item);
      yield event('response.output_item.added', { output_index: reasoning.outputIndex, item: { ...item, summary: [] } });
      yield event('response.reasoning_summary_part.added', { item_id: item.id, output_index: reasoning.outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } });
    }
    reasoning.text += delta;
    yield event('response.reasoning_summary_text.delta', { item_id: reasoning.item.id, output_index: reasoning.outputIndex, summary_index: 0, delta });
  }

  // An item's `output_item.done` carries a copy: the caller may edit what it is given, and the
  // item itself is still to be sent in the terminal event's output and kept for continuations.
  function* closeReasoning(): Generator<ResponseStreamEvent> {
    if (!reasoning) return;
    const { item, outputIndex, text } = reasoning;
    reasoning = undefined;
    const where = { item_id: item.id, output_index: outputIndex, summary_index: 0 };
    yield event('response.reasoning_summary_text.done', { ...where, text });
    yield event('response.reasoning_summary_part.done', { ...where, part: { type: 'summary_text', text } });
    item.summary = [{ type: 'summary_text', text }];
    yield event('response.output_item.done', { output_index: outputIndex, item: structuredClone(item) });
  }

  function* closeMessage(status: OutputMessage['status']): Generator<ResponseStreamEvent> {
    if (!message) return;
    const { item, outputIndex, kind, text } = message;
    message = undefined;
    const where = { item_id: item.id, output_index: outputIndex, content_index: 0 };
    const part = messagePart(kind, text);
    if (kind === 'refusal') yield event('response.refusal.done', { ...where, refusal: text });
    else yield event('response.output_text.done', { ...where, text, logprobs: [] });
    yield event('response.content_part.done', { ...where, part });
    item.content = [part];
    item.status = status;
    yield event('response.output_item.done', { output_index: outputIndex, item: structuredClone(item) });
  }

  /**
   * The items still open when the stream failed, as far as they got: what reached the caller
   * (a message's text, a summary, a call's arguments) is in them, marked `incomplete`.
   */
  function cutShort(): void {
    if (reasoning) reasoning.item.summary = [{ type: 'summary_text', text: reasoning.text }];
    if (message) {
      const { item, kind, text } = message;
      item.content = [messagePart(kind, text)];
      item.status = 'incomplete';
    }
    for (const call of calls) if (call.open) call.item.status = 'incomplete';
  }

  function* closeCalls(status: FunctionCallItem['status']): Generator<ResponseStreamEvent> {
    for (const call of calls) {
      if (!call.open) continue;
      call.open = false;
      call.item.status = status;
      const where = { item_id: call.item.id, output_index: call.outputIndex };
      yield event('response.function_call_arguments.done', { ...where, name: call.item.name, arguments: call.item.arguments });
      yield event('response.output_item.done', { output_index: call.outputIndex, item: { ...call.item } });
    }
  }

  function* text(kind: OpenMessage['kind'], delta: string): Generator<ResponseStreamEvent> {
    yield* closeReasoning();
    if (message && message.kind !== kind) yield* closeMessage('completed');
    if (!message) {
      yield* closeCalls('completed');
      const item: OutputMessage = { type: 'message', id: newId('msg'), status: 'in_progress', role: 'assistant', content: [] };
      message = { item, outputIndex: output.length, kind, text: '' };
      output.push(item);
      yield event('response.output_item.added', { output_index: message.outputIndex, item: { ...item, content: [] } });
      const part = kind === 'refusal' ? { type: 'refusal', refusal: '' } : { type: 'output_text', text: '', annotations: [], logprobs: [] };
      yield event('response.content_part.added', { item_id: item.id, output_index: message.outputIndex, content_index: 0, part });
    }
    message.text += delta;
    const where = { item_id: message.item.id, output_index: message.outputIndex, content_index: 0 };
    yield kind === 'refusal' ? event('response.refusal.delta', { ...where, delta }) : event('response.output_text.delta', { ...where, delta, logprobs: [] });
  }

  function* toolCall(delta: NonNullable<ChatCompletionChunk['choices'][number]['delta']['tool_calls']>[number]): Generator<ResponseStreamEvent> {
    let call = callAt.get(delta.index);
    // An index reused with a new id is a new call (some providers number calls per chunk).
    if (!call || (delta.id && delta.id !== call.item.call_id && call.item.arguments !== '')) {
      yield* closeReasoning();
      yield* closeMessage('completed');
      const callIds = new Set(calls.map((entry) => entry.item.call_id));
      const callId = delta.id && !callIds.has(delta.id) ? delta.id : newId('call');
      const item: FunctionCallItem = { type: 'function_call', id: newId('fc'), status: 'in_progress', call_id: callId, name: delta.function?.name ?? '', arguments: '' };
      call = { item, outputIndex: output.length, open: true };
      calls.push(call);
      callAt.set(delta.index, call);
      output.push(item);
      yield event('response.output_item.added', { output_index: call.outputIndex, item: { ...item } });
    } else if (delta.function?.name && call.item.name === '') {
      call.item.name = delta.function.name;
    }
    const fragment = argumentsText(delta.function?.arguments);
    if (fragment) {
      call.item.arguments += fragment;
      yield event('response.function_call_arguments.delta', { item_id: call.item.id, output_index: call.outputIndex, delta: fragment });
    }
  }

  try {
    const first = await chunks.next();
    if (!first.done) model = first.value.model;
    const shell = responseShell(request, id, model, createdAt);
    yield event('response.created', { response: shell });
    yield event('response.in_progress', { response: shell });
    for (let next = first; !next.done; next = await chunks.next()) {
      const chunk = next.value;
      if (chunk.provider !== undefined) {
        usage = chunk.usage as Usage;
        provider = chunk.provider;
        route = chunk.route;
      }
      const choice = chunk.choices.find((entry) => entry.index === 0);
      if (!choice) continue;
      const delta = choice.delta;
      const thought = reasoningText(delta);
      if (thought !== undefined) yield* reason(thought);
      for (const piece of contentPieces(delta.content)) yield* piece.kind === 'text' ? text('output_text', piece.text) : reason(piece.text);
      if (typeof delta.refusal === 'string' && delta.refusal !== '') yield* text('refusal', delta.refusal);
      for (const call of delta.tool_calls ?? []) yield* toolCall(call);
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    // A chat stream that ends well ends with its usage chunk (the one with `provider`); one that
    // ends without it was closed by the caller (return() or throw() while this read was starting).
    if (provider === undefined) throw new AbortedError('The caller closed the stream before it completed.');
    const { status, incomplete_details } = finishStatus(finishReason);
    const itemStatus = status === 'incomplete' ? 'incomplete' : 'completed';
    // An answer with neither text nor calls is still one (empty) message, as in the JSON form.
    if (!output.some((item) => item.type !== 'reasoning')) yield* text('output_text', '');
    yield* closeReasoning();
    yield* closeMessage(itemStatus);
    yield* closeCalls(itemStatus);
    response = Object.assign(responseShell(request, id, model, createdAt), {
      status,
      incomplete_details,
      output,
      output_text: outputText(output),
      usage: usage ? responseUsage(usage) : null,
      ...(provider ? { provider } : {}),
      ...(route ? { route } : {}),
    });
    await options.onEnd(response);
    done = true;
    yield event(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  } catch (thrown) {
    const error = RouterError.isInstance(thrown) ? thrown : new RouterError(`internal error: ${String(thrown)}`, { code: 'upstream_error', status: 500, cause: thrown });
    // The caller's own abort ends its read with the abort, as a chat stream does; nobody waits for events.
    if (done || error.code === 'aborted') throw error;
    const code = streamErrorCode(error);
    yield event('error', { code, message: error.message, param: null, error: { type: code, code, message: error.message, param: null } });
    const spent = options.counted?.() ?? usage;
    cutShort();
    const failed = Object.assign(responseShell(request, id, model, createdAt), {
      status: 'failed' as const,
      error: { code, message: error.message },
      output,
      output_text: outputText(output),
      usage: spent ? responseUsage(spent) : null,
      ...(error.route ? { route: error.route } : {}),
    });
    yield event('response.failed', { response: failed });
  } finally {
    await chunks.return?.();
  }
}
