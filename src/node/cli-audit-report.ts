import { writeFile } from 'node:fs/promises';
import { auditFilter, type AuditFilter } from '../audit/export-audit.js';
import type { AuditOutcome } from '../audit/types.js';
import { defaultCatalog } from '../catalog/default-catalog.js';
import { InvalidRequestError } from '../errors.js';
import type { JurisdictionFacts } from '../providers/types.js';
import { auditFileLines } from './audit-file.js';
import { loadGatewayConfig } from './config/load-config.js';
import { checkDatabaseUrl, checkNotDatabaseUrl, onDatabase, safeUrl } from './cli-audit-postgres.js';
import { checkInput, checkWritable, FileError, fileErrorReason } from './cli-output.js';
import { commaList, nonEmpty, parseCommand, UsageError, withProgress, type CommandIo } from './cli-usage.js';
import { createReportBuilder } from './report/report-data.js';
import { renderReport } from './report/report-html.js';

export const reportUsage = `Usage: sovroute audit report <file> | --postgres <url> [--table <name>] --html <out.html> [--from <ISO>] [--to <ISO>] [--outcome <o>[,...]] [--provider <id>[,...]] [--config <file>] [--continues <hash> | --segment]

  Writes one self-contained HTML file (no script, nothing fetched, printable on A4) for the
  people around an app: requests by outcome over time, spend by provider, model and key (per
  currency; the 20 keys that spent most, the others summed in one row), traffic per jurisdiction
  tier and hosting country, every denial with its reason, fallbacks, the policies in force and
  when they changed, and the hash chain's verification with its first and last hash. The log is streamed: its size does not matter. Exit 1 when the chain is broken
  (the report is still written, and says so).

Options:
  --html <out.html>          where to write the report (required)
  --from <ISO>               records at or after this instant (a date is midnight UTC; a time needs Z or an offset)
  --to <ISO>                 records before this instant
  --outcome <outcome>[,...]  success, error, denied, invalid, aborted, dropped (gap records)
  --provider <id>[,...]      records served (or last failed) by these providers
  --continues <hash>         the log continues an earlier one (rotated): its first record follows this hash
  --segment                  the log's first record may follow any record
  --postgres <url>           report on the chain postgresAudit keeps in that database
  --table <name>             with --postgres (default sovroute_audit)
  --config <file>            a configuration whose providers' facts place custom deployments
                             (built-in presets are known without it)
  -h, --help                 print this help
`;

const options = {
  html: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  outcome: { type: 'string' },
  provider: { type: 'string' },
  config: { type: 'string' },
  postgres: { type: 'string' },
  table: { type: 'string' },
  continues: { type: 'string' },
  segment: { type: 'boolean' },
} as const;

