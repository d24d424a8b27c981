import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { builtCli } from './built-package.js';

/** A `sovroute serve` child process, its address from the banner, and what it printed to stderr. */
export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  stderr: () => string;
}

/**
 * A test file's gateways: a fresh directory to run them in, and `start` for each one; at the
 * end of the file every gateway still running is killed and the directory removed.
 */
export function useGateways(prefix: string): { directory: string; start: (config: string, environment?: Record<string, string>) => Promise<GatewayProcess> } {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  });
  return { directory, start: (config, environment = {}) => startGateway(config, directory, children, environment) };
}

/**
 * Starts `sovroute serve --config <config>` from the built package on a free port, in `cwd`;
 * resolves once it says where it listens. The child is pushed on `children` so that the test
 * file can kill what is left running at its end.
 */
export async function startGateway(config: string, cwd: string, children: ChildProcess[], environment: Record<string, string> = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [builtCli, 'serve', '--config', config, '--port', '0'], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (text: string) => {
      stderr += text;
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, url, exited, stderr: () => stderr };
}
