import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, openaiCompatible, type Logger } from '../src/index.js';
import { debugFromEnvironment } from '../src/logging/logger.js';

/* The router's logger: sink failures, and each routing decision at debug level. */

const eu = { operator: { name: 'EU SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
const us = { operator: { name: 'US Inc', country: 'US', parents: [] }, hosting: ['US'] };
const providers = () => [
  openaiCompatible({ id: 'eu-local', baseURL: 'http://127.0.0.1:9/v1', jurisdiction: eu, models: [{ id: 'm', price: { input: 1, output: 2, currency: 'EUR' } }] }),
  openaiCompatible({ id: 'us-local', baseURL: 'http://127.0.0.1:9/v1', jurisdiction: us, models: [{ id: 'm', price: { input: 0.5, output: 1, currency: 'EUR' } }] }),
];

function collecting(levelEnabled?: boolean): Logger & { lines: Record<string, string[]> } {
  const lines: Record<string, string[]> = { debug: [], info: [], warn: [], error: [] };
  const logger = {
    lines,
    debug: (message: string) => void lines.debug!.push(message),
    info: (message: string) => void lines.info!.push(message),
    warn: (message: string) => void lines.warn!.push(message),
    error: (message: string) => void lines.error!.push(message),
  };
  return levelEnabled === undefined ? logger : Object.assign(logger, { isLevelEnabled: (level: string) => level !== 'debug' || levelEnabled });
}

afterEach(() => vi.restoreAllMocks());

describe('logger', () => {
  it('receives the audit sink failures that otherwise go to stderr', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const logger = collecting(false);
    const failing = { name: 'failing', write: () => Promise.reject(new Error('disk full')) };
    const router = createRouter({ apiKey: 'test-log', providers: providers(), logger, audit: { sinks: [failing], drainTimeoutMs: 50, retry: { minDelayMs: 1, maxDelayMs: 5 } } });
    await router.chat.completions.create({ model: 'eu-local/m', messages: [{ role: 'user', content: 'hi' }] });
    await router.close().catch(() => undefined);
    expect(logger.lines.error!.some((line) => line.includes('disk full'))).toBe(true);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('gets each decision at debug level, as one block naming candidates, reasons and attempts, and never the key', async () => {
    const logger = collecting(true);
    const router = createRouter({ apiKey: 'test-secret-key-123', providers: providers(), policy: 'eu-hosted', logger });
    await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'private words' }] });
    expect(logger.lines.debug).toHaveLength(1);
    const block = logger.lines.debug![0]!;
    expect(block).toMatch(/→ success via eu-local\/m/);
    expect(block).toMatch(/✓ eu-local\/m/);
    expect(block).toMatch(/✗ us-local\/m .*US/);
    expect(block).toMatch(/attempt 1: eu-local\/m ok/);
    expect(block).not.toContain('test-secret-key-123');
    expect(block).not.toContain('private words');
  });

  it('a model string with line breaks or terminal escapes cannot forge a decision line or reach the terminal raw', async () => {
    const logger = collecting(true);
    const router = createRouter({ apiKey: 'test-log', providers: providers(), logger });
    const forged = 'nope\nsovroute req_forged chat.completions m → success via eu-local/m (1 ms)\u001b[2J\u2028';
    await router.chat.completions.create({ model: forged, messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
    const block = logger.lines.debug![0]!;
    expect(block.split('\n').filter((line) => line.startsWith('sovroute '))).toHaveLength(1);
    expect(block).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(block).toContain('nope\\nsovroute req_forged');
    expect(block).toMatch(/error invalid_request: model "nope\\nsovroute req_forged/);
  });

  it('a refusal over a large catalogue is one short block: the error line quotes at most 1 KiB, not every excluded candidate again', async () => {
    const logger = collecting(true);
    const many = Array.from({ length: 200 }, (_, index) =>
      openaiCompatible({ id: `us-${index}`, baseURL: 'http://127.0.0.1:9/v1', jurisdiction: us, models: [{ id: 'm' }] }),
    );
    const router = createRouter({ apiKey: 'test-log', providers: many, policy: 'eu-hosted', logger });
    const error = (await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught)) as Error;
    expect(error.message.split('\n').length).toBeGreaterThan(200);
    const block = logger.lines.debug![0]!;
    const errorLines = block.split('\n').filter((line) => line.startsWith('  error '));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/^ {2}error no_eligible_provider: no provider is eligible for "m" under policy eu-hosted/);
    expect(errorLines[0]!.length).toBeLessThan(1200);
    expect(block.length).toBeLessThan(4096);
  });

  it('logs no decision when the logger says debug is off', async () => {
    const logger = collecting(false);
    const router = createRouter({ apiKey: 'test-log', providers: providers(), logger });
    await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(logger.lines.debug).toEqual([]);
  });

  it('reads DEBUG like the debug package does', () => {
    for (const value of ['sovroute*', 'sovroute', 'sovroute:*', 'express,sovroute*', '*']) expect(debugFromEnvironment(value), value).toBe(true);
    for (const value of [undefined, '', 'express', 'sovroutex', 'other:*']) expect(debugFromEnvironment(value), String(value)).toBe(false);
    // A name with a leading '-' is left out, whatever else the list turns on, wherever it stands.
    for (const value of ['*,-sovroute*', '-sovroute*,*', 'sovroute*,-sovroute', '*,-sovroute:*', 'express*,-*,sovroute']) expect(debugFromEnvironment(value), value).toBe(false);
    for (const value of ['*,-express*', 'sovroute*,-sovroutex', '-other,sovroute']) expect(debugFromEnvironment(value), value).toBe(true);
  });

  it('DEBUG=sovroute* prints each decision on stderr when no logger is given', () => {
    const root = join(import.meta.dirname, '..');
    const program = `
const { createRouter, openaiCompatible } = await import(${JSON.stringify(join(root, 'dist', 'index.js'))});
const eu = ${JSON.stringify(eu)}, us = ${JSON.stringify(us)};
const router = createRouter({ apiKey: 'test-debug', policy: 'eu-sovereign', providers: [
  openaiCompatible({ id: 'eu-local', baseURL: 'http://127.0.0.1:9/v1', jurisdiction: eu, models: [{ id: 'm' }] }),
  openaiCompatible({ id: 'us-local', baseURL: 'http://127.0.0.1:9/v1', jurisdiction: us, models: [{ id: 'm' }] }) ] });
await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
await router.chat.completions.create({ model: 'us-local/m', messages: [{ role: 'user', content: 'hi' }] }).catch(() => {});`;
    const stderrOf = (debug: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', program], { cwd: root, env: { ...process.env, DEBUG: debug }, encoding: 'utf8' }).stderr;
    const printed = stderrOf('sovroute*');
    const blocks = printed.split(/\n(?=sovroute req_)/);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/^sovroute req_\w+ chat\.completions m → success via eu-local\/m/);
    expect(blocks[0]).toMatch(/candidates: 1 eligible of 2/);
    expect(blocks[1]).toMatch(/us-local\/m → denied/);
    expect(blocks[1]).toMatch(/error policy_violation/);
    expect(stderrOf('')).toBe('');
  });
});
