import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attemptOutcome, completionDraw, promptTokens, type Market } from './market.js';

/*
 * One real node:http upstream on 127.0.0.1 per deployment of the market. Each reads the request
 * index from the prompt ("request #123"), draws its outcome from the market and answers after
 * the drawn time: a streamed completion, a 503, or a reset connection. Every attempt is logged,
 * so the benchmark counts what each deployment really received.
 */

export interface ServedAttempt {
  deployment: string;
  request: number;
  kind: 'ok' | '503' | 'reset';
  /** The simulated time this attempt took before its answer or failure. @unit milliseconds */
  delayMs: number;
}

export interface MarketServers {
  baseURL(name: string): string;
  /** Attempts in arrival order. */
  log: ServedAttempt[];
  close(): Promise<void>;
}

export async function startMarketServers(market: Market): Promise<MarketServers> {
  const log: ServedAttempt[] = [];
  const attempts = new Map<string, number>();
  const servers = new Map<string, { server: Server; port: number }>();
  for (const [index, spec] of market.deployments.entries()) {
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (part: string) => (body += part));
      request.on('end', () => {
        const requestIndex = Number(/request #(\d+)/.exec(body)?.[1] ?? -1);
        if (requestIndex < 0) {
          // The benchmark warming its connections: not a routed request.
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{}');
          return;
        }
        const key = `${spec.name}:${requestIndex}`;
        const attempt = attempts.get(key) ?? 0;
        attempts.set(key, attempt + 1);
        const outcome = attemptOutcome(market, index, spec, requestIndex, attempt);
        log.push({ deployment: spec.name, request: requestIndex, kind: outcome.kind, delayMs: outcome.delayMs });
        if (outcome.kind === '503') {
          response.writeHead(503, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { message: `${spec.name} is overloaded`, type: 'server_error', code: null } }));
          return;
        }
        setTimeout(() => {
          if (outcome.kind === 'reset') {
            request.socket.destroy();
            return;
          }
          const completion = completionDraw(market, requestIndex);
          const chunk = (delta: object, finish: string | null = null) =>
            `data: ${JSON.stringify({ id: `chatcmpl-${requestIndex}`, object: 'chat.completion.chunk', created: 1_700_000_000, model: 'model-a', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
          response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          response.end(
            chunk({ role: 'assistant', content: 'Answer ' }) +
              chunk({ content: `of ${completion} tokens.` }) +
              chunk({}, 'stop') +
              `data: ${JSON.stringify({ id: `chatcmpl-${requestIndex}`, object: 'chat.completion.chunk', created: 1_700_000_000, model: 'model-a', choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion } })}\n\n` +
              'data: [DONE]\n\n',
          );
        }, outcome.delayMs);
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.set(spec.name, { server, port: (server.address() as AddressInfo).port });
  }
  return {
    baseURL: (name) => `http://127.0.0.1:${servers.get(name)!.port}/v1`,
    log,
    async close() {
      for (const { server } of servers.values()) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
