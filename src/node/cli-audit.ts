import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { auditFilter, type AuditExportOptions } from '../audit/export-audit.js';
import type { AuditOutcome } from '../audit/types.js';
import type { VerifyAuditOptions } from '../audit/verify-audit.js';
import { auditFileLines, exportAuditLines, tornLine, verifyAuditLines } from './audit-file.js';
import { checkDatabaseUrl, checkNotDatabaseUrl, exportPostgres, migratePostgres, verifyPostgres } from './cli-audit-postgres.js';
import { checkInput, FileError, fileErrorReason, openOutput, type OutputFile } from './cli-output.js';
import { auditReportCommand, reportUsage } from './cli-audit-report.js';
import { commaList, parseCommand, UsageError, wantsHelp, withProgress } from './cli-usage.js';

export { UsageError } from './cli-usage.js';

export const verifyUsage = `Usage: sovroute audit verify <file> | --postgres <url> [--table <name>] [--expect-last-hash <hash>] [--continues <hash> | --segment]

  Checks the hash chain of a JSONL audit log: exit 0 when intact (torn lines, left by a write
  cut short, are skipped with a warning naming each; gap records, declaring records dropped
  with audit.onFull 'drop', are warned about), 1 at the first broken link.

Options:
  --expect-last-hash <hash>  the last record must have this hash (one kept elsewhere)
  --continues <hash>         the first record must follow this hash (the last of the log this file continues)
  --segment                  the first record may follow any record
  --postgres <url>           the chain postgresAudit keeps in that database; prints its head (seq, hash)
  --table <name>             with --postgres (default sovroute_audit)
  -h, --help                 print this help
`;

export const exportUsage = `Usage: sovroute audit export <file> | --postgres <url> --format csv|jsonl [filters] [--out <path>] [--bom]

  Exports the log, or the records matching the filters, to stdout or --out (never the input
  itself). Torn lines are skipped with a warning.

Options:
  --format csv|jsonl         output format (required)
  --from <ISO>               records at or after this instant (a date is midnight UTC; a time needs Z or an offset)
  --to <ISO>                 records before this instant
  --outcome <outcome>[,...]  success, error, denied, invalid, aborted, dropped (gap records)
  --provider <id>[,...]      records served (or last failed) by these providers
  --out <path>               write to this file (a line on stderr says what was written)
  --bom                      start a CSV with the byte order mark Excel needs for UTF-8
  --postgres <url>           read the chain postgresAudit keeps in that database
  --table <name>             with --postgres (default sovroute_audit)
  -h, --help                 print this help
`;

export const migrateUsage = `Usage: sovroute audit migrate --postgres <url> [--table <name>]

  Creates the table, head, append function and append-only triggers postgresAudit uses (for a
  migration role, when the writer role may only append).

Options:
  --postgres <url>   the database (required)
  --table <name>     default sovroute_audit
  -h, --help         print this help
`;

export const auditUsage = `Usage: sovroute audit <command> [options]

Commands:
  verify <file> | --postgres <url>    check the hash chain (exit 1 at a broken link)
  export <file> | --postgres <url>    export as CSV or JSONL, with filters
  report <file> | --postgres <url>    a self-contained HTML report for people (--html <out.html>)
  migrate --postgres <url>            prepare the PostgreSQL table for postgresAudit

Run sovroute audit <command> --help for its options.
`;