/** `sovroute audit report`; resolves to the exit code. */
export async function auditReportCommand(args: string[], io: Pick<CommandIo, 'stdout' | 'stderr'> & { env?: NodeJS.ProcessEnv }): Promise<number> {
  const { positionals, values } = parseCommand(args, options, reportUsage, true);
  const [file] = positionals;
  const database = values.postgres;
  checkDatabaseUrl(database, reportUsage);
  if (database === undefined) checkNotDatabaseUrl(file, reportUsage);
  if (database !== undefined ? positionals.length > 0 : file === undefined || positionals.length > 1) {
    throw new UsageError('audit report takes one JSONL audit log or --postgres <url>', reportUsage);
  }
  if (values.table !== undefined && database === undefined) throw new UsageError('--table goes with --postgres', reportUsage);
  if (values.html === undefined) throw new UsageError('audit report needs --html <out.html>', reportUsage);
  nonEmpty(values.config, '--config', 'the path of a configuration file', reportUsage);
  // Where the chain must start, as audit verify takes it: a rotated log continues the one before.
  const continues = values.continues?.toLowerCase();
  if (continues !== undefined || values.segment) {
    if (database !== undefined) throw new UsageError('--continues and --segment are for files; a PostgreSQL chain starts at seq 1', reportUsage);
    if (continues !== undefined && values.segment) throw new UsageError('give --continues <hash> or --segment, not both', reportUsage);
    if (continues !== undefined && !/^[0-9a-f]{64}$/.test(continues)) {
      throw new UsageError(`--continues takes the hash (64 hex digits) of the last record of the log this file continues; got "${continues}"`, reportUsage);
    }
  }
  const filter: AuditFilter = {
    from: values.from,
    to: values.to,
    outcome: commaList(values.outcome, '--outcome', 'an outcome', reportUsage) as AuditOutcome[] | undefined,
    provider: commaList(values.provider, '--provider', 'a provider id', reportUsage),
  };
  let keep: ReturnType<typeof auditFilter>;
  try {
    keep = auditFilter(filter);
  } catch (error) {
    // The filters are export's, and so are their messages: this command says its own name.
    if (InvalidRequestError.isInstance(error)) throw new UsageError(error.message.replace(/^audit export: /, 'audit report: '), reportUsage);
    throw error;
  }
  if (file !== undefined) await checkInput(file, { path: values.html, option: '--html' });
  // Before a read that may take minutes: a report that cannot be written is said at once.
  await checkWritable(values.html);

  const facts = new Map<string, JurisdictionFacts | undefined>();
  for (const provider of defaultCatalog()) facts.set(provider.id, provider.jurisdiction);
  if (values.config !== undefined) {
    const config = await loadGatewayConfig(values.config, io.env ?? process.env);
    for (const provider of config.router.providers) facts.set(provider.id, provider.jurisdiction);
  }

  const builder = createReportBuilder(facts, keep, values.segment ? {} : { expectedFirstPrev: continues ?? null });
  let source: string;
  if (database !== undefined) {
    // The PostgreSQL room (and pg) loads only for --postgres.
    const { readPostgresAuditChecked } = await import('../postgres/read-postgres-audit.js');
    const table = values.table ?? 'sovroute_audit';
    source = `${table} in ${safeUrl(database)}`;
    // Up to the head, with the head checked: a removed tail breaks the chain as in `audit verify`.
    await onDatabase(database, async () => {
      for await (const row of withProgress(readPostgresAuditChecked({ connectionString: database, table }), io.stderr, `sovroute: reading ${table}`)) {
        // A row edited into text that is no record, a missing seq or a cut tail breaks the chain there: the report says so.
        if (row.record === undefined) builder.reject(row.broken);
        else builder.add(row.record);
      }
    });
  } else {
    source = file!;
    try {
      for await (const line of withProgress(auditFileLines(source), io.stderr, `sovroute: reading ${source}`)) {
        if ('record' in line) builder.add(line.record);
        else if ('torn' in line) builder.torn();
        else builder.reject(line.problem);
      }
    } catch (error) {
      throw new FileError(`cannot read ${source}: ${fileErrorReason(error)}`, { cause: error });
    }
  }
  const data = builder.finish();
  const filters = Object.entries({ from: values.from, to: values.to, outcome: values.outcome, provider: values.provider })
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name} ${value}`);
  const html = renderReport(data, { source, filters, generatedAt: new Date().toISOString() });
  try {
    await writeFile(values.html, html);
  } catch (error) {
    throw new FileError(`cannot write ${values.html}: ${fileErrorReason(error)}`, { cause: error });
  }
  const { verification } = data;
  const verdict = verification.ok ? 'chain intact' : `chain broken at record ${verification.index}`;
  const headless = file !== undefined && continues === undefined && !values.segment && !verification.ok && verification.index === 0 && verification.reason.startsWith('record 0 does not start a log');
  const hint = headless ? "; to report on a file that continues an earlier log, pass --continues <that log's last hash>, or --segment" : '';
  io.stderr.write(`sovroute: wrote ${values.html} (${data.kept.toLocaleString('en')} of ${data.total.toLocaleString('en')} records; ${verdict}${hint})\n`);
  return verification.ok ? 0 : 1;
}
