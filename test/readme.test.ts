import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditCsvColumns, createRouter, defaultCatalog, memoryAudit, RouterError, verifyAudit, type AuditRecord, type Provider } from '../src/index.js';
import { strictestTier } from '../src/policy/tier.js';
import { defaultRequestLimits } from '../src/router/options.js';
import { presetKeyVariables } from './helpers/catalog.js';

/* What the README and the pages of docs/ state as facts is what the code does. */

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The text from the heading `start` to the heading `end`; a missing heading fails the test, never an empty section. */
function section(text: string, start: string, end: string): string {
  const from = text.indexOf(`\n${start}\n`);
  const to = text.indexOf(`\n${end}\n`, from + 1);
  if (from === -1 || to === -1) throw new Error(`no section from "${start}" to "${end}"`);
  return text.slice(from, to);
}

const rows = section(read('docs/providers.md'), '## Built-in providers', '## Your own provider')
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

describe('docs/providers.md: built-in providers', () => {
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

describe('README: the providers it names', () => {
  const providers = section(read('README.md'), '## Providers', '## What every response carries');
  const tiers = { 'EU-sovereign': 'eu-sovereign', 'EU-hosted': 'eu-hosted', Global: 'global' } as const;

  it('lists every built-in preset under the tier docs/providers.md gives it, and says how many there are', () => {
    expect(providers).toContain(`returns the ${defaultCatalog().length} built-in presets`);
    for (const [label, tier] of Object.entries(tiers)) {
      const list = new RegExp(`${label}: ([^.]+)\\.`).exec(providers)?.[1] ?? '';
      const named = [...list.matchAll(/`(\w+)\(\)`/g)].map((match) => `${match[1]}()`);
      expect(named.sort(), label).toEqual(rows.filter((row) => row.tier === tier).map((row) => row.factory!).sort());
    }
  });
});

describe('docs/audit.md: the sample audit record', () => {
  const audit = read('docs/audit.md');
  const start = audit.indexOf('A record, as written');
  const block = audit.slice(audit.indexOf('```json\n', start) + '```json\n'.length, audit.indexOf('\n```', audit.indexOf('```json\n', start) + 1));
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

describe('docs/limits.md: the limits tables', () => {
  const limits = read('docs/limits.md');
  const tableRows = (text: string, prefix: string) => [...text.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map((match) => [`${prefix}${match[1]!}`, match[2]!.trim()] as const);
  const rows = [
    ...tableRows(section(limits, '## The request limits', '## The pseudo-LLM (`limits.simulation`)'), ''),
    ...tableRows(limits.slice(limits.indexOf('\n## The pseudo-LLM (`limits.simulation`)\n')), 'simulation.'),
  ];
  const mebibytes = (text: string) => (/^(\d+) MiB$/.exec(text) ? Number(/^(\d+)/.exec(text)![1]) * 1024 * 1024 : Number(text));

  it('lists every limit with its default', () => {
    const defaults: Record<string, number> = {};
    const { simulation, ...top } = defaultRequestLimits;
    for (const [name, value] of Object.entries(top)) defaults[name] = value;
    for (const [name, value] of Object.entries(simulation)) defaults[`simulation.${name}`] = value;
    expect(Object.fromEntries(rows.map(([name, text]) => [name, mebibytes(text)]))).toEqual(defaults);
  });
});

describe('docs/audit.md: the CSV columns', () => {
  it('lists every column of the export once, in order, with what the code says it holds', () => {
    const table = section(read('docs/audit.md'), '## Export', '## Sinks');
    const rows = [...table.matchAll(/^\| `(\w+)` \| (.+) \|$/gm)].map((match) => ({ name: match[1]!, description: match[2]! }));
    expect(rows).toEqual(auditCsvColumns.map(({ name, description }) => ({ name, description })));
  });
});

describe('README and docs/: links', () => {
  const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

  it('every relative link points at a file that exists', () => {
    const broken: string[] = [];
    for (const document of documents) {
      for (const [, target] of read(document).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        if (!existsSync(join(root, document, '..', target!))) broken.push(`${document} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the README links every page of docs/', () => {
    const readme = read('README.md');
    const unlinked = documents.filter((document) => document.startsWith('docs/') && !readme.includes(`](${document}`));
    expect(unlinked).toEqual([]);
  });
});
