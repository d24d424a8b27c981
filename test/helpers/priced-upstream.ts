import { localUpstream, type LocalUpstream } from './local-upstream.js';

/*
 * The fixture the budget and rate-limit tests share: a local upstream that answers every chat
 * call with one completion token (so a price of 1000 EUR per million makes each call 0.001
 * EUR), the request that asks for exactly that, and the facts of an EU deployment.
 */

/** `usage`: what the upstream reports instead (its prompt and cache counts), still one completion token. */
export function oneTokenUpstream(usage: Record<string, unknown> = { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 }): Promise<LocalUpstream> {
  return localUpstream((_body, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'c',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
        usage,
      }),
    ),
  );
}

export const oneTokenRequest = { model: 'm', max_tokens: 1, messages: [{ role: 'user' as const, content: 'hi' }] };

export const euJurisdiction = { operator: { name: 'Local SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