/** Where the command writes: results to stdout, warnings to stderr. */
export interface AuditCommandOutput {
  stdout: Writable;
  stderr: Writable;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function warnTorn(file: string, torn: readonly number[], stderr: Writable, action: string): void {
  for (const line of torn) stderr.write(`sovroute: warning: ${file}: ${tornLine(line)}; ${action}\n`);
}

async function verify(args: string[], { stdout, stderr }: AuditCommandOutput): Promise<number> {
  const { positionals, values } = parseCommand(
    args,
    {
      'expect-last-hash': { type: 'string' },
      continues: { type: 'string' },
      segment: { type: 'boolean' },
      postgres: { type: 'string' },
      table: { type: 'string' },
    },
    verifyUsage,
    true,
  );
  const [file] = positionals;
  checkDatabaseUrl(values.postgres, verifyUsage);
  // A shortened or mistyped hash would otherwise read as records removed from the end.
  // Hex digits in capitals (as some tools print a hash) are the same hash.
  const expected = values['expect-last-hash']?.toLowerCase();
  if (expected !== undefined) values['expect-last-hash'] = expected;
  if (values.continues !== undefined) values.continues = values.continues.toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
    throw new UsageError(`--expect-last-hash takes the hash (64 hex digits) the log's last record must have; got "${expected}"`, verifyUsage);
  }
  if (values.postgres === undefined) checkNotDatabaseUrl(file, verifyUsage);
  if (values.postgres !== undefined) {
    if (positionals.length > 0) throw new UsageError('audit verify takes one file or --postgres <url>, not both', verifyUsage);
    if (values.continues !== undefined || values.segment) throw new UsageError('--continues and --segment are for files; a PostgreSQL chain starts at seq 1', verifyUsage);
    const options: VerifyAuditOptions = {};
    if (values['expect-last-hash'] !== undefined) options.expectedLastHash = values['expect-last-hash'];
    return verifyPostgres(values.postgres, values.table, options, stdout);
  }
  if (values.table !== undefined) throw new UsageError('--table goes with --postgres', verifyUsage);
  if (file === undefined || positionals.length > 1) throw new UsageError('audit verify takes one file', verifyUsage);
  const { continues, segment } = values;
  if (continues !== undefined && segment) throw new UsageError('give --continues <hash> or --segment, not both', verifyUsage);
  if (continues !== undefined && !/^[0-9a-f]{64}$/.test(continues)) {
    throw new UsageError(`--continues takes the hash (64 hex digits) of the last record of the log this file continues; got "${continues}"`, verifyUsage);
  }
  const options: VerifyAuditOptions = {};
  if (values['expect-last-hash'] !== undefined) options.expectedLastHash = values['expect-last-hash'];
  // A file written by jsonlAudit starts with prev null: anything else means its head is missing.
  if (!segment) options.expectedFirstPrev = continues ?? null;
  await checkInput(file, undefined);
  const result = await reading(file, () => verifyAuditLines(withProgress(auditFileLines(file), stderr, `sovroute: verifying ${file}`), options));
  warnTorn(file, result.torn, stderr, 'skipped, and the chain checked across it');
  for (const gap of result.gaps ?? []) {
    stderr.write(`sovroute: warning: ${file}: line ${gap.line} is a gap record: ${plural(gap.count, 'record')} dropped there because the audit queue was full (audit.onFull 'drop')\n`);
  }
  if (result.ok) {
    const parts = [`ok: ${plural(result.count, 'record')}`];
    if (result.firstPrev !== null) parts.push(`starting mid-chain after ${result.firstPrev}`);
    if (result.torn.length > 0) parts.push(`${plural(result.torn.length, 'torn line')} skipped`);
    if (result.gaps) {
      const dropped = result.gaps.reduce((sum, gap) => sum + gap.count, 0);
      parts.push(`${plural(dropped, 'record')} dropped by the writer, declared by ${plural(result.gaps.length, 'gap record')}`);
    }
    if (result.lastHash) parts.push(`last hash ${result.lastHash}`);
    stdout.write(`${parts.join(', ')}\n`);
    return 0;
  }
  const headless = continues === undefined && !segment && result.index === 0 && result.reason.startsWith('record 0 does not start a log');
  const hint = headless ? "; to verify a file that continues an earlier log, pass --continues <that log's last hash>, or --segment" : '';
  stdout.write(`broken at record ${result.index}: ${result.reason}${hint}\n`);
  return 1;
}

