import { InvalidRequestError, RouterError } from '../errors.js';
import type { PseudoCallOptions } from '../providers/pseudo/pseudo-llm.js';
import type { CallOptions, Provider } from '../providers/types.js';
import { serializeRequest } from '../providers/upstream-error.js';
import { executeOptions } from './chat-completions.js';
import { execute, type Execution } from './execute.js';
import type { Plan } from './plan.js';
import type { RequestRecord } from './request-record.js';
import type { Caller, RouterContext } from './router-context.js';

/** How one non-streaming endpoint reaches the pseudo-LLM (test keys) or a provider. */
export interface OneShotEndpoint<Body extends { model: string }, T> {
  /** The provider method, named in the error when a provider lists a model but lacks it. */
  method: 'doEmbed' | 'doComplete';
  pseudo(body: Body, options: PseudoCallOptions): Promise<T>;
  /**
   * The provider's translation without sending (`checkEmbed`), run before the pseudo-LLM for a
   * test key: what the deployment would refuse before sending is refused alike.
   */
  check?(provider: Provider, body: Body): void;
  /** The provider's call, or undefined when the provider does not implement `method`. */
  real(provider: Provider, body: Body, options: CallOptions): Promise<T> | undefined;
}

/**
 * Executes a planned non-streaming call (embeddings, legacy completions): each attempt sends
 * the request with the candidate's own model id, to the pseudo-LLM for a test key.
 */
export async function executeOneShot<Body extends { model: string }, T>(
  context: RouterContext,
  plan: Plan,
  caller: Caller,
  record: RequestRecord,
  request: Body,
  signal: AbortSignal | undefined,
  endpoint: OneShotEndpoint<Body, T>,
): Promise<Execution<T>> {
  const execution = await execute(
    context,
    plan.ranked,
    (candidate, attemptSignal, attempt, headers) => {
      const body = { ...request, model: candidate.native };
      if (caller.simulated) {
        // What a real key's attempt meets before sending (see simulatedChat): the translation, then the body as JSON.
        endpoint.check?.(candidate.provider, body);
        serializeRequest(candidate.provider.id, body);
        return endpoint.pseudo(body, { model: candidate.native, attempt, signal: attemptSignal, limits: context.options.limits.simulation });
      }
      const pending = endpoint.real(candidate.provider, body, { signal: attemptSignal, headers });
      if (pending === undefined) {
        throw new RouterError(`provider ${candidate.provider.id} lists model ${candidate.model} but implements no ${endpoint.method}`, {
          code: 'upstream_error',
          providerId: candidate.provider.id,
        });
      }
      return pending;
    },
    executeOptions(plan, caller, record, signal),
  );
  execution.release();
  return execution;
}

/** `simulate` drives the pseudo-LLM; with a real key it would be silently meaningless, so it is refused. */
export function assertSimulateAllowed(request: { simulate?: unknown }, caller: Caller): void {
  if (request.simulate !== undefined && !caller.simulated) {
    throw new InvalidRequestError('simulate is honoured only with a test- API key; remove it for real calls', 'simulate');
  }
}
