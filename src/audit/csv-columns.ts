import { countCandidates } from './exclusion-summary.js';
import type { AuditRecord } from './types.js';

type Cell = string | number | boolean | null | undefined;

/** One column of the CSV export: its header, what it holds, and how it is read off a record. */
export interface AuditCsvColumn {
  readonly name: string;
  readonly description: string;
  readonly value: (record: AuditRecord) => Cell;
}

const column = (name: string, description: string, value: (record: AuditRecord) => Cell): AuditCsvColumn => ({ name, description, value });

/**
 * The flat column set of `exportAudit(records, { format: 'csv' })`, one row per request, in
 * this order. Lists (candidates, attempts) are summarised; the JSONL export keeps them whole.
 */
export const auditCsvColumns: readonly AuditCsvColumn[] = [
  column('id', 'audit record id, as returned to the caller (route.audit_id, x-request-id)', (record) => record.id),
  column('ts', 'when the request arrived, ISO 8601 UTC', (record) => record.ts),
  column('key_id', "the API key's label or hash prefix (never the key)", (record) => record.key_id),
  column('endpoint', 'chat.completions, completions, embeddings, responses, or other (a request refused by serve() before any endpoint)', (record) => record.endpoint),
  column('outcome', "success, error, denied, invalid or aborted; dropped for a gap record, whose error_message names the records dropped there", (record) => record.outcome),
  column('error_code', 'the error code when the outcome is not success', (record) => record.error_code),
  column('error_message', 'the error message when the outcome is not success', (record) => record.error_message),
  column('requested_model', 'the model string as sent', (record) => record.requested_model),
  column('tier', 'the form of the model string: 1, 2, 2+, 3, auto or pinned', (record) => record.tier),
  column('policy', 'the effective jurisdiction policy', (record) => record.policy),
  column('policy_hash', "SHA-256 of the effective policies' content", (record) => record.policy_hash),
  column('objective', 'the strategy that ranked the candidates', (record) => record.objective),
  column('provider', 'the provider that answered (for a stream cut part-way, the one that was streaming)', (record) => record.provider),
  column('model', 'the canonical model id used', (record) => record.model),
  column('simulated', 'true when a test- key had the pseudo-LLM answer', (record) => record.simulated),
  column('stream', 'true for a streamed request', (record) => record.stream),
  column('prompt_tokens', 'prompt tokens', (record) => record.usage?.prompt_tokens),
  column('completion_tokens', 'completion tokens', (record) => record.usage?.completion_tokens),
  column('total_tokens', 'total tokens', (record) => record.usage?.total_tokens),
  column('usage_estimated', 'true when the tokens are estimated, not reported by the provider', (record) => (record.usage ? record.usage.estimated === true : null)),
  column('estimated_cost', 'cost expected before the call', (record) => record.estimated_cost),
  column('cost', 'cost of the tokens used (for a simulated call, what they would have cost: nothing was spent)', (record) => record.cost),
  column('currency', 'currency of both costs', (record) => record.currency),
  column('attempts', 'number of upstream attempts', (record) => record.attempts?.length),
  column('attempt_path', 'each attempt as provider/model:outcome and HTTP status, separated by " > "', (record) =>
    record.attempts?.map((attempt) => `${attempt.provider}/${attempt.model}:${attempt.outcome}${attempt.status ? ` ${attempt.status}` : ''}`).join(' > '),
  ),
  column('fallback_used', 'true when another candidate than the first one tried was used', (record) => record.fallback_used),
  column('candidates', 'number of candidates considered (listed, plus those counted in excluded)', (record) => (record.candidates === undefined ? undefined : countCandidates(record).considered)),
  column('excluded', 'number of candidates excluded (by policy, fit, configuration, limits or circuit)', (record) => (record.candidates === undefined ? undefined : countCandidates(record).excluded)),
  column('duration_ms', 'from arrival to end (a stream: its end), milliseconds', (record) => record.duration_ms),
  column('overhead_ms', 'time spent in the router outside upstream calls, milliseconds', (record) => record.overhead_ms),
  column('hash', "the record's hash in the chain", (record) => record.hash),
  column('prev', "the previous record's hash in the chain", (record) => record.prev),
  // Columns added later go last, so a reader of earlier exports by position keeps its columns.
  column('cached_tokens', "prompt tokens read from the provider's prompt cache (part of prompt_tokens)", (record) => (record.usage ? (record.usage.cached_tokens ?? 0) : null)),
  column('cache_write_tokens', "prompt tokens written to the provider's prompt cache (part of prompt_tokens)", (record) => (record.usage ? (record.usage.cache_write_tokens ?? 0) : null)),
];

/**
 * One CSV field, RFC 4180: quoted when it holds a comma, a quote or a line break, quotes
 * doubled. Text that a spreadsheet would run as a formula (starting with = + - @, tab or
 * carriage return) gets a leading single quote, so an attacker-chosen model string or error
 * message cannot become a formula when the export is opened. Text holding a semicolon is quoted
 * too: Excel splits a .csv on its locale's list separator, a semicolon across most of the EU,
 * and would otherwise start a cell (a formula) after it.
 */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",;\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header line, CRLF-terminated. */
export function csvHeader(): string {
  return `${auditCsvColumns.map((entry) => csvField(entry.name)).join(',')}\r\n`;
}

/** One record as one CSV line, CRLF-terminated. */
export function csvLine(record: AuditRecord): string {
  return `${auditCsvColumns.map((entry) => csvField(entry.value(record))).join(',')}\r\n`;
}
