import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, defaultCatalog, memoryAudit, RouterError, verifyAudit, type AuditRecord, type Provider } from '../src/index.js';
import { strictestTier } from '../src/policy/tier.js';
import { defaultRequestLimits } from '../src/router/options.js';
import { presetKeyVariables } from './helpers/catalog.js';

/* The README's table of built-in providers says what the catalogue does. */

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### Built-in providers'), readme.indexOf('### Your own provider'));
const rows = section
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => line.split('|').map((cell) => cell.trim().replaceAll('`', '')))
  .map(([, factory, id, operator, hosting, tier, key]) => ({ factory, id, operator, hosting, tier, key }));

afterEach(() => {
  vi.unstubAllEnvs();
});

async function missingKeyMessage(provider: Provider): Promise<string> {
  const model = provider.models.find((offer) => offer.capabilities?.includes('chat'))!;
  const error = await provider.doChat({ model: model.native ?? model.id, messages: [{ role: 'user', content: 'x' }] }, {}).catch((caught: unknown) => caught);
  return RouterError.isInstance(error) ? error.message : String(error);
}

describe('README: built-in providers', () => {
  it('lists every preset once, with the tier it satisfies', () => {
    const catalog = defaultCatalog();
    expect(rows.map((row) => row.id).sort()).toEqual(catalog.map((provider) => provider.id).sort());
    for (const provider of catalog) {
      const row = rows.find((entry) => entry.id === provider.id)!;
      expect(row.tier, provider.id).toBe(strictestTier(provider.id, provider.jurisdiction));
      expect(row.operator?.startsWith(`${provider.jurisdiction!.operator.name} (${provider.jurisdiction!.operator.country})`), provider.id).toBe(true);
    }
  });

  it('names each preset’s factory and the environment variable it reads its key from', async () => {
    for (const name of [...presetKeyVariables, 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_BEARER_TOKEN_BEDROCK', 'GOOGLE_CLOUD_PROJECT']) vi.stubEnv(name, '');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
    const catalog = defaultCatalog({ azureOpenAI: { resource: 'readme' } });
    for (const provider of catalog) {
      const row = rows.find((entry) => entry.id === provider.id)!;
      const message = await missingKeyMessage(provider);
      // Deployments configured by more than a key (Bedrock, Vertex) name the first setting.
      const settings = row.key?.split(',') ?? [];
      if (settings.length > 1) expect(message, provider.id).toContain(settings[0]);
      else expect(message, provider.id).toContain(`pass apiKey to ${row.factory} or set ${row.key}`);
    }
  });
});

describe('README: the sample audit record', () => {
  const start = readme.indexOf('A record, as written');
  const block = readme.slice(readme.indexOf('```json\n', start) + '```json\n'.length, readme.indexOf('\n```', readme.indexOf('```json\n', start) + 1));
  const sample = JSON.parse(block) as AuditRecord;

  it('is a real record: its hash verifies', () => {
    expect(verifyAudit([sample])).toMatchObject({ ok: true });
    expect(verifyAudit([{ ...sample, cost: 0 }])).toMatchObject({ ok: false });
  });

  it('has the fields a record written today has', async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: defaultCatalog(), policy: 'eu-sovereign', audit: { sinks: [audit], content: 'hash' } });
    await router.chat.completions.create(
      { model: 'eu-sovereign/llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'Hello' }], route: { objective: 'cheapest' }, simulate: { fault: 'server_error', times: 1 } },
      { apiKey: 'test-readme' },
    );
    await router.flush();
    const [record] = audit.records;
    expect(Object.keys(sample).sort()).toEqual(Object.keys(record!).sort());
    expect(Object.keys(sample.candidates[0]!).sort()).toEqual(Object.keys(record!.candidates[0]!).sort());
  });
});

describe('README: the limits table', () => {
  const table = readme.slice(readme.indexOf('## Limits'), readme.indexOf('## API'));
  const rows = [...table.matchAll(/^\| [^|]+ \| ([^|]+) \| `limits\.([\w.]+)` \|$/gm)].map((match) => [match[2]!, match[1]!.trim()] as const);
  const mebibytes = (text: string) => (/^(\d+) MiB$/.exec(text) ? Number(/^(\d+)/.exec(text)![1]) * 1024 * 1024 : Number(text));

  it('lists every limit with its default', () => {
    const defaults: Record<string, number> = {};
    const { simulation, ...top } = defaultRequestLimits;
    for (const [name, value] of Object.entries(top)) defaults[name] = value;
    for (const [name, value] of Object.entries(simulation)) defaults[`simulation.${name}`] = value;
    expect(Object.fromEntries(rows.map(([name, text]) => [name, mebibytes(text)]))).toEqual(defaults);
  });
});
