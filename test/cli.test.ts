import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtCli, loadBuilt, loadBuiltNode } from './helpers/built-package.js';

const root = join(import.meta.dirname, '..');
const example = join(root, 'examples', 'sovroute.config.yaml');
const directory = mkdtempSync(join(tmpdir(), 'sovroute-cli-commands-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/**
 * The example's presets read their keys from the environment; set, they are configured (and
 * eligible to real keys), for the CLI and for the router it is compared with alike.
 */
const presetKeys = { MISTRAL_API_KEY: 'sk-cli-test-mistral', SCW_SECRET_KEY: 'sk-cli-test-scaleway', OVHCLOUD_API_KEY: 'sk-cli-test-ovhcloud' };
beforeAll(() => {
  for (const [name, value] of Object.entries(presetKeys)) vi.stubEnv(name, value);
});
afterAll(() => vi.unstubAllEnvs());

/** The built CLI as a user runs it, without colour. */
function sovroute(...args: string[]) {
  const run = spawnSync(process.execPath, [builtCli, ...args], { cwd: directory, encoding: 'utf8', env: { ...process.env, ...presetKeys, NO_COLOR: '1' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Every command, with the options its help must name. */
const commands: [string[], string[]][] = [
  [[], ['--help', '--version']],
  [['serve'], ['--config', '--port', '--host']],
  [['explain'], ['--config', '--model', '--key', '--json']],
  [['models'], ['--config', '--policy', '--json']],
  [['audit'], ['verify', 'export', 'report', 'migrate']],
  [['audit', 'verify'], ['--expect-last-hash', '--continues', '--segment', '--postgres', '--table']],
  [['audit', 'export'], ['--format', '--from', '--to', '--outcome', '--provider', '--out', '--bom', '--postgres']],
  [['audit', 'report'], ['--html', '--from', '--to', '--outcome', '--provider', '--config']],
  [['audit', 'migrate'], ['--postgres', '--table']],
];

describe('CLI manners', () => {
  it.each(commands)('sovroute %j --help exits 0 and names its options', (command, names) => {
    const run = sovroute(...command, '--help');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    for (const name of names) expect(run.stdout).toContain(name);
  });

  it.each(commands.filter(([command]) => command.length > 0 && command.join(' ') !== 'audit'))('sovroute %j --bogus exits 2 with that command’s usage', (command) => {
    const run = sovroute(...command, '--bogus');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^sovroute: Unknown option '--bogus'[^\\n]*\\n\\nUsage: sovroute ${command.join(' ')} `));
    expect(run.stdout).toBe('');
  });

  it('an unknown command or audit command exits 2 with the usage', () => {
    expect(sovroute('serv')).toMatchObject({ status: 2, stderr: expect.stringMatching(/^sovroute: unknown command "serv"\n\n.*Commands:/s) });
    expect(sovroute('audit', 'reprot')).toMatchObject({ status: 2, stderr: expect.stringMatching(/^sovroute: unknown audit command "reprot"\n\nUsage: sovroute audit <command>/) });
  });

  it('exit codes: 0 done, 1 the check failed, 2 the command could not run as given', () => {
    expect(sovroute('explain', '--config', example, '--model', 'mistral-small-3.2-24b').status).toBe(0);
    // No eligible provider: codestral is served by mistral-eu only, which team-a's France-only policy excludes.
    const none = sovroute('explain', '--config', example, '--model', 'codestral', '--key', 'team-a');
    expect(none.status).toBe(1);
    expect(none.stdout).toContain('chosen     none: no candidate is eligible');
    // A model nobody serves: nowhere to go.
    expect(sovroute('explain', '--config', example, '--model', 'gpt-5.4')).toMatchObject({ status: 1, stderr: expect.stringContaining('no configured provider serves model "gpt-5.4"') });
    expect(sovroute('explain', '--config', join(directory, 'missing.yaml'), '--model', 'm').status).toBe(2);
    expect(sovroute('explain', '--config', example).status).toBe(2);
    const broken = join(directory, 'broken.jsonl');
    writeFileSync(broken, '{"prev":"x","hash":"y"}\n');
    expect(sovroute('audit', 'verify', broken).status).toBe(1);
  });

  it('an empty --config or --model (an unset variable: --config "$CONFIG") exits 2 with the usage saying the option needs a value', () => {
    for (const [command, ...rest] of [['serve'], ['explain', '--model', 'm'], ['models'], ['audit', 'report', 'audit.jsonl', '--html', 'out.html']] as const) {
      const run = sovroute(command, ...rest, '--config', '');
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^sovroute: --config needs the path of a configuration file; got an empty value\n\nUsage: sovroute ${command === 'audit' ? 'audit report' : command} `));
    }
    const model = sovroute('explain', '--config', example, '--model', '');
    expect(model.status).toBe(2);
    expect(model.stderr).toMatch(/^sovroute: --model needs a model string; got an empty value\n\nUsage: sovroute explain /);
  });

  it('serve --host with a port or a scheme exits 2 with the usage saying what to write, instead of "getaddrinfo ENOTFOUND 127.0.0.1:8080"', () => {
    const run = sovroute('serve', '--config', example, '--port', '0', '--host', '127.0.0.1:8080');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^sovroute: --host takes an interface's address or name alone, such as 127\.0\.0\.1, 0\.0\.0\.0, :: or localhost \(no scheme; the port goes in --port\); got "127\.0\.0\.1:8080"\n\nUsage: sovroute serve /);
  });

  it('a mistyped --policy (models) or --key label (explain) is answered with the closest name', () => {
    expect(sovroute('models', '--config', example, '--policy', 'france-onyl')).toMatchObject({ status: 2, stderr: expect.stringMatching(/^sovroute: unknown policy "france-onyl": did you mean france-only\? use /) });
    expect(sovroute('explain', '--config', example, '--model', 'm', '--key', 'team-b')).toMatchObject({ status: 2, stderr: expect.stringMatching(/^sovroute: no key is labelled "team-b": did you mean team-a\? the labels are /) });
  });

  it('NO_COLOR and a pipe: no escape sequences in tables', () => {
    const run = sovroute('explain', '--config', example, '--model', 'codestral', '--key', 'team-a');
    expect(run.stdout).toContain('codestral');
    expect(run.stdout).not.toContain('\u001b[');
  });
});

describe('sovroute explain', () => {
  it('shows a preset whose key is not set as excluded, with the setting to give', () => {
    const run = spawnSync(process.execPath, [builtCli, 'explain', '--config', example, '--model', 'mistral-small-3.2-24b'], {
      cwd: directory,
      encoding: 'utf8',
      env: { ...process.env, MISTRAL_API_KEY: '', SCW_SECRET_KEY: '', OVHCLOUD_API_KEY: '', NO_COLOR: '1' },
    });
    expect(run.stdout).toMatch(/no API key: set MISTRAL_API_KEY/);
  });

  it('--json prints what router.explain() returns for the same configuration and request, with and without a key', async () => {
    const { createRouter } = await loadBuilt();
    const { loadConfig } = await loadBuiltNode();
    const options = await loadConfig(example, {});
    const messages = [{ role: 'user' as const, content: '' }];
    for (const model of ['mistral-small-3.2-24b', 'eu-sovereign/cheapest', 'codestral']) {
      const { keys: _keys, ...unkeyed } = options;
      const run = sovroute('explain', '--config', example, '--model', model, '--json');
      expect(JSON.parse(run.stdout)).toEqual(createRouter(unkeyed).explain({ model, messages }));
      const keyed = sovroute('explain', '--config', example, '--model', model, '--key', 'team-a', '--json');
      expect(JSON.parse(keyed.stdout)).toEqual(createRouter(options).explain({ model, messages }, { apiKey: 'test-team-a' }));
    }
  });

  it('the table shows every candidate with its reasons in full, eligible first, and the choice', async () => {
    const { createRouter } = await loadBuilt();
    const { loadConfig } = await loadBuiltNode();
    const { keys: _keys, ...options } = await loadConfig(example, {});
    const explanation = createRouter(options).explain({ model: 'gpt-oss-120b', messages: [{ role: 'user', content: '' }] });
    const run = sovroute('explain', '--config', example, '--model', 'gpt-oss-120b');
    expect(run.stdout).toContain(`chosen     ${explanation.chosen!.provider} / ${explanation.chosen!.model}`);
    const rows = run.stdout.split('\n').filter((line) => /^(\d+|-)\s/.test(line));
    expect(rows).toHaveLength(explanation.candidates.length);
    explanation.candidates.forEach((candidate, index) => {
      expect(rows[index]).toMatch(new RegExp(`^${candidate.eligible ? index + 1 : '-'}\\s+${candidate.provider}\\s+${candidate.model.replace(/[.]/g, '\\.')}\\s+${candidate.eligible ? 'yes' : 'no'}`));
      expect(rows[index]).toContain(candidate.reasons.join('; '));
    });
  });
});

describe('sovroute models', () => {
  it("explain and models leave the configured audit log alone: no file, no writer lock, nothing said of it", () => {
    const logs = mkdtempSync(join(directory, 'logs-'));
    const config = join(logs, 'gateway.yaml');
    writeFileSync(config, `providers:\n  - preset: mistralEU\naudit:\n  sinks:\n    - jsonl: ./audit.jsonl\n`);
    for (const run of [sovroute('explain', '--config', config, '--model', 'mistral-small-3.2-24b'), sovroute('models', '--config', config)]) {
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
    expect(readdirSync(logs)).toEqual(['gateway.yaml']);
  });

  it('lists the deployments GET /v1/models lists, narrowed by --policy', async () => {
    const { createRouter } = await loadBuilt();
    const { loadConfig } = await loadBuiltNode();
    const { keys: _keys, ...options } = await loadConfig(example, {});
    const expected = (await createRouter({ ...options, policy: 'eu-sovereign' }).models.list()).data;
    const run = sovroute('models', '--config', example, '--policy', 'eu-sovereign', '--json');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(expected);
    const table = sovroute('models', '--config', example, '--policy', 'france-only');
    expect(table.stdout).toMatch(/^\d+ deployments reachable under france-only\n/);
    expect(table.stdout).not.toMatch(/mistral-eu|on-prem/);
    expect(sovroute('models', '--config', example, '--policy', 'nowhere')).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown policy "nowhere"') });
  });

  it('names the providers it leaves out for want of configuration on this machine', () => {
    const config = join(mkdtempSync(join(directory, 'unkeyed-')), 'gateway.yaml');
    writeFileSync(config, `providers:\n  - preset: mistralEU\n  - preset: scaleway\n`);
    const run = spawnSync(process.execPath, [builtCli, 'models', '--config', config], { cwd: directory, encoding: 'utf8', env: { ...process.env, ...presetKeys, SCW_SECRET_KEY: '', NO_COLOR: '1' } });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('mistral');
    expect(run.stdout).toContain('left out, not configured here:\n  scaleway: no API key: set SCW_SECRET_KEY or pass apiKey to scaleway()');
    expect(run.stdout.split('left out')[0]).not.toMatch(/scaleway/);
  });
});
