import { InvalidRequestError } from '../errors.js';
import { exportRecords, type AuditExportOptions } from '../audit/export-audit.js';
import type { AuditRecord } from '../audit/types.js';
import { createAuditVerifier, type AuditVerification, type VerifyAuditOptions } from '../audit/verify-audit.js';
import { openPool, type PostgresConnectionOptions } from './connection.js';
import { tableNames, type TableNames } from './table-names.js';

export interface PostgresAuditSource extends PostgresConnectionOptions {
  /** @default 'sovroute_audit' */
  table?: string;
  /** Rows read per query. @default 1000 */
  batchSize?: number;
}

/** One stored record with its place in the chain. */
export interface StoredAuditRecord {
  seq: number;
  record: AuditRecord;
}

/**
 * Reads the chain in `seq` order, a page at a time (keyset pagination: each page is its own
 * short statement), so a chain of any size is read in constant memory without holding a
 * transaction open.
 */
export async function* readPostgresAudit(source: PostgresAuditSource): AsyncGenerator<StoredAuditRecord> {
  for await (const row of readChain(source, null)) {
    if (row.record === undefined) throw new Error(`readPostgresAudit: the row at seq ${row.seq} ${row.problem}`);
    yield row as StoredAuditRecord;
  }
}

/**
 * Like {@link readPostgresAudit}, but a row whose stored text is not a record (edited behind the
 * triggers) comes as `{ seq, problem }` instead of ending the read: for a report that shows the
 * chain broken there and goes on.
 */
export async function* readPostgresAuditRows(source: PostgresAuditSource): AsyncGenerator<StoredRow> {
  yield* readChain(source, null);
}

/** A row of the chain: its record, or why the stored text is not one (a row edited behind the triggers). */
export type StoredRow = { seq: number; record: AuditRecord; problem?: undefined } | { seq: number; record: undefined; problem: string };

/** The chain in `seq` order, up to `lastSeq` when given. */
async function* readChain(source: PostgresAuditSource, lastSeq: number | null): AsyncGenerator<StoredRow> {
  const names = tableNames(source.table ?? 'sovroute_audit');
  const batchSize = source.batchSize ?? 1000;
  // A page of 0 rows would read as "not the last page" forever.
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidRequestError(`readPostgresAudit: batchSize must be a whole number of rows, at least 1; got ${batchSize}`, 'batchSize');
  }
  const { pool, close } = await openPool(source, 'readPostgresAudit');
  const bound = lastSeq === null ? '' : ` AND seq <= ${Math.floor(lastSeq)}`;
  try {
    let after = 0;
    for (;;) {
      const { rows } = await pool
        .query(`SELECT seq, hash, record FROM ${names.log} WHERE seq > $1${bound} ORDER BY seq LIMIT $2`, [after, batchSize])
        .catch((error: unknown) => noChain(error, names, 'readPostgresAudit'));
      for (const row of rows) {
        const seq = Number(row.seq);
        // The stored text is the record's canonical JSON without its hash: parsed back and given
        // its hash, it is the record exactly as hashed.
        let parsed: unknown;
        try {
          parsed = JSON.parse(row.record as string);
        } catch {
          parsed = undefined;
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) yield { seq, record: undefined, problem: 'holds text that is not a JSON record: it was edited' };
        else yield { seq, record: { ...(parsed as Omit<AuditRecord, 'hash'>), hash: row.hash as string } as AuditRecord };
        after = seq;
      }
      if (rows.length < batchSize) return;
    }
  } finally {
    await close();
  }
}

/** A missing table (undefined_table) says which chain is missing and how to create one; anything else is rethrown. */
function noChain(error: unknown, names: TableNames, where: string): never {
  if ((error as { code?: unknown } | null)?.code !== '42P01') throw error;
  throw new Error(
    `${where}: no audit chain "${names.label}" in this database (${(error as Error).message}): check the table name, or create it with sovroute audit migrate (migratePostgresAudit)`,
    { cause: error },
  );
}

type ChainHead = { seq: number; hash: string | null };

/**
 * The head row and the last stored `seq`, in one snapshot: an append moves both in one commit,
 * so a row past the head there (`beyondHead`) means the head was moved back, or (head `null`)
 * that its row was deleted, which would otherwise read as an empty chain.
 */
async function readHead(source: PostgresAuditSource, names: TableNames, where: string): Promise<{ head: ChainHead | null; beyondHead: number | null }> {
  const opened = await openPool(source, where);
  try {
    const { rows } = await opened.pool
      .query(`SELECT h.seq, h.hash, (SELECT max(l.seq) FROM ${names.log} l) AS last FROM (SELECT 1) AS one LEFT JOIN ${names.head} h ON h.one`)
      .catch((error: unknown) => noChain(error, names, where));
    const row = rows[0];
    const head = row === undefined || row.seq === null || row.seq === undefined ? null : { seq: Number(row.seq), hash: (row.hash as string | null | undefined) ?? null };
    const last = row?.last === null || row?.last === undefined ? 0 : Number(row.last);
    return { head, beyondHead: last > (head?.seq ?? -1) ? last : null };
  } finally {
    await opened.close();
  }
}

const headMovedBack = (head: ChainHead | null, beyondHead: number) =>
  head === null
    ? `the head row is missing, and the table holds ${beyondHead === 0 ? 'no records' : `records up to seq ${beyondHead}`}: the head was deleted, so where the chain ends cannot be checked`
    : `the head row says the chain ends at seq ${head.seq} (${head.hash ?? 'no hash'}) but the table holds records up to seq ${beyondHead}: the head was edited`;

