import { describe, expect, it } from 'vitest';
import {
  auditExclusionExamples,
  createRouter,
  exportAudit,
  memoryAudit,
  openaiCompatible,
  summariseExclusions,
  verifyAudit,
  type AuditRecord,
  type Provider,
} from '../src/index.js';
import { eagerRankCount } from '../src/router/plan.js';
import { euFacts, usFacts } from './helpers/providers.js';
import { parseCsv } from './helpers/rfc4180.js';

/*
 * What an audit record keeps of the candidates: by default every eligible candidate and the
 * excluded ones counted by their reasons; with audit.candidates: 'all', every candidate.
 */

const messages = [{ role: 'user' as const, content: 'Summarise the data-processing agreement in one line.' }];

function provider(id: string, facts: typeof euFacts, price: number, capabilities: ('chat' | 'tools')[] = ['chat', 'tools']): Provider {
  return openaiCompatible({
    id,
    baseURL: 'http://127.0.0.1:9/v1',
    jurisdiction: facts,
    models: [
      { id: 'model-a', price: { input: price, output: price, currency: 'EUR' }, capabilities },
      { id: 'model-b', price: { input: price * 2, output: price * 2, currency: 'EUR' }, capabilities },
    ],
  });
}

/** Two EU deployments, five US-operated ones (one reason between them), one EU one without tool calling. */
const providers = () => [
  provider('eu-one', euFacts, 1),
  ...Array.from({ length: 5 }, (_, index) => provider(`us-${index}`, usFacts, 0.5)),
  provider('eu-two', euFacts, 2),
  provider('eu-plain', euFacts, 0.1, ['chat']),
];

const request = { model: 'eu-sovereign/cheapest', messages, tools: [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } }] };

async function recordOf(candidates?: 'summary' | 'all') {
  const audit = memoryAudit();
  const router = createRouter({ providers: providers(), audit: candidates ? { sinks: [audit], candidates } : [audit] });
  const explanation = router.explain(request, { apiKey: 'test-audit' });
  await router.chat.completions.create(request, { apiKey: 'test-audit' });
  await router.flush();
  return { record: audit.records[0]!, explanation, audit };
}

