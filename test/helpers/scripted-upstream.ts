/*
 * A fake OpenAI-compatible upstream, one per provider, given as that provider's `fetch`: it
 * records every outbound call and answers each according to a script of outcomes (then
 * succeeds once the script is used up). A long run of failures stands in for a provider whose
 * circuit would be open.
 */

export type Outcome =
  | 'ok'
  | 'server-error'
  | 'rate-limit' // 429 with Retry-After: 0, retried at once
  | 'rate-limit-long' // 429 with a Retry-After beyond the router's cap: fall back
  | 'bad-request'
  | 'unauthorized'
  | 'reset' // the connection fails
  | 'timeout' // never answers; the router's per-attempt deadline aborts it
  | 'stream-cut'; // a stream that breaks after its first chunk (a 500 for other calls)

export interface OutboundCall {
  provider: string;
  url: string;
}

const encoder = new TextEncoder();
const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };

function chunk(model: string, delta: Record<string, unknown>, finish: string | null) {
  return { id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] };
}

function sse(events: unknown[], breakAfter?: number): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      events.forEach((event, index) => {
        if (breakAfter !== undefined && index >= breakAfter) return;
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(event)}\n\n`));
      });
      if (breakAfter !== undefined) controller.error(new TypeError('terminated'));
      else {
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        controller.close();
      }
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

function answer(url: string, body: { model: string; stream?: boolean }, cut: boolean): Response {
  const model = body.model;
  if (url.endsWith('/chat/completions') && body.stream === true) {
    const events = [chunk(model, { role: 'assistant', content: 'Hi' }, null), chunk(model, {}, 'stop'), { ...chunk(model, {}, null), choices: [], usage }];
    return sse(events, cut ? 1 : undefined);
  }
  if (cut) return Response.json({ error: { message: 'stream cut' } }, { status: 500 });
  if (url.endsWith('/chat/completions')) {
    return Response.json({
      id: 'chatcmpl-s',
      object: 'chat.completion',
      created: 1,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage,
    });
  }
  if (url.endsWith('/completions')) {
    return Response.json({ id: 'cmpl-s', object: 'text_completion', created: 1, model, choices: [{ text: ' hi', index: 0, logprobs: null, finish_reason: 'stop' }], usage });
  }
  return Response.json({ object: 'list', model, data: [{ object: 'embedding', index: 0, embedding: [1, 0] }], usage });
}

/** A fetch for one provider that records each call in `calls` and plays `script`. */
export function scriptedFetch(provider: string, script: readonly Outcome[], calls: OutboundCall[]): typeof globalThis.fetch {
  let next = 0;
  return async (input, init) => {
    const url = String(input);
    calls.push({ provider, url });
    const outcome = script[next++] ?? 'ok';
    const signal = init?.signal ?? undefined;
    switch (outcome) {
      case 'ok':
      case 'stream-cut':
        return answer(url, JSON.parse(String(init?.body)) as { model: string; stream?: boolean }, outcome === 'stream-cut');
      case 'server-error':
        return Response.json({ error: { message: 'internal error', type: 'server_error' } }, { status: 500 });
      case 'rate-limit':
        return Response.json({ error: { message: 'slow down' } }, { status: 429, headers: { 'retry-after': '0' } });
      case 'rate-limit-long':
        return Response.json({ error: { message: 'slow down' } }, { status: 429, headers: { 'retry-after': '3600' } });
      case 'bad-request':
        return Response.json({ error: { message: 'unsupported parameter', type: 'invalid_request_error' } }, { status: 400 });
      case 'unauthorized':
        return Response.json({ error: { message: 'invalid key', code: 'invalid_api_key' } }, { status: 401 });
      case 'reset':
        throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
      case 'timeout':
        return new Promise<Response>((_resolve, reject) => {
          if (signal === undefined || signal.aborted) reject(signal?.reason ?? new Error('no deadline'));
          else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
    }
  };
}
