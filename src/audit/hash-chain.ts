import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { AuditRecord } from './types.js';

/** SHA-256 over the canonical JSON of the record without its own `hash` (its `prev` included). */
export function hashRecord(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...content } = record;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
