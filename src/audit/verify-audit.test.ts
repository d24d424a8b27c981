import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashRecord } from './hash-chain.js';
import type { AuditRecord } from './types.js';
import { createAuditVerifier, verifyAudit } from './verify-audit.js';

function chain(length: number, start: string | null = null): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev = start;
  for (let index = 0; index < length; index++) {
    const record = { id: `req_${index}`, ts: new Date(1_700_000_000_000 + index).toISOString(), outcome: 'success', cost: index, prev } as unknown as AuditRecord;
    record.hash = hashRecord(record);
    prev = record.hash;
    records.push(record);
  }
  return records;
}

describe('verifyAudit', () => {
  it('accepts an empty chain and a chain that continues an earlier log', () => {
    expect(verifyAudit([])).toEqual({ ok: true });
    expect(verifyAudit(chain(3, 'f'.repeat(64)))).toEqual({ ok: true });
  });

  it('finds the first broken link for any edit, deletion or swap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 40 }), fc.nat(), fc.constantFrom('edit', 'delete', 'swap'), (length, seed, kind) => {
        const records = chain(length);
        const at = 1 + (seed % (length - 2));
        if (kind === 'edit') records[at] = { ...records[at]!, cost: -1 };
        if (kind === 'delete') records.splice(at, 1);
        if (kind === 'swap') [records[at], records[at + 1]] = [records[at + 1]!, records[at]!];
        const result = verifyAudit(records);
        expect(result.ok).toBe(false);
        expect(result.ok === false && result.index).toBe(at);
      }),
    );
  });

  it('detects a record re-hashed after an edit at the next link', () => {
    const records = chain(5);
    const forged = { ...records[2]!, cost: 1_000 };
    forged.hash = hashRecord(forged);
    records[2] = forged;
    expect(verifyAudit(records)).toMatchObject({ ok: false, index: 3 });
  });

  it('reports records added after the expected end', () => {
    const records = chain(6);
    expect(verifyAudit(records, { expectedLastHash: records[3]!.hash })).toMatchObject({ ok: false, index: 4, reason: expect.stringMatching(/continues with 2 more/) });
  });

  it('reports a value that is not a record, and a rejected entry, at its index', () => {
    expect(verifyAudit([...chain(2), { id: 'x' } as unknown as AuditRecord])).toMatchObject({ ok: false, index: 2, reason: expect.stringMatching(/not an audit record/) });
    const verifier = createAuditVerifier();
    for (const record of chain(2)) verifier.add(record);
    expect(verifier.reject('line 3 is not JSON')).toEqual({ ok: false, index: 2, reason: 'line 3 is not JSON' });
  });
});

describe('verifyAudit with expectedFirstPrev', () => {
  it('null: records deleted from the start of a log are a break at index 0', () => {
    const records = chain(5);
    expect(verifyAudit(records, { expectedFirstPrev: null })).toEqual({ ok: true });
    expect(verifyAudit(records.slice(1))).toEqual({ ok: true });
    expect(verifyAudit(records.slice(2), { expectedFirstPrev: null })).toMatchObject({
      ok: false,
      index: 0,
      reason: expect.stringMatching(/^record 0 does not start a log: its prev is [0-9a-f]{64}, not null; records were deleted from the start/),
    });
  });

  it('a hash: the chain must continue from it', () => {
    const records = chain(5);
    expect(verifyAudit(records.slice(2), { expectedFirstPrev: records[1]!.hash })).toEqual({ ok: true });
    expect(verifyAudit(records.slice(3), { expectedFirstPrev: records[1]!.hash })).toMatchObject({
      ok: false,
      index: 0,
      reason: expect.stringMatching(new RegExp(`expected to continue from ${records[1]!.hash}`)),
    });
    expect(verifyAudit(records, { expectedFirstPrev: records[1]!.hash })).toMatchObject({ ok: false, index: 0 });
  });

  it('tells a swap of the first two records from a deletion', () => {
    const records = chain(4);
    [records[0], records[1]] = [records[1]!, records[0]!];
    expect(verifyAudit(records, { expectedFirstPrev: null })).toEqual({ ok: false, index: 0, reason: 'records 0 and 1 are in the wrong order (swapped)' });
  });

  it('the verifier reports the prev the chain starts from', () => {
    const records = chain(3, 'a'.repeat(64));
    const verifier = createAuditVerifier();
    expect(verifier.firstPrev).toBeNull();
    for (const record of records) verifier.add(record);
    expect(verifier.firstPrev).toBe('a'.repeat(64));
  });
});
