/*
 * The bundle the scale benchmark loads: the public API, plus one way into the planner the
 * request path uses (`prepareChat` under an unfinished request record, so the plan is made as
 * a call makes it, in call mode, yet nothing is called and nothing is audited).
 */
import { prepareChat } from '../../src/router/chat-completions.js';
import { resolveRouterOptions, type RouterOptions } from '../../src/router/options.js';
import { RequestRecord } from '../../src/router/request-record.js';
import { createRouterContext } from '../../src/router/router-context.js';
import type { ChatCompletionCreateParams } from '../../src/wire/chat-request.js';

export { createRouter, memoryAudit, openaiCompatible } from '../../src/index.js';

/** A planner over its own router context; `plan` returns how many candidates are eligible. */
export function benchPlanner(options: RouterOptions): (params: ChatCompletionCreateParams, apiKey?: string) => number {
  const context = createRouterContext(resolveRouterOptions(options));
  return (params, apiKey) => {
    const record = new RequestRecord(context, 'chat.completions', false, params.model);
    const { plan } = prepareChat(context, params, apiKey, record);
    // A call that ranked only its first few candidates keeps the eligible ones in `judged`.
    const judged = (plan as { judged?: { eligible: readonly unknown[] } }).judged;
    return judged ? judged.eligible.length : plan.ranked.length;
  };
}
