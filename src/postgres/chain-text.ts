import { canonicalJson } from '../audit/canonical-json.js';
import type { AuditRecord } from '../audit/types.js';

/**
 * A record's canonical JSON cut around its `prev` value: `before + prevJson + after` is exactly
 * `canonicalJson(record without hash)`, the text `hashRecord` hashes. The database fills in
 * `prev` under its lock, so every instance of a fleet extends one chain, and the stored text
 * verifies with the same `verifyAudit` as a JSONL log.
 */
export interface ChainText {
  before: string;
  after: string;
}

/** Splits by key order: canonical JSON sorts keys, so `prev` sits between the keys below and above it. */
export function chainText(record: AuditRecord): ChainText {
  const lower: Record<string, unknown> = {};
  const upper: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (key === 'prev' || key === 'hash') continue;
    // The same comparison as canonicalJson's sort (UTF-16 code units).
    (key < 'prev' ? lower : upper)[key] = record[key];
  }
  const low = canonicalJson(lower);
  const high = canonicalJson(upper);
  return {
    before: `${low === '{}' ? '{' : `${low.slice(0, -1)},`}"prev":`,
    after: high === '{}' ? '}' : `,${high.slice(1)}`,
  };
}
