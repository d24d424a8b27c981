import { InvalidRequestError } from '../errors.js';
import { csvHeader, csvLine } from './csv-columns.js';
import type { AuditOutcome, AuditRecord } from './types.js';

const outcomes: readonly AuditOutcome[] = ['success', 'error', 'denied', 'invalid', 'aborted', 'dropped'];

/** Which records to export. Every field narrows; absent fields keep everything. */
export interface AuditFilter {
  /** Records whose `ts` is at or after this instant: a Date, or ISO 8601 — a date alone (midnight UTC) or a date-time with `Z` or an offset. */
  from?: string | Date | undefined;
  /** Records whose `ts` is before this instant (exclusive: `--to 2025-02-01` keeps all of January). */
  to?: string | Date | undefined;
  /** Only these outcomes. */
  outcome?: AuditOutcome | readonly AuditOutcome[] | undefined;
  /** Only records served (or last failed) by these provider ids. */
  provider?: string | readonly string[] | undefined;
}

export interface AuditExportOptions extends AuditFilter {
  /** `csv`: one row per record, the columns of `auditCsvColumns`. `jsonl`: the records as stored. */
  format: 'csv' | 'jsonl';
  /**
   * Start a CSV with a UTF-8 byte order mark, which Excel needs to read non-ASCII text right
   * (other spreadsheets and RFC 4180 parsers do not).
   * @default false
   */
  bom?: boolean | undefined;
}

/**
 * ISO 8601 as records write it: a date alone (midnight UTC), or a date-time with `Z` or an offset.
 * `Date.parse` would also take a date-time without a zone (in the exporting machine's zone) and
 * English wordings: a compliance export that silently moves by the machine's offset is refused.
 */
const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

function instant(value: string | Date | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidRequestError(`audit export: ${name} is an invalid Date`, name);
    return value.getTime();
  }
  const dateTime = isoDateTime.exec(value);
  const time = (isoDate.test(value) || dateTime !== null) && realDay(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new InvalidRequestError(`audit export: ${name} "${String(value)}" is not a date; use ISO 8601, e.g. 2025-01-31 or 2025-01-31T00:00:00Z`, name);
  if (dateTime !== null && dateTime[3] === undefined) {
    throw new InvalidRequestError(`audit export: ${name} "${value}" has no time zone; add Z (UTC) or an offset such as +01:00 (records are in UTC)`, name);
  }
  return time;
}

/** `Date.parse` rolls 2025-02-30 over to March 2: a day the month does not have is no date. */
function realDay(value: string): boolean {
  const [year, month, day] = [Number(value.slice(0, 4)), Number(value.slice(5, 7)), Number(value.slice(8, 10))];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function list<T extends string>(value: T | readonly T[] | undefined): ReadonlySet<T> | undefined {
  if (value === undefined) return undefined;
  return new Set(typeof value === 'string' ? [value] : value);
}

/** A predicate for the filter; throws `invalid_request` naming a bad field. */
export function auditFilter(filter: AuditFilter): (record: AuditRecord) => boolean {
  const from = instant(filter.from, 'from');
  const to = instant(filter.to, 'to');
  if (from !== undefined && to !== undefined && from >= to) {
    // Swapped bounds would export nothing, which reads as "no such records".
    const shown = (value: string | Date | undefined) => (value instanceof Date ? value.toISOString() : String(value));
    throw new InvalidRequestError(
      `audit export: from "${shown(filter.from)}" is not before to "${shown(filter.to)}", so no record could match (from is inclusive, to exclusive); swap them, or give a later to`,
      'to',
    );
  }
  const wanted = list(filter.outcome);
  for (const outcome of wanted ?? []) {
    if (!outcomes.includes(outcome)) throw new InvalidRequestError(`audit export: outcome "${outcome}" is not one of ${outcomes.join(', ')}`, 'outcome');
  }
  const providers = list(filter.provider);
  return (record) => {
    if (from !== undefined || to !== undefined) {
      const time = Date.parse(record.ts);
      if (from !== undefined && !(time >= from)) return false;
      if (to !== undefined && !(time < to)) return false;
    }
    if (wanted && !wanted.has(record.outcome)) return false;
    if (providers) {
      // A request every attempt failed names no provider: the last attempt's is the one it last failed.
      const provider = record.provider ?? (Array.isArray(record.attempts) ? record.attempts.at(-1)?.provider : undefined);
      if (typeof provider !== 'string' || !providers.has(provider)) return false;
    }
    return true;
  };
}

/** Anything but csv would otherwise be written as JSONL. */
function checkFormat(format: unknown): void {
  if (format !== 'csv' && format !== 'jsonl') throw new InvalidRequestError(`audit export: format "${String(format)}" is not csv or jsonl`, 'format');
}

/** The header (CSV) or nothing (JSONL) that starts an export. */
export function exportHeader(options: Pick<AuditExportOptions, 'format' | 'bom'>): string {
  if (options.format !== 'csv') return '';
  return `${options.bom ? '\uFEFF' : ''}${csvHeader()}`;
}

/** One record in the export format, line ending included. */
export function exportLine(record: AuditRecord, format: AuditExportOptions['format']): string {
  return format === 'csv' ? csvLine(record) : `${JSON.stringify(record)}\n`;
}

/**
 * Exports records for a compliance team: CSV (a header row, then one RFC 4180 row per record,
 * CRLF line ends, formula-looking text neutralised) or JSONL (the records as stored, one per
 * line). A filtered export is a selection: verify the full log, then export.
 *
 * @example exportAudit(audit.records, { format: 'csv', outcome: 'denied', from: '2025-01-01' })
 */
export function exportAudit(records: Iterable<AuditRecord>, options: AuditExportOptions): string {
  checkFormat(options.format);
  const keep = auditFilter(options);
  let out = exportHeader(options);
  for (const record of records) if (keep(record)) out += exportLine(record, options.format);
  return out;
}

/**
 * Streams an export: the records that pass the filters, in the export format, handed to `write`
 * in pieces of about 64 KiB (awaited, so a slow output holds the reading back). Resolves to how
 * many records were exported.
 */
export async function exportRecords(
  records: AsyncIterable<AuditRecord>,
  options: AuditExportOptions,
  write: (text: string) => void | Promise<void>,
): Promise<number> {
  checkFormat(options.format);
  const keep = auditFilter(options);
  let buffer = exportHeader(options);
  let count = 0;
  for await (const record of records) {
    if (!keep(record)) continue;
    buffer += exportLine(record, options.format);
    count += 1;
    if (buffer.length >= 64 * 1024) {
      await write(buffer);
      buffer = '';
    }
  }
  if (buffer !== '') await write(buffer);
  return count;
}