async function exportCommand(args: string[], { stdout, stderr }: AuditCommandOutput): Promise<number> {
  const { positionals, values } = parseCommand(
    args,
    {
      format: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      outcome: { type: 'string' },
      provider: { type: 'string' },
      out: { type: 'string' },
      bom: { type: 'boolean' },
      postgres: { type: 'string' },
      table: { type: 'string' },
    },
    exportUsage,
    true,
  );
  const [file] = positionals;
  checkDatabaseUrl(values.postgres, exportUsage);
  if (values.postgres === undefined) checkNotDatabaseUrl(file, exportUsage);
  if (values.postgres !== undefined ? positionals.length > 0 : file === undefined || positionals.length > 1) {
    throw new UsageError('audit export takes one file or --postgres <url>', exportUsage);
  }
  if (values.table !== undefined && values.postgres === undefined) throw new UsageError('--table goes with --postgres', exportUsage);
  const format = values.format;
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError('audit export needs --format csv or --format jsonl', exportUsage);
  const options: AuditExportOptions = {
    format,
    from: values.from,
    to: values.to,
    outcome: commaList(values.outcome, '--outcome', 'an outcome', exportUsage) as AuditOutcome[] | undefined,
    provider: commaList(values.provider, '--provider', 'a provider id', exportUsage),
    bom: values.bom,
  };
  // Everything that can refuse the command does so before the output is opened (and truncated).
  auditFilter(options);
  const path = values.out;
  if (values.postgres !== undefined) {
    const database = values.postgres;
    if (path === undefined) {
      await exportPostgres(database, values.table, options, (text) => write(stdout, text));
      return 0;
    }
    // Opened with the first text, which comes after the first page is read: a chain that cannot
    // be read at all (no such table, no database) leaves what is at the path as it was.
    let output: OutputFile | undefined;
    try {
      await exportPostgres(database, values.table, options, async (text) => {
        output ??= await openOutput(path);
        await output.write(text);
      });
    } catch (error) {
      if (output === undefined) throw error;
      await output.close().catch(() => undefined);
      throw new FileError(`${error instanceof Error ? error.message : String(error)}; ${path} is incomplete`, { cause: error });
    }
    output ??= await openOutput(path);
    await output.close();
    stderr.write(`sovroute: wrote ${path}\n`);
    return 0;
  }
  if (file === undefined) throw new UsageError('audit export takes one file', exportUsage);
  const fd = (stdout as { fd?: unknown }).fd;
  await checkInput(file, path !== undefined ? { path } : typeof fd === 'number' ? { fd } : undefined);
  if (path === undefined) {
    const result = await reading(file, () => exportAuditLines(file, withProgress(auditFileLines(file), stderr, `sovroute: exporting ${file}`), options, (text) => write(stdout, text)));
    warnTorn(file, result.torn, stderr, 'skipped');
    return 0;
  }
  const output = await openOutput(path);
  let count = 0;
  try {
    const result = await reading(file, () => exportAuditLines(file, withProgress(auditFileLines(file), stderr, `sovroute: exporting ${file}`), options, output.write));
    warnTorn(file, result.torn, stderr, 'skipped');
    count = result.count;
  } catch (error) {
    await output.close().catch(() => undefined);
    const message = error instanceof FileError ? error.message : `${error instanceof Error ? error.message : String(error)}`;
    throw new FileError(`${message}; ${path} is incomplete`, { cause: error });
  }
  await output.close();
  stderr.write(`sovroute: wrote ${plural(count, 'record')} to ${path}\n`);
  return 0;
}

async function migrateCommand(args: string[], { stdout }: AuditCommandOutput): Promise<number> {
  const { positionals, values } = parseCommand(args, { postgres: { type: 'string' }, table: { type: 'string' } }, migrateUsage, true);
  checkDatabaseUrl(values.postgres, migrateUsage);
  if (values.postgres === undefined || positionals.length > 0) throw new UsageError('audit migrate takes --postgres <url> [--table <name>]', migrateUsage);
  return migratePostgres(values.postgres, values.table, stdout);
}

/** Writes to standard output, waiting when it is full (a closed pipe ends the process quietly, in cli.ts). */
async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** Reads the log with `read`; a file system error says it could not read the log, and why. */
async function reading<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const syscall = (error as { syscall?: unknown }).syscall;
    if (typeof syscall === 'string' && syscall !== 'write') throw new FileError(`cannot read ${file}: ${fileErrorReason(error)}`, { cause: error });
    throw error;
  }
}

const subcommands: Record<string, { usage: string; run: (args: string[], output: AuditCommandOutput) => Promise<number> }> = {
  verify: { usage: verifyUsage, run: verify },
  export: { usage: exportUsage, run: exportCommand },
  report: { usage: reportUsage, run: auditReportCommand },
  migrate: { usage: migrateUsage, run: migrateCommand },
};

/** `sovroute audit <verify|export|report|migrate> …`; resolves to the exit code. */
export async function auditCommand(args: string[], output: AuditCommandOutput): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === undefined) throw new UsageError('audit needs a command: verify, export, report or migrate', auditUsage);
    output.stdout.write(auditUsage);
    return 0;
  }
  const subcommand = subcommands[command];
  if (subcommand === undefined) throw new UsageError(`unknown audit command "${command}"`, auditUsage);
  if (wantsHelp(rest)) {
    output.stdout.write(subcommand.usage);
    return 0;
  }
  return subcommand.run(rest, output);
}
