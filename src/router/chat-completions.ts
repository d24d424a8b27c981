import { admitKey } from '../budgets/key-admission.js';
import { completionOf } from '../audit/audit-content.js';
import type { Candidate } from '../catalog/candidate.js';
import { InvalidRequestError, RouterError } from '../errors.js';
import { validateShape } from '../internal/validate-shape.js';
import { parseModel, type RouteSpec } from '../models/parse-model.js';
import { priceUsage } from '../pricing/cost.js';
import { answerLength, estimatePromptTokens, reasoningLength, toolCallLength } from '../pricing/tokens.js';
import { pseudoChat, pseudoChatStream } from '../providers/pseudo/lazy-pseudo-llm.js';
import type { PseudoCallOptions } from '../providers/pseudo/pseudo-llm.js';
import type { Capability } from '../providers/types.js';
import { serializeRequest } from '../providers/upstream-error.js';
import { ChatCompletionStream } from '../streaming/chat-completion-stream.js';
import type { ChatCompletionCreateParams, ChatRequest } from '../wire/chat-request.js';
import { chatRequestShape } from '../wire/chat-request-shape.js';
import { assertNestingDepth } from '../wire/nesting-depth.js';
import { assertRequestLimits } from '../wire/request-limits.js';
import { parseSimpleChatRequest, simpleRequestDepth } from '../wire/simple-chat-request.js';
import { assertToolChoice } from '../wire/tool-choice.js';
import type { ChatCompletion, UpstreamChatCompletionChunk } from '../wire/chat-response.js';
import { execute, type ExecuteOptions } from './execute.js';
import { assertSimulateAllowed } from './execute-one-shot.js';
import { assertRoutable, planRoute, type Plan, type RequestNeeds } from './plan.js';
import { asRouterError, identifyCaller, RequestRecord } from './request-record.js';
import type { Caller, RouterContext } from './router-context.js';
import { StreamController } from './stream-controller.js';
import { readOpening } from './stream-opening.js';
import { relayStream } from './stream-relay.js';
import type { IncomingTraceContext } from './trace-context.js';

/** Per-call options of the in-process API. */
export interface RequestOptions {
  /** Aborts the call, and the upstream request with it. */
  signal?: AbortSignal | undefined;
  /** The key for this call instead of the router's `apiKey` (scoped keys, test keys). */
  apiKey?: string | undefined;
}

/**
 * The options of a call `router.fetch` received: the public ones and the W3C trace context the
 * request was sent with, which its request span continues. Not public: an in-process call runs
 * under the active context.
 */
export interface IncomingRequestOptions extends RequestOptions {
  trace?: IncomingTraceContext | undefined;
}

/** Completion tokens assumed for cost ranking when the request sets no maximum, before any answer is seen. */
const expectedCompletionTokens = 256;

