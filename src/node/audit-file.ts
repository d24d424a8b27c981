import { createReadStream } from 'node:fs';
import { exportRecords, type AuditExportOptions } from '../audit/export-audit.js';
import type { AuditRecord } from '../audit/types.js';
import { createAuditVerifier, type AuditVerification, type VerifyAuditOptions } from '../audit/verify-audit.js';
import { InvalidRequestError } from '../errors.js';
import { closingBrace, isSpace, newline } from './file-tail.js';

/**
 * One line of a JSONL audit log: a record, a torn line (not JSON: what a write cut short by a
 * crash leaves), or why the line is not a record. Blank lines are skipped.
 */
export type AuditLine = { line: number; record: AuditRecord } | { line: number; torn: true } | { line: number; problem: string };

/** Why a line that is not JSON is taken for a torn write, for messages. */
export function tornLine(line: number): string {
  return `line ${line} is torn: it is not JSON, so a write was cut short there (e.g. by a crash)`;
}

/**
 * The longest line read as text (a record is a few KiB). A longer one (a power loss can leave
 * megabytes of zero bytes after the last record) is passed over without being held, so the log
 * is read in bounded memory whatever it holds: it is a torn line unless it ends with `}`, as the
 * writer judges it, and a line that long that may be a record cannot be verified.
 */
const maxLineBytes = 64 * 1024 * 1024;

/** A file's lines as bytes (without their newline), or the last byte that is not a space of a line too long to hold. */
async function* rawLines(path: string): AsyncGenerator<Buffer | { tooLong: number | undefined }> {
  let parts: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  let lastByte: number | undefined;
  let lines = 0;
  let pending = false;
  const end = () => {
    const line = tooLong ? { tooLong: lastByte } : Buffer.concat(parts, length);
    parts = [];
    length = 0;
    tooLong = false;
    lastByte = undefined;
    pending = false;
    // A byte order mark (a Windows editor saves one) is not part of the first record.
    if (lines++ === 0 && Buffer.isBuffer(line) && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) return line.subarray(3);
    return line;
  };
  const keep = (piece: Buffer) => {
    if (piece.length === 0) return;
    pending = true;
    for (let index = piece.length - 1; index >= 0; index--) {
      if (!isSpace(piece[index]!)) {
        lastByte = piece[index];
        break;
      }
    }
    if (tooLong) return;
    length += piece.length;
    if (length > maxLineBytes) {
      tooLong = true;
      parts = [];
    } else parts.push(piece);
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let index = chunk.indexOf(newline); index >= 0; index = chunk.indexOf(newline, start)) {
      keep(chunk.subarray(start, index));
      pending = true;
      yield end();
      start = index + 1;
    }
    keep(chunk.subarray(start));
  }
  if (pending) yield end();
}

/** The lines of a JSONL audit log, streamed: a log of any size, with lines of any length, is read in bounded memory. */
export async function* auditFileLines(path: string): AsyncGenerator<AuditLine> {
  let number = 0;
  for await (const raw of rawLines(path)) {
    number += 1;
    if (!Buffer.isBuffer(raw)) {
      if (raw.tooLong === closingBrace) yield { line: number, problem: `line ${number} is longer than ${maxLineBytes / 1024 / 1024} MiB, too long to be read as an audit record` };
      else yield { line: number, torn: true };
      continue;
    }
    // UTF-8 never uses the newline byte inside a character, so a line's bytes decode on their own.
    const text = raw.toString('utf8');
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { line: number, torn: true };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line: number, problem: `line ${number} is not an audit record object` };
    } else {
      yield { line: number, record: value as AuditRecord };
    }
  }
}

/**
 * Reads a JSONL audit log written by `jsonlAudit()`. Throws `invalid_request` naming the first
 * line that is not a record, a torn line included; `verifyAuditFile` and `exportAuditFile` skip
 * torn lines and report them.
 */
export async function readAuditFile(path: string): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const entry of auditFileLines(path)) {
    if ('torn' in entry) {
      throw new InvalidRequestError(`${path}: ${tornLine(entry.line)}; verifyAuditFile and exportAuditFile skip torn lines and report them`, 'path');
    }
    if ('problem' in entry) throw new InvalidRequestError(`${path}: ${entry.problem}`, 'path');
    records.push(entry.record);
  }
  return records;
}

