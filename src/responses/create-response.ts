import { InvalidRequestError } from '../errors.js';
import { validateRequest } from '../internal/validate.js';
import { requestedModel, runChatCompletion, type IncomingRequestOptions } from '../router/chat-completions.js';
import { asRouterError, identifyCaller, RequestRecord } from '../router/request-record.js';
import type { RouterContext } from '../router/router-context.js';
import { ChatCompletionStream } from '../streaming/chat-completion-stream.js';
import type { ChatCompletion } from '../wire/chat-response.js';
import { assertRequestBody } from '../wire/request-limits.js';
import { resolveInput } from './resolve-input.js';
import { newId } from './response-shell.js';
import { storeFailure, type ResponseStore, type StoredResponse } from './response-store.js';
import { ResponseStream } from './response-stream.js';
import type { StoreWrites } from './store-writes.js';
import { responsesRefusal, toChatRequest } from './translate-request.js';
import { toResponse } from './translate-response.js';
import { translateStream } from './translate-stream.js';
import { responseRequestSchema, type ResponseCreateParams, type ResponseItem, type ResponseObject, type ResponseRequest } from './wire.js';

/**
 * `POST /v1/responses`: the request is translated to a chat request and takes the chat path
 * (policy, routing, fallback, pricing, test keys) under a record whose endpoint is `responses`;
 * the answer is translated back. Unless the request sets `store: false`, its own items (input and
 * output) are kept with a link to the response it continues, so later requests can continue it.
 */
export async function createResponse(
  context: RouterContext,
  store: ResponseStore | undefined,
  writes: StoreWrites,
  params: ResponseCreateParams,
  options: IncomingRequestOptions = {},
): Promise<ResponseObject | ResponseStream> {
  const stream = params?.stream === true;
  if (context.observerReady) await context.observerReady;
  const record = new RequestRecord(context, 'responses', stream, requestedModel(params, context.options.limits.maxModelLength), options.trace);
  try {
    const caller = identifyCaller(context, options.apiKey, record);
    const limits = context.options.limits;
    // The sizes the caller controls, on the request as received: before the schema walks it.
    assertRequestBody(params, limits, 'input');
    const request = validateRequest(responseRequestSchema, params);
    const { history, input, keepWhole } = await resolveInput(request, store, caller.keyId, limits.maxConversationTurns);
    const origins: string[] = [];
    const chat = toChatRequest(request, history, input, origins);
    // A continued conversation grows with every response: counted here, and named by what the
    // caller sent (the chat path would name `messages`, a field this request does not have).
    if (chat.messages.length > limits.maxMessages) {
      const continued = history.length > 0;
      throw new InvalidRequestError(
        `the input makes ${chat.messages.length} messages${continued ? ' with the conversation it continues' : ''}; the limit is ${limits.maxMessages} (limits.maxMessages)`,
        continued ? 'previous_response_id' : 'input',
      );
    }
    const id = newId('resp');
    const createdAt = Math.floor(Date.now() / 1000);
    const keep = store && request.store !== false ? store : undefined;
    // The response echoes whether it is kept: not when the router keeps none (responses.store: false).
    const echoed = keep || request.store === false ? request : { ...request, store: false };
    const previous = request.previous_response_id;
    // The conversation before it stays where it is: this turn links to it rather than repeat it,
    // except at a checkpoint (resolveInput's keepWhole), when it is kept whole and the links stop.
    // What is kept is a copy (as JSON: what any store keeps): in-process, the input's items and the
    // response are the caller's objects, and its later edits to them must not change a conversation
    // continued later. The input is copied now, as a stream's caller may edit it before the answer ends.
    const keptInput = keep ? copied(keepWhole ? [...history, ...input] : input) : [];
    // The answer is generated and paid for: a response that cannot be kept (a shared store that
    // is down, a router closing) loses its continuation, not the answer. It says so (store: false).
    const save = async (response: ResponseObject) => {
      if (!keep) return;
      const stored: StoredResponse = {
        id,
        owner: caller.keyId,
        ...(typeof previous === 'string' && !keepWhole ? { previousResponseId: previous } : {}),
        input: keptInput,
        output: copied(response.output as unknown as ResponseItem[]),
        createdAt: Date.now(),
      };
      const outcome = await writes.keep(() => keep.set(stored));
      if (outcome.kind === 'kept') return;
      response.store = false;
      const which = `response ${id} (audit record ${record.id})`;
      if (outcome.kind === 'closed') context.logger.warn(`responses: ${which} completed after router.close() was called, so it was not kept; it says store: false`);
      else if (outcome.kind === 'abandoned') context.logger.error(`responses: the store did not finish keeping ${which} within audit.drainTimeoutMs of router.close(), so it says store: false`);
      else context.logger.error(`responses: the store could not keep ${which}, so previous_response_id cannot continue it: ${storeFailure(outcome.error)}`);
    };
    // The chat path's refusals name chat fields: renamed to what this request sent.
    const result = await runChatCompletion(context, record, chat, options, (error) => responsesRefusal(error, request, chat, origins));
    if (result instanceof ChatCompletionStream) {
      const chunks = result[Symbol.asyncIterator]();
      const events = translateStream(chunks, { request: echoed, id, createdAt, onEnd: save, counted: () => record.usage });
      return new ResponseStream(events, result.controller, result.requestId, id, chunks);
    }
    const response = toResponse(echoed, id, createdAt, result as ChatCompletion);
    await save(response);
    return response;
  } catch (error) {
    throw record.fail(asRouterError(error));
  }
}

/**
 * A deep copy of items as JSON carries them: what a shared store keeps (a function-valued field
 * is left out). Items JSON cannot write (a BigInt passed in-process) are the request's 400, as
 * the chat path would answer them, not a failure of the router.
 */
function copied(items: readonly ResponseItem[]): ResponseItem[] {
  let text: string;
  try {
    text = JSON.stringify(items);
  } catch (error) {
    throw new InvalidRequestError(`the input cannot be written as JSON: ${error instanceof Error ? error.message : String(error)}`, 'input', error);
  }
  return JSON.parse(text) as ResponseItem[];
}

export type { ResponseRequest };