export function chatNeeds(request: ChatRequest): RequestNeeds {
  const capabilities: Capability[] = ['chat'];
  // The legacy `functions` (passed through upstream) are tools too: they need tool calling and are read as prompt.
  const { functions } = request as { functions?: unknown };
  const legacy = Array.isArray(functions) && functions.length > 0 ? (functions as unknown[]) : undefined;
  const tools = legacy === undefined ? request.tools : [...(request.tools ?? []), ...legacy];
  if (tools && tools.length > 0) capabilities.push('tools');
  if (request.messages.some((message) => Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url'))) {
    capabilities.push('vision');
  }
  if (request.response_format && request.response_format.type !== 'text') capabilities.push('json');
  const promptTokens = estimatePromptTokens(request.messages, tools);
  const maxOutput = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const choices = request.n ?? 1;
  const priorTokens = Math.min(maxOutput ?? expectedCompletionTokens, 4 * expectedCompletionTokens);
  return {
    capabilities,
    promptTokens,
    completionTokens: priorTokens * choices,
    contextTokens: promptTokens + (maxOutput ?? 0),
    stream: request.stream === true,
    // Answers are learned from: the prior above only until the deployments have answered.
    completion: { cap: maxOutput, choices, priorTokens },
  };
}

/**
 * What the request needs. Estimating its size serialises parts of it (tool schemas): a part that
 * cannot be serialised (a cycle, a BigInt passed in-process) is the request's fault, not ours.
 */
function requestNeeds(request: ChatRequest): RequestNeeds {
  try {
    return chatNeeds(request);
  } catch (error) {
    if (RouterError.isInstance(error)) throw error;
    throw new InvalidRequestError(`the request cannot be read: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}`, null, error);
  }
}

/**
 * The checked copy of the caller's request. A request that cannot be read (a getter or a Proxy
 * trap that throws, from an in-process caller) is the request's fault, as in requestNeeds.
 */
function checkedRequest(params: ChatCompletionCreateParams, limits: RouterContext['options']['limits']): ChatRequest {
  try {
    assertRequestLimits(params, limits, 'messages');
    const simple = parseSimpleChatRequest(params);
    // A request the fast path accepted is flat: it needs no walk unless the limit is lower still.
    if (simple === undefined || limits.maxDepth < simpleRequestDepth) assertNestingDepth(params, limits.maxDepth);
    if (simple !== undefined) return simple;
    // The common request has no tools and no tool choice: only the full check's can name a missing tool.
    const request = validateShape<ChatRequest>(chatRequestShape, params);
    assertToolChoice(request);
    return request;
  } catch (error) {
    if (RouterError.isInstance(error)) throw error;
    throw new InvalidRequestError(`the request cannot be read: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}`, null, error);
  }
}

/** Validates, identifies the caller and plans; shared by `create` and `explain`. */
export function prepareChat(
  context: RouterContext,
  params: ChatCompletionCreateParams,
  apiKey: string | undefined,
  record?: RequestRecord,
): { request: ChatRequest; caller: Caller; spec: RouteSpec; plan: Plan; needs: RequestNeeds } {
  const caller = identifyCaller(context, apiKey, record);
  const request = checkedRequest(params, context.options.limits);
  record?.captured(request.messages);
  record?.validated(request);
  assertSimulateAllowed(request, caller);
  const spec = parseModel(request.model, context.vocabulary);
  const needs = requestNeeds(request);
  const plan = planRoute(context, caller, request.model, spec, needs, request.route, record ? 'call' : 'explain');
  record?.planned(plan);
  return { request, caller, spec, plan, needs };
}

/**
 * The request as an upstream (or the pseudo-LLM) sees it: its own model id. Extensions are
 * stripped by adapters. The request is already the router's own copy of the caller's body (the
 * validators build it) and adapters do not change it: when the model id is the same, it is
 * passed as it is rather than copied again.
 */
function forCandidate(request: ChatRequest, candidate: Candidate): ChatRequest {
  return request.model === candidate.native ? request : { ...request, model: candidate.native };
}

/*
 * A test key's attempt: the request meets first what a real key's attempt meets before sending,
 * so it is refused with the same error and ends or continues the walk as it would with a real
 * key; then the pseudo-LLM answers. That is the simulated deployment's translation (checkChat,
 * which sends nothing), then the request written as JSON, as every adapter writes its body: a
 * value JSON cannot write (a BigInt passed in-process) is the request's 400, not an upstream
 * failure of the pseudo-LLM.
 */
function checkSimulated(candidate: Candidate, request: ChatRequest): void {
  candidate.provider.checkChat?.(request);
  serializeRequest(candidate.provider.id, request);
}

async function simulatedChat(candidate: Candidate, request: ChatRequest, options: PseudoCallOptions) {
  checkSimulated(candidate, request);
  return pseudoChat(request, options);
}

async function simulatedChatStream(candidate: Candidate, request: ChatRequest, options: PseudoCallOptions) {
  checkSimulated(candidate, request);
  return pseudoChatStream(request, options);
}

export async function createChatCompletion(
  context: RouterContext,
  params: ChatCompletionCreateParams,
  options: IncomingRequestOptions = {},
): Promise<ChatCompletion | ChatCompletionStream> {
  if (context.observerReady) await context.observerReady;
  const record = new RequestRecord(context, 'chat.completions', params?.stream === true, requestedModel(params, context.options.limits.maxModelLength), options.trace);
  return runChatCompletion(context, record, params, options);
}

/**
 * Routes and runs a chat request under a record the caller made: the shared path of
 * `chat.completions` and of the endpoints translated to chat (`responses`), which keep their
 * own endpoint in the audit record.
 */
export async function runChatCompletion(
  context: RouterContext,
  record: RequestRecord,
  params: ChatCompletionCreateParams,
  options: RequestOptions = {},
  refusal: (error: RouterError) => RouterError = (error) => error,
): Promise<ChatCompletion | ChatCompletionStream> {
  const stream = params?.stream === true;
  try {
    const { request, caller, plan, needs } = prepareChat(context, params, options.apiKey, record);
    const { simulation } = context.options.limits;
    assertRoutable(plan, context);
    // Only a key with limits waits on anything: routing stays synchronous up to the first attempt otherwise.
    if (caller.rates !== undefined || caller.budget !== undefined) await admitKey(context, caller, record, plan, needs.promptTokens + needs.completionTokens, needs);
    if (stream) return await startStream(context, request, caller, plan, needs, record, options.signal);

    const execution = await execute(
      context,
      plan.ranked,
      (candidate, signal, attempt, headers) =>
        caller.simulated
          ? simulatedChat(candidate, forCandidate(request, candidate), { model: candidate.native, attempt, signal, limits: simulation }).then((completion) => ({ completion }))
          : candidate.provider.doChat(forCandidate(request, candidate), { signal, headers }),
      executeOptions(plan, caller, record, options.signal),
    );
    execution.release();
    const { completion } = execution.value;
    typeToolCalls(completion.choices);
    const usage = priceUsage(
      completion.usage,
      execution.candidate,
      { promptTokens: needs.promptTokens, completionTokens: estimateCompletion(completion.choices) },
      context.currency,
    );
    record.succeed(execution.candidate, usage, () => completionOf(completion.choices), {
      id: completion.id,
      model: completion.model,
      finishReasons: finishReasonsOf(completion.choices),
    });
    // The upstream's completion was parsed for this call alone: completed in place rather than
    // copied (a spread plus new keys costs ~3 µs on Node 20).
    return record.onceQueued(Object.assign(completion, { usage, provider: execution.candidate.provider.id, route: record.route(execution.candidate) }) as ChatCompletion);
  } catch (error) {
    throw await record.onceQueued(record.fail(refusal(asRouterError(error))));
  }
}

async function startStream(
  context: RouterContext,
  request: ChatRequest,
  caller: Caller,
  plan: Plan,
  needs: RequestNeeds,
  record: RequestRecord,
  callerSignal: AbortSignal | undefined,
): Promise<ChatCompletionStream> {
  // The stream's controller aborts the upstream, like the caller's own signal. The caller gets it
  // with the stream, after the commit: until then only the caller's signal can abort the attempts.
  const controller = new StreamController();
  const { simulation } = context.options.limits;
  const execution = await execute(
    context,
    plan.ranked,
    async (candidate, attemptSignal, attempt, headers) => {
      const { chunks } = caller.simulated
        ? { chunks: await simulatedChatStream(candidate, forCandidate(request, candidate), { model: candidate.native, attempt, signal: attemptSignal, limits: simulation }) }
        : await candidate.provider.doChatStream(forCandidate(request, candidate), { signal: attemptSignal, headers });
      // Fallback stays possible until a chunk reaches the caller: read up to the first chunk of
      // substance inside the attempt (its time is the attempt's latency, time to first token).
      const iterator = chunks[Symbol.asyncIterator]();
      return { iterator, ...(await readOpening(iterator, candidate.provider.id)) };
    },
    executeOptions(plan, caller, record, callerSignal, true),
  );
  execution.commit();
  record.committed();
  controller.whenAborted((reason) => execution.abort(reason));
  const relay = relayStream({
    context,
    record,
    execution,
    read: execution.value.read,
    usage: execution.value.usage,
    rest: execution.value.iterator,
    includeUsage: request.stream_options?.include_usage === true,
    promptTokens: needs.promptTokens,
    controller,
  });
  return new ChatCompletionStream(relay, controller, record.id);
}

/** How a planned request executes: its per-attempt timeout, the caller's signal, whether health is tracked. */
export function executeOptions(plan: Plan, caller: Caller, record: RequestRecord, signal: AbortSignal | undefined, stream = false): ExecuteOptions {
  return {
    latencyKind: stream ? 'ttft' : 'answer',
    record,
    signal,
    attemptTimeoutMs: plan.attemptTimeoutMs,
    trackHealth: !caller.simulated,
    requested: plan.requested,
    policy: plan.policy,
    tokens: plan.tokens,
  };
}

/**
 * The model string as sent, for the record, even when the body is invalid; one longer than
 * `maxLength` (refused) is cut there, so a refused request cannot grow every audit record.
 */
export function requestedModel(params: unknown, maxLength: number): string | null {
  const model = (params as { model?: unknown } | null)?.model;
  if (typeof model !== 'string') return null;
  return model.length > maxLength ? `${model.slice(0, maxLength)}…` : model;
}

/** Each choice's finish reason in choice order, as the recorded answers are (an upstream may list choices out of order). */
function finishReasonsOf(choices: ChatCompletion['choices']): string[] {
  const ordered = choices.length === 1 ? choices : [...choices].sort((a, b) => a.index - b.index);
  return ordered.map((choice) => choice.finish_reason ?? 'unknown');
}

/**
 * Gives a function call without `type` (Mistral AI sends none) `type: 'function'`, as OpenAI
 * sends it: clients tell function calls from custom tools' calls by it (the openai SDK's types
 * make `type` the union's tag), and would skip such a call.
 */
function typeToolCalls(choices: ChatCompletion['choices']): void {
  for (const choice of choices) {
    const calls = choice.message?.tool_calls;
    if (calls === undefined || calls === null) continue;
    for (const call of calls) if (call.type == null && call.function !== undefined) call.type = 'function';
  }
}

/** Completion tokens from the answer's text and reasoning, for upstreams that report no usage. */
function estimateCompletion(choices: ChatCompletion['choices']): number {
  let characters = 0;
  for (const choice of choices) {
    characters += answerLength(choice.message.content);
    characters += reasoningLength(choice.message);
    for (const call of choice.message.tool_calls ?? []) characters += toolCallLength(call);
  }
  return Math.ceil(characters / 4);
}

export type { UpstreamChatCompletionChunk };
