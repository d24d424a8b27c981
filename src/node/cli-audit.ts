import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { auditFilter, type AuditExportOptions } from '../audit/export-audit.js';
import type { AuditOutcome } from '../audit/types.js';
import type { VerifyAuditOptions } from '../audit/verify-audit.js';
import { exportAuditFile, tornLine, verifyAuditFile } from './audit-file.js';
import { exportPostgres, migratePostgres, verifyPostgres } from './cli-audit-postgres.js';
import { checkInput, FileError, fileErrorReason, openOutput } from './cli-output.js';

export const auditUsage = `  sovroute audit verify <file> | --postgres <url> [--table <name>] [--expect-last-hash <hash>] [--continues <hash> | --segment]
      check the hash chain of a JSONL audit log: exit 0 when intact (torn lines, left by a
      write cut short, are skipped with a warning naming each; gap records, declaring records
      dropped with audit.onFull 'drop', are warned about), 1 at the first broken link. The first
      record must start a log (prev null); --continues <hash>: it must follow that hash (the
      last hash of the log this file continues); --segment: it may follow any record
      --postgres: the chain postgresAudit keeps in that database (table sovroute_audit unless
      --table); prints the head row (seq, hash) to compare with a copy kept elsewhere
  sovroute audit export <file> | --postgres <url> [--table <name>] --format csv|jsonl [--from <ISO>] [--to <ISO>]
                        [--outcome <outcome>[,...]] [--provider <id>[,...]] [--out <path>] [--bom]
      export the log (or the records matching the filters; --from inclusive, --to exclusive)
      to stdout or --out (never the input itself); torn lines are skipped with a warning;
      --bom starts a CSV with the byte order mark Excel needs for UTF-8
  sovroute audit migrate --postgres <url> [--table <name>]
      create the table, head, append function and append-only triggers postgresAudit uses
      (for a migration role, when the writer role may only append)
`;

/** Thrown for a command line that cannot run: exit code 2 with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where the command writes: results to stdout, warnings to stderr. */
export interface AuditCommandOutput {
  stdout: Writable;
  stderr: Writable;
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter(Boolean);
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function warnTorn(file: string, torn: readonly number[], stderr: Writable, action: string): void {
  for (const line of torn) stderr.write(`sovroute: warning: ${file}: ${tornLine(line)}; ${action}\n`);
}

async function verify(args: string[], { stdout, stderr }: AuditCommandOutput): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'expect-last-hash': { type: 'string' },
      continues: { type: 'string' },
      segment: { type: 'boolean' },
      postgres: { type: 'string' },
      table: { type: 'string' },
    },
  });
  const [file] = positionals;
  if (values.postgres !== undefined) {
    if (positionals.length > 0) throw new UsageError('audit verify takes one file or --postgres <url>, not both');
    if (values.continues !== undefined || values.segment) throw new UsageError('--continues and --segment are for files; a PostgreSQL chain starts at seq 1');
    const options: VerifyAuditOptions = {};
    if (values['expect-last-hash'] !== undefined) options.expectedLastHash = values['expect-last-hash'];
    return verifyPostgres(values.postgres, values.table, options, stdout);
  }
  if (values.table !== undefined) throw new UsageError('--table goes with --postgres');
  if (file === undefined || positionals.length > 1) throw new UsageError('audit verify takes one file');
  const { continues, segment } = values;
  if (continues !== undefined && segment) throw new UsageError('give --continues <hash> or --segment, not both');
  if (continues !== undefined && !/^[0-9a-f]{64}$/.test(continues)) {
    throw new UsageError(`--continues takes the hash (64 hex digits) of the last record of the log this file continues; got "${continues}"`);
  }
  const options: VerifyAuditOptions = {};
  if (values['expect-last-hash'] !== undefined) options.expectedLastHash = values['expect-last-hash'];
  // A file written by jsonlAudit starts with prev null: anything else means its head is missing.
  if (!segment) options.expectedFirstPrev = continues ?? null;
  await checkInput(file, undefined);
  const result = await reading(file, () => verifyAuditFile(file, options));
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
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
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
  });
  const [file] = positionals;
  if (values.postgres !== undefined ? positionals.length > 0 : file === undefined || positionals.length > 1) {
    throw new UsageError('audit export takes one file or --postgres <url>');
  }
  if (values.table !== undefined && values.postgres === undefined) throw new UsageError('--table goes with --postgres');
  const format = values.format;
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError('audit export needs --format csv or --format jsonl');
  const options: AuditExportOptions = {
    format,
    from: values.from,
    to: values.to,
    outcome: list(values.outcome) as AuditOutcome[] | undefined,
    provider: list(values.provider),
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
    const output = await openOutput(path);
    try {
      await exportPostgres(database, values.table, options, output.write);
    } catch (error) {
      await output.close().catch(() => undefined);
      throw new FileError(`${error instanceof Error ? error.message : String(error)}; ${path} is incomplete`, { cause: error });
    }
    await output.close();
    return 0;
  }
  if (file === undefined) throw new UsageError('audit export takes one file');
  const fd = (stdout as { fd?: unknown }).fd;
  await checkInput(file, path !== undefined ? { path } : typeof fd === 'number' ? { fd } : undefined);
  if (path === undefined) {
    const result = await reading(file, () => exportAuditFile(file, options, (text) => write(stdout, text)));
    warnTorn(file, result.torn, stderr, 'skipped');
    return 0;
  }
  const output = await openOutput(path);
  try {
    const result = await reading(file, () => exportAuditFile(file, options, output.write));
    warnTorn(file, result.torn, stderr, 'skipped');
  } catch (error) {
    await output.close().catch(() => undefined);
    const message = error instanceof FileError ? error.message : `${error instanceof Error ? error.message : String(error)}`;
    throw new FileError(`${message}; ${path} is incomplete`, { cause: error });
  }
  await output.close();
  return 0;
}

async function migrateCommand(args: string[], { stdout }: AuditCommandOutput): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { postgres: { type: 'string' }, table: { type: 'string' } } });
  if (values.postgres === undefined || positionals.length > 0) throw new UsageError('audit migrate takes --postgres <url> [--table <name>]');
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

/** `sovroute audit <verify|export> …`; resolves to the exit code. */
export async function auditCommand(args: string[], output: AuditCommandOutput): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === 'verify') return await verify(rest, output);
    if (command === 'export') return await exportCommand(rest, output);
    if (command === 'migrate') return await migrateCommand(rest, output);
  } catch (error) {
    // parseArgs reports unknown or malformed options with this code.
    if ((error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
  throw new UsageError(command === undefined ? 'audit needs a command: verify, export or migrate' : `unknown audit command "${command}"`);
}
