import { describe, expect, it } from 'vitest';
import { hashRecord } from '../../audit/hash-chain.js';
import type { AuditRecord } from '../../audit/types.js';
import { createReportBuilder } from './report-data.js';
import { renderReport } from './report-html.js';

/** A chained log of successful records, each with the fields given over plain defaults. */
function chain(fields: Partial<AuditRecord>[]): AuditRecord[] {
  let prev: string | null = null;
  return fields.map((overrides, index) => {
    const record = {
      id: `req_${index}`,
      ts: new Date(Date.UTC(2026, 10, 1, 0, index)).toISOString(),
      key_id: 'team-a',
      requested_model: 'm',
      tier: '1',
      policy: 'eu-hosted',
      policy_hash: 'a'.repeat(64),
      objective: 'cheapest',
      outcome: 'success',
      provider: 'scaleway',
      model: 'm',
      simulated: false,
      candidates: [],
      attempts: [],
      fallback_used: false,
      usage: null,
      estimated_cost: null,
      cost: 1,
      currency: 'EUR',
      stream: false,
      endpoint: 'chat.completions',
      duration_ms: 1,
      overhead_ms: 1,
      ...overrides,
      prev,
    } as AuditRecord;
    record.hash = hashRecord(record);
    prev = record.hash;
    return record;
  });
}

function report(records: AuditRecord[]) {
  const builder = createReportBuilder(new Map(), () => true);
  for (const record of records) builder.add(record);
  const data = builder.finish();
  return { data, html: renderReport(data, { source: 'audit.jsonl', filters: [], generatedAt: '2026-12-01T00:00:00Z' }) };
}