describe('audit records of the candidates', () => {
  it('keep every eligible candidate in rank order and count the excluded ones by reason', async () => {
    const { record, explanation } = await recordOf();
    const eligible = explanation.candidates.filter((candidate) => candidate.eligible);
    const excluded = explanation.candidates.filter((candidate) => !candidate.eligible);
    expect(record.candidates).toEqual(eligible.map(({ provider, model, reasons }) => ({ provider, model, eligible: true, reasons })));
    expect(record.excluded!.reduce((sum, group) => sum + group.count, 0)).toBe(excluded.length);
    expect(excluded.length).toBe(12);
    // Each group is what explain() says of its candidates: the same reasons, each candidate once.
    for (const group of record.excluded!) {
      const members = excluded.filter((candidate) => candidate.reasons.join('; ') === group.reason);
      expect(group.count).toBe(members.length);
      expect(group.examples).toEqual(members.slice(0, auditExclusionExamples).map((candidate) => `${candidate.provider}/${candidate.model}`));
    }
    const usGroup = record.excluded!.find((group) => /US-controlled/.test(group.reason))!;
    expect(usGroup.count).toBe(10);
    expect(usGroup.examples).toHaveLength(auditExclusionExamples);
    expect(record.excluded!.find((group) => /tool calling/.test(group.reason))).toMatchObject({ count: 2, examples: ['eu-plain/model-a', 'eu-plain/model-b'] });
  });

  it('share one frozen candidate list between records of unchanged calls, each record still whole and verifiable', async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: providers(), audit: [audit] });
    const eligible = router
      .explain(request, { apiKey: 'test-audit' })
      .candidates.filter((candidate) => candidate.eligible)
      .map(({ provider, model, reasons }) => ({ provider, model, eligible: true, reasons }));
    for (let index = 0; index < 3; index++) await router.chat.completions.create(request, { apiKey: 'test-audit' });
    await router.flush();
    const [first, second, third] = audit.records;
    expect(second!.candidates).toBe(first!.candidates);
    expect(third!.candidates).toBe(first!.candidates);
    // Shared, so nobody can change one record's list through another's.
    expect(Object.isFrozen(first!.candidates)).toBe(true);
    expect(() => (first!.candidates as unknown[]).push({})).toThrow(TypeError);
    for (const record of audit.records) expect(record.candidates).toEqual(eligible);
    // Records parsed back (as a log stores them) verify: the hashes cover the same bytes.
    expect(verifyAudit(audit.records.map((record) => JSON.parse(JSON.stringify(record)) as AuditRecord))).toEqual({ ok: true });
  });

  it('do not share the list when the same eligible candidates were walked in another order', async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: providers(), audit: [audit] });
    const key = (candidate: { provider: string; model: string }) => `${candidate.provider}/${candidate.model}`;
    await router.chat.completions.create(request, { apiKey: 'test-audit' });
    await router.chat.completions.create(request, { apiKey: 'test-audit' });
    // The same candidates, eu-two's first: the caller's order, not the price.
    await router.chat.completions.create({ ...request, route: { order: ['eu-two'] } }, { apiKey: 'test-audit' });
    await router.chat.completions.create(request, { apiKey: 'test-audit' });
    await router.flush();
    const [first, second, reordered, again] = audit.records.map((record) => record.candidates.map(key));
    expect(first![0]).toBe('eu-one/model-a');
    expect(second).toEqual(first);
    expect(reordered!.slice(0, 2)).toEqual(['eu-two/model-a', 'eu-two/model-b']);
    expect([...reordered!].sort()).toEqual([...first!].sort());
    expect(again).toEqual(first);
    expect(audit.records[0]!.excluded).toEqual(audit.records[2]!.excluded);
    expect(verifyAudit(audit.records.map((record) => JSON.parse(JSON.stringify(record)) as AuditRecord))).toEqual({ ok: true });
  });

  it("with audit.candidates: 'all', keep every candidate with its reasons, as explain() lists them", async () => {
    const { record, explanation } = await recordOf('all');
    expect(record.candidates).toEqual(explanation.candidates.map(({ provider, model, eligible, reasons }) => ({ provider, model, eligible, reasons })));
    expect(record).not.toHaveProperty('excluded');
  });

  it('verify and export whichever shape a record has, in one chain', async () => {
    const audit = memoryAudit();
    const full = createRouter({ providers: providers(), audit: { sinks: [audit], candidates: 'all' } });
    await full.chat.completions.create(request, { apiKey: 'test-audit' });
    await full.close();
    // A router given the same sink continues its chain, with the summary.
    const summary = createRouter({ providers: providers(), audit: [audit] });
    await summary.chat.completions.create(request, { apiKey: 'test-audit' });
    await summary.flush();
    const records = audit.records as AuditRecord[];
    expect(records.map((record) => record.excluded === undefined)).toEqual([true, false]);
    expect(verifyAudit(records)).toEqual({ ok: true });

    const rows = parseCsv(exportAudit(records, { format: 'csv' }));
    const column = (name: string) => rows.slice(1).map((row) => row[rows[0]!.indexOf(name)]);
    expect(column('candidates')).toEqual(['16', '16']);
    expect(column('excluded')).toEqual(['12', '12']);
    const lines = exportAudit(records, { format: 'jsonl' }).trim().split('\n').map((line) => JSON.parse(line) as AuditRecord);
    expect(verifyAudit(lines)).toEqual({ ok: true });

    // Tampering with a summary is caught like any other edit.
    const edited = structuredClone(lines);
    edited[1]!.excluded![0]!.count -= 1;
    expect(verifyAudit(edited)).toMatchObject({ ok: false, index: 1 });
  });

  it('a full list summarises to the same groups a call records', async () => {
    const { record } = await recordOf('all');
    const { record: summarised } = await recordOf();
    expect(summariseExclusions(record.candidates.filter((candidate) => !candidate.eligible))).toEqual(summarised.excluded);
  });

  it('keep every eligible candidate when a call ranked only the first few: those first, in the order it would walk them', async () => {
    const count = eagerRankCount + 4;
    const audit = memoryAudit();
    // Prices out of catalogue order, so the ranked ones are not simply the first listed.
    const router = createRouter({ providers: Array.from({ length: count }, (_, index) => provider(`eu-${index}`, euFacts, ((index * 5) % count) + 1)), audit: [audit] });
    const model = { model: 'eu-sovereign/cheapest', messages };
    const ranked = router.explain(model, { apiKey: 'test-audit' }).candidates;
    await router.chat.completions.create(model, { apiKey: 'test-audit' });
    await router.flush();
    const [record] = audit.records;
    const key = (candidate: { provider: string; model: string }) => `${candidate.provider}/${candidate.model}`;
    expect(record!.candidates.slice(0, eagerRankCount).map(key)).toEqual(ranked.slice(0, eagerRankCount).map(key));
    expect(record!.candidates.map(key).sort()).toEqual(ranked.map(key).sort());
    expect(record!.candidates.every((candidate) => candidate.eligible)).toBe(true);
    expect(record!.excluded).toEqual([]);
  });
});
