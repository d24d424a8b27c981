import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('npm run demo', () => {
  it('exits 0 with the network blocked, printing the decision, a streamed answer, its cost and the audit trail', () => {
    // The README's own command, with every process it starts (npm, tsx, the demo) offline.
    const run = spawnSync('npm', ['run', '--silent', 'demo'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false', NODE_OPTIONS: `--import ${pathToFileURL(join(root, 'test/helpers/no-network.mjs')).href}`, SOVROUTE_OFFLINE_REPORT: '1' },
    });
    expect(run.status, run.stderr).toBe(0);
    // The process that runs the demo itself (tsx's child, argv[1] the script) loaded the block.
    expect(run.stderr).toMatch(/^offline: \S*examples\/quickstart\.ts$/m);
    const output = run.stdout;
    expect(output).toMatch(/✓ ovhcloud\/llama-3.3-70b-instruct/);
    expect(output).toMatch(/✗ groq\/llama-3.3-70b-instruct\n\s+inference hosted in US/);
    expect(output).toMatch(/Pseudo-LLM reply to/);
    expect(output).toMatch(/cost \d+(\.\d+)? EUR/);
    expect(output).toMatch(/403 policy_violation/);
    expect(output).toMatch(/success .*hash [0-9a-f]{12}/);
    expect(output).toMatch(/chain of 2 records: verified/);
  }, 60_000);

  it('really blocks the network in that run', () => {
    const run = () =>
      execFileSync(process.execPath, ['--import', './test/helpers/no-network.mjs', '-e', "fetch('http://127.0.0.1:9').catch(e => { console.error(e.message); process.exit(3) })"], {
        cwd: root,
        stdio: 'pipe',
      });
    expect(run).toThrow(/network access attempted/);
  });
});
