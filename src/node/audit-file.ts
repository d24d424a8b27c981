import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { exportHeader, exportLine, auditFilter, type AuditExportOptions } from '../audit/export-audit.js';
import type { AuditRecord } from '../audit/types.js';
import { createAuditVerifier, type AuditVerification, type VerifyAuditOptions } from '../audit/verify-audit.js';
import { InvalidRequestError } from '../errors.js';

/** One line of a JSONL audit log: a record, or why the line is not one. Blank lines are skipped. */
type AuditLine = { line: number; record: AuditRecord } | { line: number; problem: string };

/** The lines of a JSONL audit log, streamed: a log of any size is read in constant memory. */
export async function* auditFileLines(path: string): AsyncGenerator<AuditLine> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { line: number, problem: `line ${number} is not JSON (an interrupted write leaves a torn line)` };
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
 * line that is not a record; `verifyAuditFile` reports such a line as a break instead.
 */
export async function readAuditFile(path: string): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const entry of auditFileLines(path)) {
    if ('problem' in entry) throw new InvalidRequestError(`${path}: ${entry.problem}`, 'path');
    records.push(entry.record);
  }
  return records;
}

/** The verification of a log file, with how many records it holds and where its chain ends. */
export type AuditFileVerification = AuditVerification & { count: number; lastHash: string | null };

/**
 * Verifies the hash chain of a JSONL audit log as `verifyAudit` does, streaming the file.
 * `index` counts records (blank lines aside); the reason names the line.
 */
export async function verifyAuditFile(path: string, options: VerifyAuditOptions = {}): Promise<AuditFileVerification> {
  const verifier = createAuditVerifier(options);
  // Line numbers of the last few records: a break is judged at most one record late.
  const lines = new Map<number, number>();
  let result: AuditVerification | undefined;
  for await (const entry of auditFileLines(path)) {
    if ('problem' in entry) {
      result = verifier.reject(entry.problem);
    } else {
      lines.set(verifier.count, entry.line);
      lines.delete(verifier.count - 3);
      result = verifier.add(entry.record);
    }
    if (result) break;
  }
  result ??= verifier.end();
  if (!result.ok && lines.has(result.index)) result = { ...result, reason: `${result.reason} (line ${lines.get(result.index)})` };
  return { ...result, count: verifier.count, lastHash: verifier.lastHash };
}

/**
 * Exports a JSONL audit log as CSV or JSONL, streaming it: `write` receives the output in
 * pieces (await it to respect backpressure). Returns the number of records exported.
 */
export async function exportAuditFile(
  path: string,
  options: AuditExportOptions,
  write: (text: string) => void | Promise<void>,
): Promise<number> {
  const keep = auditFilter(options);
  let buffer = exportHeader(options);
  let count = 0;
  for await (const entry of auditFileLines(path)) {
    if ('problem' in entry) throw new InvalidRequestError(`${path}: ${entry.problem}; run sovroute audit verify to see where the log is broken`, 'path');
    if (!keep(entry.record)) continue;
    buffer += exportLine(entry.record, options.format);
    count += 1;
    if (buffer.length >= 64 * 1024) {
      await write(buffer);
      buffer = '';
    }
  }
  if (buffer !== '') await write(buffer);
  return count;
}