/**
 * The verification of a log file: how many records it holds, where its chain starts and ends,
 * and the torn lines it skipped.
 */
export type AuditFileVerification = AuditVerification & {
  count: number;
  /** The `prev` of the first record: null when the file starts a chain (or holds no record). */
  firstPrev: string | null;
  lastHash: string | null;
  /**
   * Line numbers (from 1) of torn lines: lines that are not JSON, left by a write cut short (e.g.
   * by a crash). They are skipped; the chain must still link across them, so a record lost in a
   * tear or deleted next to one is still a break. Lines after a break are not read.
   */
  torn: number[];
  /**
   * Present only when the log holds gap records (outcome `'dropped'`, written with
   * `audit.onFull: 'drop'`): each one's line and how many records it says were dropped there.
   * They are part of the chain, which verifies across them: the log declares what it misses.
   */
  gaps?: { line: number; count: number }[];
};

/**
 * Verifies the hash chain of a JSONL audit log as `verifyAudit` does, streaming the file. Torn
 * lines (not JSON: a write cut short) are skipped and listed in `torn`, wherever they are: the
 * record after them must chain from the last whole record before them, as a writer that resumed
 * past them writes it, so a record lost in a tear is still a break. Gap records are listed in
 * `gaps`. `index` counts records (blank and torn lines aside); the
 * reason names the line. Pass `expectedFirstPrev: null` to detect records deleted from the start.
 */
export async function verifyAuditFile(path: string, options: VerifyAuditOptions = {}): Promise<AuditFileVerification> {
  return verifyAuditLines(auditFileLines(path), options);
}

/** verifyAuditFile over lines already being read (the CLI counts them for its progress line). */
export async function verifyAuditLines(entries: AsyncIterable<AuditLine>, options: VerifyAuditOptions = {}): Promise<AuditFileVerification> {
  const verifier = createAuditVerifier(options);
  // Line numbers of the last few records: a break is judged at most one record late.
  const lines = new Map<number, number>();
  const torn: number[] = [];
  const gaps: { line: number; count: number }[] = [];
  let result: AuditVerification | undefined;
  for await (const entry of entries) {
    if ('torn' in entry) {
      torn.push(entry.line);
      continue;
    }
    if ('problem' in entry) {
      result = verifier.reject(entry.problem);
    } else {
      lines.set(verifier.count, entry.line);
      lines.delete(verifier.count - 3);
      result = verifier.add(entry.record);
      const count = entry.record.outcome === 'dropped' ? entry.record.dropped?.count : undefined;
      if (!result && typeof count === 'number') gaps.push({ line: entry.line, count });
    }
    if (result) break;
  }
  result ??= verifier.end();
  if (!result.ok && lines.has(result.index)) result = { ...result, reason: `${result.reason} (line ${lines.get(result.index)})` };
  return { ...result, count: verifier.count, firstPrev: verifier.firstPrev, lastHash: verifier.lastHash, torn, ...(gaps.length > 0 ? { gaps } : {}) };
}

/** What `exportAuditFile` exported, and the torn lines it skipped (line numbers, from 1). */
export interface AuditFileExport {
  count: number;
  torn: number[];
}

/**
 * Exports a JSONL audit log as CSV or JSONL, streaming it: `write` receives the output in
 * pieces (await it to respect backpressure). Torn lines (not JSON: a write cut short) are skipped
 * and listed in the result; a line that is JSON but not a record throws `invalid_request`.
 */
export async function exportAuditFile(
  path: string,
  options: AuditExportOptions,
  write: (text: string) => void | Promise<void>,
): Promise<AuditFileExport> {
  return exportAuditLines(path, auditFileLines(path), options, write);
}

/** exportAuditFile over lines already being read (the CLI counts them for its progress line). */
export async function exportAuditLines(
  path: string,
  entries: AsyncIterable<AuditLine>,
  options: AuditExportOptions,
  write: (text: string) => void | Promise<void>,
): Promise<AuditFileExport> {
  const torn: number[] = [];
  async function* records(): AsyncGenerator<AuditRecord> {
    for await (const entry of entries) {
      if ('torn' in entry) torn.push(entry.line);
      else if ('problem' in entry) throw new InvalidRequestError(`${path}: ${entry.problem}; run sovroute audit verify to see where the log is broken`, 'path');
      else yield entry.record;
    }
  }
  const count = await exportRecords(records(), options, write);
  return { count, torn };
}