describe('audit report', () => {
  it('totals spend per currency, never adding USD to EUR under one label', () => {
    const { html } = report(
      chain([
        { cost: 1.5, currency: 'EUR' },
        { cost: 2, currency: 'USD', provider: 'openai' },
        { cost: 0.5, currency: 'EUR' },
      ]),
    );
    const total = /<span id="total-spend">(.*?)<\/span>/s.exec(html)?.[1] ?? html;
    expect(total).toContain('2.00 EUR');
    expect(total).toContain('2.00 USD');
    expect(html).not.toContain('4.00 EUR');
    // The provider table keeps each row's currency.
    const providers = /<table id="spend-provider">(.*?)<\/table>/s.exec(html)![1]!;
    expect(providers).toMatch(/data-label="scaleway">.*?2\.00 EUR/s);
    expect(providers).toMatch(/data-label="openai">.*?2\.00 USD/s);
  });

  it('leaves test-key (simulated) calls out of spend, still counting them as requests, labelled simulated', () => {
    const { data, html } = report(
      chain([
        { cost: 1, key_id: 'team-a' },
        { cost: 5, key_id: 'ci', simulated: true },
        { cost: 7, key_id: 'team-a', simulated: true },
      ]),
    );
    expect(data.outcomes.success).toBe(3);
    const total = /<span id="total-spend">(.*?)<\/span>/s.exec(html)![1]!;
    expect(total).toContain('data-cost="1"');
    expect(total).toContain('1.00 EUR');
    const keys = /<table id="spend-key">(.*?)<\/table>/s.exec(html)![1]!;
    // Each key's requests still count its simulated calls, said as such, at no spend.
    expect(keys).toMatch(/data-label="team-a"><td>team-a<\/td><td class="n">2 \(1 simulated\)<\/td>.*?1\.00 EUR/s);
    expect(keys).toMatch(/data-label="ci"><td>ci<\/td><td class="n">1 \(1 simulated\)<\/td>.*?0\.00 EUR/s);
    expect(html).toContain('id="simulated-requests" data-value="2"');
  });

  it('shares each outcome among the requests, a gap record standing for the requests it declares dropped', () => {
    const ids = Array.from({ length: 997 }, (_, index) => `req_lost_${index}`);
    const { data, html } = report(
      chain([
        {},
        {},
        { outcome: 'dropped', provider: null, model: null, cost: null, error_code: 'queue_full', dropped: { count: ids.length, ids, reason: 'queue_full' } },
        {},
      ]),
    );
    expect(data.outcomes).toMatchObject({ success: 3, dropped: 997 });
    const share = (outcome: string) => new RegExp(`data-outcome="${outcome}">[\\d,]+</td><td class="n">([\\d.]+%)`).exec(html)?.[1];
    expect(share('success')).toBe('0.3%');
    expect(share('dropped')).toBe('99.7%');
  });

  it('counts what streams cut or aborted part-way cost as spend, as budgets do, marking those requests', () => {
    const { html } = report(
      chain([
        { cost: 1 },
        // The caller left a stream early: the upstream billed what it generated.
        { outcome: 'aborted', error_code: 'aborted', cost: 0.25, stream: true },
        // The upstream cut the stream part-way: paid for what it delivered.
        { outcome: 'error', error_code: 'upstream_error', cost: 0.5, stream: true },
        // A call that failed outright costs nothing; a simulated cut stream neither.
        { outcome: 'error', error_code: 'upstream_error', cost: null },
        { outcome: 'aborted', error_code: 'aborted', cost: 3, simulated: true },
      ]),
    );
    const total = /<span id="total-spend">(.*?)<\/span>/s.exec(html)![1]!;
    expect(total).toContain('1.75 EUR');
    const providers = /<table id="spend-provider">(.*?)<\/table>/s.exec(html)![1]!;
    expect(providers).toMatch(/data-label="scaleway"><td>scaleway<\/td><td class="n">3 \(2 cut or aborted\)<\/td>.*?1\.75 EUR/s);
  });

  it('lists a change of the policy a key is configured with, even when it comes under another name', () => {
    const [sovereign, global] = ['a'.repeat(64), 'b'.repeat(64)];
    const { data } = report(
      chain([
        { policy: 'eu-sovereign', policy_hash: sovereign },
        { policy: 'eu-sovereign', policy_hash: sovereign },
        // The key's configuration moved it to global: the same model string, another policy.
        { policy: 'global', policy_hash: global },
      ]),
    );
    expect(data.policyChanges).toEqual([{ ts: '2026-11-01T00:02:00.000Z', key: 'team-a', policy: 'global', from: sovereign, to: global }]);
  });

  it('lists a policy change only when a policy a key used changed content, not when its model strings narrow it', () => {
    const [hosted, sovereign, edited] = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];
    const { data, html } = report(
      chain([
        { policy: 'eu-hosted', policy_hash: hosted },
        // The same key asking for eu-sovereign/… in its model string: another policy, not a change.
        { policy: 'eu-hosted + eu-sovereign', policy_hash: sovereign, requested_model: 'eu-sovereign/cheapest' },
        { policy: 'eu-hosted', policy_hash: hosted },
        { policy: 'eu-hosted + eu-sovereign', policy_hash: sovereign, requested_model: 'eu-sovereign/cheapest' },
        // The configuration of eu-hosted was edited.
        { policy: 'eu-hosted', policy_hash: edited },
      ]),
    );
    expect(data.policyChanges).toEqual([{ ts: '2026-11-01T00:04:00.000Z', key: 'team-a', policy: 'eu-hosted', from: hosted, to: edited }]);
    expect(html).toMatch(/<table id="policy-changes">.*<td>team-a<\/td><td>eu-hosted<\/td>/s);
  });

  it('lists a request refused for its API key among the denials without calling it a policy refusal', () => {
    const { html } = report(
      chain([{ outcome: 'denied', provider: null, cost: null, policy: null, policy_hash: null, error_code: 'invalid_api_key', error_message: 'Incorrect API key provided.' }]),
    );
    const section = /<section id="denials-section"[^>]*>(.*?)<\/section>/s.exec(html)![1]!;
    expect(section).toContain('Incorrect API key provided.');
    expect(section).not.toContain('Requests the policy refused');
    expect(section).toContain('refused by the policy or for their API key');
  });

  it('shows hours without requests on the timeline, so a silence in the log is visible', () => {
    const { html } = report(chain([{ ts: '2026-11-01T00:10:00.000Z' }, { ts: '2026-11-01T05:20:00.000Z' }, { ts: '2026-11-01T05:30:00.000Z' }]));
    const columns = [...html.matchAll(/class="column" data-bucket="([^"]+)" data-total="(\d+)"/g)].map((match) => `${match[1]}=${match[2]}`);
    expect(columns).toEqual(['2026-11-01 00h=1', '2026-11-01 01h=0', '2026-11-01 02h=0', '2026-11-01 03h=0', '2026-11-01 04h=0', '2026-11-01 05h=2']);
  });

  it('still shows the traffic when one record has a far-off time (a host whose clock was reset)', () => {
    // One record stamped 1970 by a host with a reset clock, the rest in 2026: a column for every
    // day from the first would stop after ten years and never reach the log's real traffic.
    const { html } = report(chain([{ ts: '1970-01-01T00:00:00.000Z' }, { ts: '2026-11-01T00:10:00.000Z' }, { ts: '2026-11-02T05:30:00.000Z' }]));
    const columns = [...html.matchAll(/class="column" data-bucket="([^"]+)" data-total="(\d+)"/g)].map((match) => `${match[1]}=${match[2]}`);
    expect(columns).toContain('2026-11-01=1');
    expect(columns).toContain('2026-11-02=1');
    expect(columns.length).toBeLessThanOrEqual(3_660);
  });

  it('shows days without requests on a timeline of days', () => {
    const { html } = report(chain([{ ts: '2026-11-01T00:10:00.000Z' }, { ts: '2026-11-04T23:00:00.000Z' }, { ts: '2026-11-09T05:30:00.000Z' }]));
    const columns = [...html.matchAll(/class="column" data-bucket="([^"]+)" data-total="(\d+)"/g)].map((match) => `${match[1]}=${match[2]}`);
    expect(columns).toEqual(['2026-11-01=1', '2026-11-02=0', '2026-11-03=0', '2026-11-04=1', '2026-11-05=0', '2026-11-06=0', '2026-11-07=0', '2026-11-08=0', '2026-11-09=1']);
  });

  it('lists the 20 keys that spent most and sums the others in one row, so the table stays short and still adds up', () => {
    // 500 callers, each a key of its own (a gateway without configured keys labels each by its hash).
    const fields: Partial<AuditRecord>[] = Array.from({ length: 500 }, (_, index) => ({ key_id: `key_${index}`, cost: index + 1 }));
    // Among the others: a test key's call (no spend) and a call in another currency.
    fields.push({ key_id: 'ci', cost: 3, simulated: true }, { key_id: 'key_7', cost: 2, currency: 'USD' });
    const { html } = report(chain(fields));
    const table = /<table id="spend-key">(.*?)<\/table>/s.exec(html)![1]!;
    const labels = [...table.matchAll(/<tr data-label="([^"]+)"/g)].map((match) => match[1]);
    expect(labels).toEqual([...Array.from({ length: 20 }, (_, index) => `key_${499 - index}`), '(481 other keys)']);
    const others = /<tr data-label="\(481 other keys\)">(.*?)<\/tr>/s.exec(table)![1]!;
    // 480 keys with one call each, key_7's second call, and the simulated one.
    expect(others).toContain('<td class="n">482 (1 simulated)</td>');
    expect(others).toContain(`data-cost="${(480 * 481) / 2}"`);
    expect(others).toContain('2.00 USD');
    // Every row together is the total spend.
    const euros = [...table.matchAll(/data-currency="EUR" data-cost="([0-9.]+)"/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    expect(euros).toBe((500 * 501) / 2);
    expect(html).toMatch(/The 20 keys that spent most; the other 481 are summed in the last row/);
  });

  it('lists every key when there are at most 21, rather than a row summing a single key', () => {
    const { html } = report(chain(Array.from({ length: 21 }, (_, index) => ({ key_id: `key_${index}`, cost: index + 1 }))));
    const table = /<table id="spend-key">(.*?)<\/table>/s.exec(html)![1]!;
    expect([...table.matchAll(/<tr data-label="([^"]+)"/g)]).toHaveLength(21);
    expect(table).not.toContain('other keys');
  });
});
