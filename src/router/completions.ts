import { admitKey } from '../budgets/key-admission.js';
import { InvalidRequestError } from '../errors.js';
import { validateRequest } from '../internal/validate.js';
import { assertRequestBody } from '../wire/request-limits.js';
import { parseModel } from '../models/parse-model.js';
import { priceUsage } from '../pricing/cost.js';
import { estimateTextTokens } from '../pricing/tokens.js';
import { pseudoComplete } from '../providers/pseudo/lazy-pseudo-llm.js';
import {
  completionRequestSchema,
  defaultCompletionMaxTokens,
  type Completion,
  type CompletionChoice,
  type CompletionCreateParams,
  type CompletionRequest,
} from '../wire/completions.js';
import { requestedModel, type IncomingRequestOptions } from './chat-completions.js';
import { assertSimulateAllowed, executeOneShot } from './execute-one-shot.js';
import { assertRoutable, planRoute, type RequestNeeds } from './plan.js';
import { asRouterError, identifyCaller, RequestRecord } from './request-record.js';
import type { RouterContext } from './router-context.js';

function promptTokens(prompt: CompletionRequest['prompt']): number {
  if (typeof prompt === 'string') return estimateTextTokens(prompt);
  let tokens = 0;
  for (const item of prompt) tokens += typeof item === 'string' ? estimateTextTokens(item) : Array.isArray(item) ? item.length : 1;
  return tokens;
}

function completionNeeds(request: CompletionRequest): RequestNeeds {
  const prompt = promptTokens(request.prompt);
  const maxTokens = request.max_tokens ?? defaultCompletionMaxTokens;
  const prompts = typeof request.prompt === 'string' || request.prompt.every((item) => typeof item === 'number') ? 1 : request.prompt.length;
  return {
    capabilities: ['completions'],
    promptTokens: prompt,
    // `best_of` completions are generated (and billed) per prompt, `n` of them returned.
    completionTokens: maxTokens * Math.max(request.n ?? 1, request.best_of ?? 1) * prompts,
    contextTokens: prompt + maxTokens,
  };
}

/**
 * Completion tokens from the choices' text, for upstreams that report no usage. With `echo`, a
 * choice's text starts with its prompt (choice i answers prompt ⌊i / n⌋), which was read, not written.
 */
function estimateWritten(request: CompletionRequest, choices: readonly CompletionChoice[]): number {
  const prompts: readonly (string | number[])[] =
    typeof request.prompt === 'string' ? [request.prompt] : request.prompt.every((item) => typeof item === 'number') ? [request.prompt as number[]] : (request.prompt as (string | number[])[]);
  let tokens = 0;
  for (const choice of choices) {
    const prompt = request.echo === true ? prompts[Math.floor(choice.index / (request.n ?? 1))] : undefined;
    if (typeof prompt === 'string' && choice.text.startsWith(prompt)) tokens += estimateTextTokens(choice.text.slice(prompt.length));
    else tokens += Math.max(0, estimateTextTokens(choice.text) - (Array.isArray(prompt) ? prompt.length : 0));
  }
  return tokens;
}

/**
 * `POST /v1/completions` (legacy text completions), routed under the same policy as chat, to
 * deployments whose model has the `completions` capability. Non-streaming only.
 */
export async function createCompletion(
  context: RouterContext,
  params: CompletionCreateParams,
  options: IncomingRequestOptions = {},
): Promise<Completion> {
  if (context.observerReady) await context.observerReady;
  const record = new RequestRecord(context, 'completions', false, requestedModel(params, context.options.limits.maxModelLength), options.trace);
  try {
    const caller = identifyCaller(context, options.apiKey, record);
    assertRequestBody(params, context.options.limits, 'prompt');
    const request = validateRequest(completionRequestSchema, params);
    record.captured(typeof request.prompt === 'string' ? [request.prompt] : request.prompt);
    record.validated(request);
    if (request.stream === true) {
      throw new InvalidRequestError('stream is not supported for legacy completions; use chat.completions with stream: true', 'stream');
    }
    // OpenAI returns the n best of best_of: fewer candidates than answers is refused there, so here too.
    if (request.best_of != null && request.best_of < (request.n ?? 1)) {
      throw new InvalidRequestError(`best_of (${request.best_of}) must be at least n (${request.n ?? 1}): raise best_of or lower n`, 'best_of');
    }
    assertSimulateAllowed(request, caller);
    const needs = completionNeeds(request);
    const plan = planRoute(context, caller, request.model, parseModel(request.model, context.vocabulary), needs, request.route);
    record.planned(plan);
    assertRoutable(plan, context);
    // Only a key with limits waits on anything: routing stays synchronous up to the first attempt otherwise.
    if (caller.rates !== undefined || caller.budget !== undefined) await admitKey(context, caller, record, plan, needs.promptTokens + needs.completionTokens, needs);
    const execution = await executeOneShot(context, plan, caller, record, request, options.signal, {
      method: 'doComplete',
      pseudo: async (body, pseudoOptions) => ({ completion: await pseudoComplete(body, pseudoOptions) }),
      real: (provider, body, call) => provider.doComplete?.(body, call),
    });
    const { completion } = execution.value;
    const written = estimateWritten(request, completion.choices);
    const usage = priceUsage(completion.usage, execution.candidate, { promptTokens: needs.promptTokens, completionTokens: written }, context.currency);
    const choices = [...completion.choices].sort((a, b) => a.index - b.index);
    record.succeed(
      execution.candidate,
      usage,
      () => choices.map((choice) => ({ content: choice.text })),
      { id: completion.id, model: completion.model, finishReasons: choices.map((choice) => choice.finish_reason ?? 'unknown') },
    );
    return record.onceQueued({ ...completion, usage, provider: execution.candidate.provider.id, route: record.route(execution.candidate) });
  } catch (error) {
    throw await record.onceQueued(record.fail(asRouterError(error)));
  }
}
