import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

let consumer: string;

// dist is built (when stale) by test/global-setup.ts before any test file runs.
beforeAll(() => {
  // A consumer project that has the package installed under its name.
  consumer = mkdtempSync(join(tmpdir(), 'sovroute-consumer-'));
  mkdirSync(join(consumer, 'node_modules'));
  symlinkSync(root, join(consumer, 'node_modules', 'sovroute'), 'dir');
}, 120_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

const program = (load: string) => `
${load}
const router = sovroute.createRouter({
  apiKey: 'test-package',
  providers: [sovroute.openaiCompatible({ id: 'local', baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'm' }] })],
});
router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'ping' }] }).then((response) => {
  console.log(JSON.stringify({ provider: response.provider, hasText: response.choices[0].message.content.length > 0,
    error: typeof sovroute.RouterError, serve: typeof node.serve, sharedErrors: nodeErrorIsRouterError() }));
});
// One RouterError class behind both entry points: an error from sovroute/node is instanceof it.
function nodeErrorIsRouterError() {
  try {
    node.jsonlAudit({ path: '' });
  } catch (error) {
    return error instanceof sovroute.RouterError && error.code === 'invalid_request';
  }
  return 'no error';
}`;

function run(args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8' }));
}

describe('the built package', () => {
  const expected = { provider: 'local', hasText: true, error: 'function', serve: 'function', sharedErrors: true };

  it('loads with require (CommonJS)', () => {
    expect(run(['-e', program("const sovroute = require('sovroute'); const node = require('sovroute/node');")])).toEqual(expected);
  });

  it('loads with import (ESM)', () => {
    expect(
      run(['--input-type=module', '-e', program("import * as sovroute from 'sovroute'; import * as node from 'sovroute/node';")]),
    ).toEqual(expected);
  });

  it('ships type declarations for both formats and every entry point', () => {
    for (const entry of ['index', 'node/index', 'postgres/index']) {
      for (const extension of ['.d.ts', '.d.cts']) expect(existsSync(join(root, 'dist', `${entry}${extension}`)), `${entry}${extension}`).toBe(true);
    }
  });

  it('loads sovroute/postgres both ways without loading pg until a connection is asked for', () => {
    const probe = (load: string) => `${load}
      console.log(JSON.stringify({ sink: typeof postgres.postgresAudit, verify: typeof postgres.verifyPostgresAudit,
        pgLoaded: Object.keys(require.cache).some((path) => /[\\/]pg[\\/]/.test(path)) }));`;
    const expected = { sink: 'function', verify: 'function', pgLoaded: false };
    expect(run(['-e', probe("const postgres = require('sovroute/postgres');")])).toEqual(expected);
    const esm = `import * as postgres from 'sovroute/postgres'; import { createRequire } from 'node:module';
      const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => /[\\/]pg[\\/]/.test(path));
      console.log(JSON.stringify({ sink: typeof postgres.postgresAudit, verify: typeof postgres.verifyPostgresAudit, pgLoaded: loaded }));`;
    expect(run(['--input-type=module', '-e', esm])).toEqual(expected);
  });

  it('runs the sovroute bin on an audit log the built package wrote', () => {
    const log = join(consumer, 'audit.jsonl');
    const write = `
import { createRouter, openaiCompatible } from 'sovroute';
import { jsonlAudit } from 'sovroute/node';
const router = createRouter({
  apiKey: 'test-package',
  providers: [openaiCompatible({ id: 'local', baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'm' }] })],
  audit: [jsonlAudit(${JSON.stringify(log)})],
});
await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'ping' }] });
await router.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'ping' }] }).catch(() => {});
await router.close();`;
    execFileSync(process.execPath, ['--input-type=module', '-e', write], { cwd: consumer });
    const cli = join(root, 'dist', 'node', 'cli.js');
    expect(execFileSync(process.execPath, [cli, 'audit', 'verify', log], { encoding: 'utf8' })).toMatch(/^ok: 2 records, last hash [0-9a-f]{64}\n$/);
    const csv = execFileSync(process.execPath, [cli, 'audit', 'export', log, '--format', 'csv'], { encoding: 'utf8' });
    expect(csv.split('\r\n').filter(Boolean).map((line) => line.split(',')[4])).toEqual(['outcome', 'success', 'invalid']);
  });

  it('packs what users run and no source maps', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as [{ files: { path: string }[] }];
    const files = pack.files.map((file) => file.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/node/cli.js');
    expect(files.filter((path) => path.endsWith('.map'))).toEqual([]);
  });

  it('runs the sovroute bin', () => {
    const output = execFileSync(process.execPath, [join(root, 'dist', 'node', 'cli.js'), '--help'], { encoding: 'utf8' });
    expect(output).toMatch(/^sovroute/);
  });
});
