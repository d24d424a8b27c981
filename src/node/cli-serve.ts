import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { strictestTier } from '../policy/tier.js';
import { createRouter } from '../router/create-router.js';
import { loadGatewayConfig, type GatewayConfig } from './config/load-config.js';
import { isLoopbackHost } from './edge-checks.js';
import { nonEmpty, parseCommand, UsageError, type CommandIo } from './cli-usage.js';
import { requestsHandled, serve } from './serve.js';
import { listenHostPattern } from './serve-options.js';

export const serveUsage = `Usage: sovroute serve --config <file> [--port <n>] [--host <address>]

  Runs the gateway: the OpenAI REST surface (/v1/chat/completions, /v1/responses,
  /v1/embeddings, /v1/completions, /v1/models) over the router the configuration file describes.

Options:
  --config <file>    sovroute.config.yaml, .json, .mjs or .ts (required)
  --port <n>         port to listen on, 0 for a free one (default: the file's serve.port, or 8787)
  --host <address>   interface to bind (default: the file's serve.host, or 127.0.0.1)
  -h, --help         print this help

  GET /healthz answers 200 while the process serves; GET /readyz 200 once listening with the
  audit sinks resumed, 503 while shutting down. SIGTERM or SIGINT stops accepting, lets requests
  and streams in flight finish (up to serve.shutdownTimeoutMs, default 30 s), flushes and closes
  the audit sinks, and exits 0.
`;

const options = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
} as const;

/** `sovroute serve`; resolves to the exit code once the server has shut down. */
export async function serveCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommand(args, options, serveUsage);
  nonEmpty(values.config, '--config', 'the path of a configuration file', serveUsage);
  if (values.config === undefined) throw new UsageError('serve needs --config <file>', serveUsage);
  const config = await loadGatewayConfig(values.config, io.env);
  if (values.port !== undefined) {
    // Digits only: Number() reads '' (an unset $PORT) as 0, a free port, and '0x50' as 80.
    const port = /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port takes a port number from 0 to 65535; got "${values.port}"`, serveUsage);
    config.serve.port = port;
  }
  if (values.host !== undefined) {
    if (!listenHostPattern.test(values.host)) {
      throw new UsageError(`--host takes an interface's address or name alone, such as 127.0.0.1, 0.0.0.0, :: or localhost (no scheme; the port goes in --port); got ${JSON.stringify(values.host)}`, serveUsage);
    }
    config.serve.host = values.host;
  }
  const router = createRouter(config.router);
  let server: Server;
  try {
    server = await serve(router, config.serve);
  } catch (error) {
    await router.close().catch(() => undefined);
    throw error;
  }
  io.stderr.write(banner(config, server));
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  io.stderr.write(`sovroute: ${signal}: no longer accepting; finishing requests in flight (up to ${config.shutdownTimeoutMs} ms)\n`);
  const finished = await stop(server, config.shutdownTimeoutMs);
  if (!finished) io.stderr.write(`sovroute: requests still in flight after ${config.shutdownTimeoutMs} ms were cut\n`);
  try {
    await router.close();
  } catch (error) {
    io.stderr.write(`sovroute: the audit sinks did not close cleanly: ${(error as Error).message}\n`);
    return 1;
  }
  io.stderr.write('sovroute: audit flushed; stopped\n');
  return finished ? 0 : 1;
}

/** Stops accepting, waits for open requests (idle keep-alive connections are closed), then cuts what remains and waits for it to end. */
async function stop(server: Server, timeoutMs: number): Promise<boolean> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A connection becomes idle when its last response ends: close it then, not after keepAliveTimeout.
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const finished = await Promise.race([closed.then(() => true as const), deadline]);
  clearInterval(sweeper);
  clearTimeout(timer);
  if (!finished) {
    server.closeAllConnections();
    await closed;
  }
  // The requests cut (or hung up on) end in the router after their connection: their records come then.
  await requestsHandled(server);
  return finished;
}

/** What a person starting the gateway needs to see: where it listens, and what it routes to, never a key. */
export function banner(config: GatewayConfig, server: Server): string {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const width = Math.max(...config.router.providers.map((provider) => provider.id.length));
  // Without keys, serve() starts elsewhere than loopback only with allowAnonymous: say so.
  const anonymous = isLoopbackHost(address.address) ? 'none (loopback only)' : `none (allowAnonymous: anyone who reaches ${host}:${address.port} can call)`;
  const lines = [
    `sovroute gateway listening on http://${host}:${address.port}`,
    `  config     ${config.file}`,
    `  policy     ${config.policy}`,
    `  keys       ${config.keyLabels.length > 0 ? config.keyLabels.join(', ') : anonymous}`,
    '  providers',
    ...config.router.providers.map((provider) => `    ${provider.id.padEnd(width)}  ${strictestTier(provider.id, provider.jurisdiction)}`),
  ];
  return `${lines.join('\n')}\n`;
}
