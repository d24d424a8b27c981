import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../audit/canonical-json.js';
import { hashRecord } from '../audit/hash-chain.js';
import type { AuditRecord } from '../audit/types.js';
import { chainText } from './chain-text.js';

describe('chainText', () => {
  it('cuts the canonical JSON around prev, so the database hashes exactly what hashRecord hashes', () => {
    const key = fc.oneof(fc.constantFrom('id', 'ts', 'outcome', 'zeta', 'a', 'prev2', 'pre', 'prex', 'Prev', '\u00e9t\u00e9'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.jsonValue({ maxDepth: 2 })),
        fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: null }),
        (fields, prev) => {
          const record = { ...fields, id: 'req_1', prev, hash: 'ignored' } as unknown as AuditRecord;
          const { before, after } = chainText(record);
          const text = `${before}${prev === null ? 'null' : JSON.stringify(prev)}${after}`;
          const { hash: _hash, ...content } = record;
          expect(text).toBe(canonicalJson(content));
          expect(JSON.parse(text)).toEqual(JSON.parse(canonicalJson(content)));
          expect(hashRecord({ ...(JSON.parse(text) as AuditRecord), hash: '' })).toBe(hashRecord(record));
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});
