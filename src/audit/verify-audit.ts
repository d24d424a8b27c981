import { hashRecord } from './hash-chain.js';
import type { AuditRecord } from './types.js';

/** The result of checking a chain: the first broken link, if any. */
export type AuditVerification = { ok: true } | { ok: false; index: number; reason: string };

export interface VerifyAuditOptions {
  /**
   * The hash the chain must end with, kept somewhere the log's writer cannot edit (a ticket, a
   * signed message, another system). Without it, records cut off the end cannot be detected.
   */
  expectedLastHash?: string;
  /**
   * The `prev` the first record must have: `null` for a whole log (a log written by
   * `jsonlAudit` starts with `prev: null`), or the last hash of the log this one continues.
   * Without it, records deleted from the start cannot be detected. Leave it out for a ring such
   * as `memoryAudit`, which drops its oldest records by design.
   */
  expectedFirstPrev?: string | null;
}

/** Checks records one at a time, so a log of any size verifies in constant memory. */
export interface AuditVerifier {
  /** Adds the next record; returns the first broken link once one is known. */
  add(record: unknown): AuditVerification | undefined;
  /** Reports an entry that is not a record at all (e.g. a line that is not JSON). */
  reject(reason: string): AuditVerification;
  /** Ends the chain; checks the expected last hash. */
  end(): AuditVerification;
  /** Records added so far. */
  readonly count: number;
  /** The `prev` of the first record added: null for the start of a chain, or before any record. */
  readonly firstPrev: string | null;
  /** The hash of the last record added. */
  readonly lastHash: string | null;
}

function isChained(value: unknown): value is AuditRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { hash, prev } = value as { hash?: unknown; prev?: unknown };
  return typeof hash === 'string' && (prev === null || typeof prev === 'string');
}

export function createAuditVerifier(options: VerifyAuditOptions = {}): AuditVerifier {
  let count = 0;
  let firstPrev: string | null = null;
  let lastHash: string | null = null;
  let expectedSeenAt = -1;
  // A record whose prev does not match: judged when the next one shows whether it was a swap.
  let suspect: { index: number; prev: string | null; before: string | null } | undefined;
  let failure: AuditVerification | undefined;

  function gap(index: number, prev: string | null, before: string | null): AuditVerification {
    if (index === 0) {
      return {
        ok: false,
        index,
        reason:
          before === null
            ? `record 0 does not start a log: its prev is ${prev ?? 'null'}, not null; records were deleted from the start, or this log continues an earlier one`
            : `record 0 does not continue the expected chain: its prev is ${prev ?? 'null'} but the chain was expected to continue from ${before}; records were deleted or inserted between the two`,
      };
    }
    return {
      ok: false,
      index,
      reason: `record ${index} does not follow record ${index - 1}: its prev is ${prev ?? 'null'} but record ${index - 1} has hash ${before}; a record was deleted or inserted here, or records were reordered`,
    };
  }

  function judge(next: AuditRecord | undefined): AuditVerification {
    const { index, prev, before } = suspect!;
    suspect = undefined;
    // Swapped pair: this record links to the next one, and the next links to the one before.
    if (next && next.prev === before && prev === next.hash) {
      return { ok: false, index, reason: `records ${index} and ${index + 1} are in the wrong order (swapped)` };
    }
    return gap(index, prev, before);
  }

  return {
    get count() {
      return count;
    },
    get firstPrev() {
      return firstPrev;
    },
    get lastHash() {
      return lastHash;
    },
    add(record) {
      if (failure) return failure;
      const index = count;
      if (!isChained(record)) {
        failure = suspect ? judge(undefined) : { ok: false, index, reason: `record ${index} is not an audit record: it has no hash and prev` };
        return failure;
      }
      if (suspect) return (failure = judge(record));
      if (hashRecord(record) !== record.hash) {
        return (failure = { ok: false, index, reason: `record ${index} (${String(record.id)}) was edited: its content does not match its hash` });
      }
      // The first record links to the expected start, when one is given; every other one to its predecessor.
      const before = index === 0 ? options.expectedFirstPrev : lastHash;
      if (before !== undefined && record.prev !== before) suspect = { index, prev: record.prev, before };
      if (index === 0) firstPrev = record.prev;
      count += 1;
      lastHash = record.hash;
      if (options.expectedLastHash !== undefined && record.hash === options.expectedLastHash) expectedSeenAt = index;
      return undefined;
    },
    reject(reason) {
      failure ??= suspect ? judge(undefined) : { ok: false, index: count, reason };
      return failure;
    },
    end() {
      if (failure) return failure;
      if (suspect) return (failure = judge(undefined));
      const expected = options.expectedLastHash;
      if (expected === undefined || expected === lastHash) return { ok: true };
      if (expectedSeenAt >= 0) {
        return { ok: false, index: expectedSeenAt + 1, reason: `the chain was expected to end at record ${expectedSeenAt} (hash ${expected}) but continues with ${count - expectedSeenAt - 1} more` };
      }
      return {
        ok: false,
        index: count,
        reason: `the chain ends at ${lastHash ?? 'no record'} but was expected to end at ${expected}: records were removed from the end`,
      };
    },
  };
}

/**
 * Checks a hash chain of audit records: each record's hash matches its content, and each
 * record's `prev` is the hash of the record before it. Reports the first broken link: an
 * edited record, a deleted or inserted one, a swapped pair, (given `expectedLastHash`) records
 * removed from the end, or (given `expectedFirstPrev`) records removed from the start.
 *
 * @example
 * const result = verifyAudit(audit.records, { expectedLastHash });
 * if (!result.ok) console.error(`record ${result.index}: ${result.reason}`);
 */
export function verifyAudit(records: Iterable<AuditRecord>, options: VerifyAuditOptions = {}): AuditVerification {
  const verifier = createAuditVerifier(options);
  for (const record of records) {
    const result = verifier.add(record);
    if (result) return result;
  }
  return verifier.end();
}