const tailRemoved = (head: ChainHead, lastSeq: number, lastHash: string | null) =>
  `the head row says the chain ends at seq ${head.seq} (${head.hash ?? 'no hash'}) but the last record is seq ${lastSeq} (${lastHash ?? 'none'}): records were removed from the end, or the head was edited`;

/** A row of the chain read up to its head, or what breaks the chain beyond any one row's text. */
export type CheckedRow = { seq: number; record: AuditRecord; broken?: undefined } | { seq: number; record: undefined; broken: string };

/**
 * The chain up to the head read first, with what only the table shows: a missing `seq`, and a
 * head that does not match the last record (a removed tail, or a head moved back), each as a
 * `broken` row where it is found. For `audit report --postgres`, which reads every record and
 * must judge the chain as `verifyPostgresAudit` does.
 */
export async function* readPostgresAuditChecked(source: PostgresAuditSource): AsyncGenerator<CheckedRow> {
  const names = tableNames(source.table ?? 'sovroute_audit');
  const { head: read, beyondHead } = await readHead(source, names, 'readPostgresAudit');
  const head = read ?? { seq: 0, hash: null };
  if (beyondHead !== null) yield { seq: head.seq + 1, record: undefined, broken: headMovedBack(read, beyondHead) };
  let lastSeq = 0;
  let lastHash: string | null = null;
  for await (const { seq, record, problem } of readChain({ ...source, table: names.label }, head.seq)) {
    if (seq !== lastSeq + 1) yield { seq: lastSeq + 1, record: undefined, broken: missingRows(lastSeq, seq) };
    if (record === undefined) yield { seq, record: undefined, broken: `the row at seq ${seq} ${problem}` };
    else yield { seq, record };
    lastSeq = seq;
    lastHash = record === undefined ? null : record.hash;
  }
  if (head.seq !== lastSeq || head.hash !== lastHash) yield { seq: lastSeq + 1, record: undefined, broken: tailRemoved(head, lastSeq, lastHash) };
}

const missingRows = (lastSeq: number, seq: number) =>
  `${seq - 1 > lastSeq + 1 ? `rows ${lastSeq + 1}–${seq - 1} are` : `row ${lastSeq + 1} is`} missing: seq jumps from ${lastSeq} to ${seq}`;

export type PostgresAuditVerification = AuditVerification & {
  /** Records read. */
  count: number;
  /** Where the head row says the chain ends: compare it with a copy kept outside the database. */
  head: { seq: number; hash: string | null };
  /** The `seq` of the first broken record, when the chain is broken. */
  seq?: number;
};

/**
 * Verifies the chain in the table, streaming it: each record's hash matches its content, each
 * links to the one before, `seq` has no gap, and the head row agrees with the last record (a
 * removed tail shows). The first record must start the chain (`prev` null) unless
 * `expectedFirstPrev` says otherwise.
 */
export async function verifyPostgresAudit(source: PostgresAuditSource, options: VerifyAuditOptions = {}): Promise<PostgresAuditVerification> {
  const names = tableNames(source.table ?? 'sovroute_audit');
  const verifier = createAuditVerifier({ expectedFirstPrev: null, ...options });
  const { head: read, beyondHead } = await readHead(source, names, 'verifyPostgresAudit');
  const head = read ?? { seq: 0, hash: null };
  if (beyondHead !== null) return { ok: false, index: head.seq, reason: headMovedBack(read, beyondHead), count: 0, head, seq: head.seq + 1 };
  let expectedSeq = 1;
  let lastSeq = 0;
  // Up to the head read above: what other instances append meanwhile is checked by the next verification.
  for await (const { seq, record, problem } of readChain({ ...source, table: names.label }, head.seq)) {
    if (seq !== expectedSeq) {
      const result = verifier.reject(missingRows(expectedSeq - 1, seq));
      return { ...result, count: verifier.count, head, seq: expectedSeq };
    }
    if (record === undefined) return { ...verifier.reject(`the row at seq ${seq} ${problem}`), count: verifier.count, head, seq };
    const result = verifier.add(record);
    if (result && !result.ok) return { ...result, count: verifier.count, head, seq: 1 + result.index };
    expectedSeq = seq + 1;
    lastSeq = seq;
  }
  const end = verifier.end();
  if (!end.ok) return { ...end, count: verifier.count, head, seq: 1 + end.index };
  if (head.seq !== lastSeq || head.hash !== verifier.lastHash) {
    return {
      ok: false,
      index: verifier.count,
      reason: tailRemoved(head, lastSeq, verifier.lastHash),
      count: verifier.count,
      head,
      seq: lastSeq + 1,
    };
  }
  return { ok: true, count: verifier.count, head };
}

/** What `exportPostgresAudit` wrote. */
export interface PostgresAuditExport {
  /** Records read from the table. */
  read: number;
  /** Records that matched the filters and were written. */
  exported: number;
}

/**
 * Exports the chain (or the records matching the filters) as CSV or JSONL through `write`,
 * streaming: a page is written before the next is read. A filtered export is a selection:
 * verify the whole chain, then export.
 */
export async function exportPostgresAudit(
  source: PostgresAuditSource,
  options: AuditExportOptions,
  write: (text: string) => void | Promise<void>,
): Promise<PostgresAuditExport> {
  let read = 0;
  async function* records(): AsyncGenerator<AuditRecord> {
    for await (const { record } of readPostgresAudit(source)) {
      read++;
      yield record;
    }
  }
  const exported = await exportRecords(records(), options, write);
  return { read, exported };
}
