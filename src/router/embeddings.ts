import { admitKey } from '../budgets/key-admission.js';
import { RouterError } from '../errors.js';
import { raisedByTheLibrary } from '../providers/upstream-error.js';
import { validateRequest } from '../internal/validate.js';
import { assertRequestBody } from '../wire/request-limits.js';
import { parseModel } from '../models/parse-model.js';
import { priceUsage } from '../pricing/cost.js';
import { estimateTextTokens } from '../pricing/tokens.js';
import { pseudoEmbed } from '../providers/pseudo/lazy-pseudo-llm.js';
import { inRequestedEncoding } from '../wire/embedding-encoding.js';
import { assertEmbeddingsAnswer, embeddingInputCount, inInputOrder, vectorOfOtherSize } from '../wire/embeddings-answer.js';
import {
  embeddingsRequestSchema,
  type EmbeddingCreateParams,
  type EmbeddingsRequest,
  type EmbeddingsResponse,
  type UpstreamEmbeddingsResponse,
} from '../wire/embeddings.js';
import { requestedModel, type IncomingRequestOptions } from './chat-completions.js';
import { assertSimulateAllowed, executeOneShot } from './execute-one-shot.js';
import { assertRoutable, planRoute, type RequestNeeds } from './plan.js';
import { asRouterError, identifyCaller, RequestRecord } from './request-record.js';
import type { RouterContext } from './router-context.js';

function inputTokens(input: EmbeddingsRequest['input']): number {
  if (typeof input === 'string') return estimateTextTokens(input);
  let tokens = 0;
  for (const item of input) tokens += typeof item === 'string' ? estimateTextTokens(item) : Array.isArray(item) ? item.length : 1;
  return tokens;
}

/**
 * Vectors of another size than `dimensions` are unfit for the index they were asked for. The
 * deployment answered but ignores `dimensions`: asking it again would not help, and its health is
 * not in question (as for the library's own failures), so the next deployment is tried at once.
 */
function assertDimensions(providerId: string, response: UpstreamEmbeddingsResponse, dimensions: number): void {
  const other = vectorOfOtherSize(response, dimensions);
  if (other === undefined) return;
  throw raisedByTheLibrary(
    new RouterError(
      `${providerId} returned a vector of ${other.size} dimensions for dimensions: ${dimensions} (data[${other.position}]); it does not honour dimensions, so omit it or route the request elsewhere (route: { ignore: ['${providerId}'] })`,
      { code: 'upstream_error', providerId },
    ),
  );
}

/** `POST /v1/embeddings`, routed under the same policy as chat. */
export async function createEmbeddings(
  context: RouterContext,
  params: EmbeddingCreateParams,
  options: IncomingRequestOptions = {},
): Promise<EmbeddingsResponse> {
  if (context.observerReady) await context.observerReady;
  const record = new RequestRecord(context, 'embeddings', false, requestedModel(params, context.options.limits.maxModelLength), options.trace);
  try {
    const caller = identifyCaller(context, options.apiKey, record);
    assertRequestBody(params, context.options.limits, 'input');
    const request = validateRequest(embeddingsRequestSchema, params);
    assertSimulateAllowed(request, caller);
    record.captured(typeof request.input === 'string' ? [request.input] : request.input);
    const promptTokens = inputTokens(request.input);
    const needs: RequestNeeds = { capabilities: ['embeddings'], promptTokens, completionTokens: 0, contextTokens: 0 };
    const plan = planRoute(context, caller, request.model, parseModel(request.model, context.vocabulary), needs, request.route);
    record.planned(plan);
    assertRoutable(plan, context);
    // Only a key with limits waits on anything: routing stays synchronous up to the first attempt otherwise.
    if (caller.rates !== undefined || caller.budget !== undefined) await admitKey(context, caller, record, plan, promptTokens);
    const inputs = embeddingInputCount(request.input);
    const execution = await executeOneShot(context, plan, caller, record, request, options.signal, {
      method: 'doEmbed',
      pseudo: async (body, pseudoOptions) => ({ response: await pseudoEmbed(body, pseudoOptions) }),
      check: (provider, body) => provider.checkEmbed?.(body),
      // A vector missing, repeated, not made of numbers or not of the dimensions asked for fails the attempt: the next deployment is tried.
      real: (provider, body, call) =>
        provider.doEmbed?.(body, call).then((result) => {
          assertEmbeddingsAnswer(provider.id, inputs, result.response);
          if (request.dimensions !== undefined) assertDimensions(provider.id, result.response, request.dimensions);
          return result;
        }),
    });
    const response = inRequestedEncoding(inInputOrder(execution.value.response), request.encoding_format);
    const reported = response.usage
      ? { prompt_tokens: response.usage.prompt_tokens, completion_tokens: 0, total_tokens: response.usage.total_tokens }
      : undefined;
    const usage = priceUsage(reported, execution.candidate, { promptTokens, completionTokens: 0 }, context.currency);
    record.succeed(execution.candidate, usage, undefined, { model: response.model });
    const { completion_tokens: _none, ...embeddingUsage } = usage;
    return record.onceQueued({ ...response, usage: embeddingUsage, provider: execution.candidate.provider.id, route: record.route(execution.candidate) });
  } catch (error) {
    throw await record.onceQueued(record.fail(asRouterError(error)));
  }
}
