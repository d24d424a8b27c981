import { describe, expect, it } from 'vitest';
import { csvField } from './csv-columns.js';
import { exportAudit } from './export-audit.js';
import type { AuditRecord } from './types.js';

const record = (overrides: Partial<AuditRecord>): AuditRecord =>
  ({
    id: 'req_1',
    ts: '2025-03-01T10:00:00.000Z',
    key_id: 'team-a',
    outcome: 'success',
    provider: 'eu-cloud',
    candidates: [],
    attempts: [],
    usage: null,
    cost: null,
    prev: null,
    hash: 'h1',
    ...overrides,
  }) as AuditRecord;

describe('csvField', () => {
  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r\nlf')).toBe('"cr\r\nlf"');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(0.00012)).toBe('0.00012');
    expect(csvField(false)).toBe('false');
  });

  it('neutralises text a spreadsheet would run as a formula', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvField(text).replace(/^"/, '')).toMatch(/^'/);
    expect(csvField('=HYPERLINK("x"),y')).toBe('"\'=HYPERLINK(""x""),y"');
    expect(csvField('a=1')).toBe('a=1');
  });

  it('quotes text holding a semicolon, so a spreadsheet that splits on semicolons (Excel in French or German) finds no formula cell in it', () => {
    // Excel reads a .csv with the list separator of its locale: ';' across most of the EU.
    expect(csvField('m;=HYPERLINK("http://evil.example","click")')).toBe('"m;=HYPERLINK(""http://evil.example"",""click"")"');
    expect(csvField('a;b')).toBe('"a;b"');
  });
});

describe('exportAudit', () => {
  const records = [
    record({ id: 'req_1', ts: '2025-01-31T23:59:59.999Z', outcome: 'success', provider: 'eu-cloud' }),
    record({ id: 'req_2', ts: '2025-02-01T00:00:00.000Z', outcome: 'denied', provider: null }),
    record({ id: 'req_3', ts: '2025-02-15T12:00:00.000Z', outcome: 'error', provider: 'us-ai' }),
  ];
  const ids = (jsonl: string) => jsonl.trim().split('\n').filter(Boolean).map((line) => (JSON.parse(line) as AuditRecord).id);

  it('filters from (inclusive) to (exclusive), by outcome and by provider', () => {
    expect(ids(exportAudit(records, { format: 'jsonl', to: '2025-02-01' }))).toEqual(['req_1']);
    expect(ids(exportAudit(records, { format: 'jsonl', from: new Date('2025-02-01T00:00:00Z') }))).toEqual(['req_2', 'req_3']);
    expect(ids(exportAudit(records, { format: 'jsonl', outcome: ['denied', 'error'] }))).toEqual(['req_2', 'req_3']);
    expect(ids(exportAudit(records, { format: 'jsonl', provider: 'us-ai' }))).toEqual(['req_3']);
  });

  it('selects by provider the requests it served and those it last failed, as documented', () => {
    // Every attempt failed: the record names no provider, its attempts say who failed last.
    const failed = record({
      id: 'req_failed',
      outcome: 'error',
      provider: null,
      attempts: [
        { provider: 'us-ai', model: 'm', outcome: 'error', status: 500 },
        { provider: 'eu-cloud', model: 'm', outcome: 'error', status: 503 },
      ] as AuditRecord['attempts'],
    });
    expect(ids(exportAudit([...records, failed], { format: 'jsonl', provider: 'eu-cloud' }))).toEqual(['req_1', 'req_failed']);
    expect(ids(exportAudit([...records, failed], { format: 'jsonl', provider: 'us-ai' }))).toEqual(['req_3']);
  });

  it('writes a CSV header even when nothing matches', () => {
    expect(exportAudit(records, { format: 'csv', outcome: 'aborted' })).toMatch(/^id,ts,key_id,.*,hash,prev,cached_tokens,cache_write_tokens\r\n$/);
  });

  it('starts a CSV with a byte order mark only when asked (for Excel)', () => {
    expect(exportAudit(records, { format: 'csv', bom: true }).startsWith('\uFEFFid,ts,')).toBe(true);
    expect(exportAudit(records, { format: 'csv' }).startsWith('id,ts,')).toBe(true);
    expect(exportAudit(records, { format: 'jsonl', bom: true }).startsWith('{')).toBe(true);
  });

  it('reads dates as UTC, like the records, whatever the time zone of the machine exporting', () => {
    // A date alone is midnight UTC; a date-time names its offset. One without (read by
    // Date.parse in the machine's own zone) or any other wording is refused, not guessed.
    expect(ids(exportAudit(records, { format: 'jsonl', from: '2025-02-01' }))).toEqual(ids(exportAudit(records, { format: 'jsonl', from: '2025-02-01T00:00:00Z' })));
    expect(ids(exportAudit(records, { format: 'jsonl', from: '2025-02-01T01:00:00+01:00' }))).toEqual(ids(exportAudit(records, { format: 'jsonl', from: '2025-02-01T00:00:00Z' })));
    expect(() => exportAudit(records, { format: 'csv', from: '2025-02-01T00:00' })).toThrow(/from "2025-02-01T00:00" has no time zone; add Z \(UTC\) or an offset such as \+01:00/);
    expect(() => exportAudit(records, { format: 'csv', to: 'February 1, 2025' })).toThrow(/to "February 1, 2025" is not a date/);
    expect(() => exportAudit(records, { format: 'csv', to: '2025-02-30' })).toThrow(/to "2025-02-30" is not a date/);
  });

  it('refuses a window that holds no instant (from at or after to) rather than exporting nothing', () => {
    // Swapped by mistake: an empty export would read as "no such records".
    expect(() => exportAudit(records, { format: 'csv', from: '2025-02-15', to: '2025-02-01' })).toThrow(
      'audit export: from "2025-02-15" is not before to "2025-02-01", so no record could match (from is inclusive, to exclusive); swap them, or give a later to',
    );
    expect(() => exportAudit(records, { format: 'csv', from: '2025-02-01T01:00:00+01:00', to: '2025-02-01' })).toThrow(/is not before to/);
    expect(ids(exportAudit(records, { format: 'jsonl', from: '2025-02-01', to: '2025-02-01T00:00:00.001Z' }))).toEqual(['req_2']);
  });

  it('refuses a bad date, outcome or format, naming it', () => {
    expect(() => exportAudit(records, { format: 'csv', from: 'last tuesday' })).toThrow(/from "last tuesday" is not a date/);
    expect(() => exportAudit(records, { format: 'csv', outcome: 'lost' as never })).toThrow(/outcome "lost" is not one of/);
    expect(() => exportAudit(records, { format: 'xml' as never })).toThrow(/format "xml" is not csv or jsonl/);
  });
});
