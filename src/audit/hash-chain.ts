import { sha256Hex, sha256HexOfParts } from '../internal/sha256.js';
import { canonicalJson } from './canonical-json.js';
import { canonicalRecordParts } from './canonical-record.js';
import type { AuditRecord } from './types.js';

/**
 * SHA-256 (hex) over the canonical JSON of the record without its own `hash` (its `prev`
 * included). The canonical form is RFC 8785 (JCS) for JSON data, so any JCS library can check it.
 */
export function hashRecord(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  return sha256HexOfParts(canonicalRecordParts(record));
}

/**
 * The hex SHA-256 of a value's canonical JSON (keys sorted, `undefined` dropped): what an audit
 * record holds for a message or an answer with `audit.content: 'hash'`. Compute it for a known
 * message to find the records that carried it.
 *
 * @example contentHash({ role: 'user', content: 'Hello!' })
 */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
