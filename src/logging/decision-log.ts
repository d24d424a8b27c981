import { countCandidates } from '../audit/exclusion-summary.js';
import type { AuditRecordBody } from '../audit/types.js';
import type { RequestObserver } from '../router/request-observer.js';
import type { Logger } from './logger.js';

/**
 * Logs each request's routing decision as one readable block at debug level: what was asked,
 * every candidate with its reasons (eligible first), every attempt, and how it ended. Keys appear
 * only as their audit id; no text of the request or answer.
 */
export function decisionLog(logger: Logger): RequestObserver {
  return {
    wantsContent: false,
    request: () => ({
      validated: () => undefined,
      attempt: () => ({ headers: undefined, failed: () => undefined, succeeded: () => undefined }),
      retry: () => undefined,
      firstChunk: () => undefined,
      end: ({ record }) => logger.debug(formatDecision(record)),
    }),
  };
}

type DecisionRecord = AuditRecordBody;

export function formatDecision(record: DecisionRecord): string {
  const served = record.provider ? ` via ${record.provider}/${record.model}` : '';
  const cost = record.cost === null ? '' : `, ${record.cost} ${record.currency}`;
  const lines = [
    `sovroute ${record.id} ${record.endpoint}${record.stream ? ' (stream)' : ''} ${record.requested_model ?? '(no model)'} → ${record.outcome}${served} (${record.duration_ms} ms${cost})`,
    `  key ${record.key_id ?? 'none'} · tier ${record.tier ?? '-'} · policy ${record.policy ?? '-'} · objective ${record.objective ?? '-'}${record.simulated ? ' · simulated (test key)' : ''}`,
  ];
  // At most 1 KiB: a routing error goes on to list every excluded candidate (tens of KiB over a
  // large catalogue), which the block already shows below, summed up.
  if (record.error_code) lines.push(`  error ${record.error_code}: ${cut(record.error_message ?? '', maxErrorLength)}`);
  const { considered } = countCandidates(record);
  if (considered > 0) {
    const eligible = record.candidates.filter((candidate) => candidate.eligible);
    lines.push(`  candidates: ${eligible.length} eligible of ${considered}`);
    for (const candidate of [...eligible, ...record.candidates.filter((entry) => !entry.eligible)]) {
      const reasons = candidate.reasons.length > 0 ? `  ${candidate.reasons.join('; ')}` : '';
      lines.push(`    ${candidate.eligible ? '✓' : '✗'} ${candidate.provider}/${candidate.model}${reasons}`);
    }
    for (const group of record.excluded ?? []) {
      const more = group.count > group.examples.length ? ` and ${group.count - group.examples.length} more` : '';
      lines.push(`    ✗ ${group.examples.join(', ')}${more}  ${group.reason}`);
    }
  }
  record.attempts.forEach((attempt, index) => {
    const status = attempt.status === undefined ? '' : ` ${attempt.status}`;
    const code = attempt.code ? ` ${attempt.code}` : '';
    lines.push(`  attempt ${index + 1}: ${attempt.provider}/${attempt.model} ${attempt.outcome}${status}${code} in ${attempt.latency_ms} ms`);
  });
  return lines.map(printable).join('\n');
}

/** The longest error message a block quotes. @unit characters */
const maxErrorLength = 1024;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Control characters, DEL, C1 and the Unicode line separators: what could break a line or drive a terminal. */
const unprintable = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const shortEscapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A line with its control characters escaped (`\n`, `\u001b`): the model string and error
 * messages quote what a caller sent, which must not forge a line of the log nor reach a terminal
 * as an escape sequence.
 */
function printable(line: string): string {
  return line.replace(unprintable, (character) => shortEscapes[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
