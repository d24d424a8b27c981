import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The benchmark's upstream, run in its own process: a fixed `chat.completion` for JSON requests
 * and an N-chunk SSE stream (plus a usage event and [DONE]) for `stream: true`. Prints its port.
 */

const chunkCount = Number(process.argv[2] ?? 100);

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
const events = [chunk({ role: 'assistant', content: '' })];
for (let index = 0; index < chunkCount - 2; index++) events.push(chunk({ content: `token${index} ` }));
events.push(chunk({}, 'stop'));
events.push(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'bench-model', choices: [], usage: { prompt_tokens: 42, completion_tokens: chunkCount, total_tokens: 42 + chunkCount } })}\n\n`);
events.push('data: [DONE]\n\n');
const stream = events.join('');

const server = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (part: string) => (body += part));
  request.on('end', () => {
    if (body.includes('"stream":true')) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.end(stream);
    } else {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion) });
      response.end(completion);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('disconnect', () => process.exit(0));
