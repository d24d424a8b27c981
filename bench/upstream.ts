import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The benchmark's upstream, run in its own process so that its work is not counted in the
 * client's CPU time: a fixed `chat.completion` for JSON requests, and for `stream: true` an
 * SSE stream of `max_tokens` chunks (default: the first argument, else 100), plus a usage event
 * and [DONE]. Prints its port.
 *
 * With `hold` as the second argument it holds every answer until the parent says `release`
 * (IPC): a JSON answer entirely, a stream after its role chunk and first token. The parent asks
 * `count` to learn how many answers are held; that is how bench/heap.ts knows every request is in
 * flight.
 */

const defaultChunks = Number(process.argv[2] ?? 100);
const hold = process.argv[3] === 'hold';

const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench-model',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'The agreement covers processing of customer data in the EU for the duration of the contract.', refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 42, completion_tokens: 18, total_tokens: 60 },
});

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;

/** The stream's first event, and the rest of it, for a given number of chunks (built once per count). */
const streams = new Map<number, [first: string, rest: string]>();
function streamOf(count: number): [first: string, rest: string] {
  let built = streams.get(count);
  if (!built) {
    const events: string[] = [];
    for (let index = 0; index < count - 2; index++) events.push(chunk({ content: `token${index} ` }));
    events.push(chunk({}, 'stop'));
    events.push(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'bench-model', choices: [], usage: { prompt_tokens: 42, completion_tokens: count, total_tokens: 42 + count } })}\n\n`);
    events.push('data: [DONE]\n\n');
    // A held stream stops after its role chunk and its first token: a router's stream commits
    // (and hands its first chunk over) only at its first token.
    built = [chunk({ role: 'assistant', content: '' }) + events.shift()!, events.join('')];
    streams.set(count, built);
  }
  return built;
}

let held: Array<() => void> = [];

function answer(body: string, response: ServerResponse) {
  if (body.includes('"stream":true')) {
    const count = Number(/"max_tokens":(\d+)/.exec(body)?.[1] ?? defaultChunks);
    const [first, rest] = streamOf(count);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (hold) {
      response.write(first);
      held.push(() => response.end(rest));
    } else response.end(first + rest);
    return;
  }
  const send = () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion) });
    response.end(completion);
  };
  if (hold) held.push(send);
  else send();
}

const server = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (part: string) => (body += part));
  request.on('end', () => answer(body, response));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('message', (message: string) => {
  if (message === 'count') process.send!({ held: held.length });
  else if (message === 'release') {
    const releasing = held;
    held = [];
    for (const release of releasing) release();
    process.send!({ released: releasing.length });
  }
});
process.on('disconnect', () => process.exit(0));
