import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('npm run demo', () => {
  it('exits 0 with the network blocked, printing the decision, a streamed answer, its cost and the audit trail', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--import', './test/helpers/no-network.mjs', 'examples/quickstart.ts'], {
      cwd: root,
      encoding: 'utf8',
    });
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
