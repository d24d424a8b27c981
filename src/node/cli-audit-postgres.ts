import type { Writable } from 'node:stream';
import type { AuditExportOptions } from '../audit/export-audit.js';
import type { VerifyAuditOptions } from '../audit/verify-audit.js';
import { describeDatabaseError } from '../postgres/connection.js';
import { FileError } from './cli-output.js';
import { UsageError } from './cli-usage.js';

/*
 * `sovroute audit … --postgres <url>`: the same commands on a chain kept by postgresAudit.
 * The PostgreSQL room (and with it the pg package) is loaded only when --postgres is given; its
 * error redaction (postgres/connection.ts, which loads no pg) comes with this file.
 */

const loadPostgres = () => import('../postgres/index.js');

/** `--postgres ""` (an unset variable) is refused as a usage error, not passed on as no database. */
export function checkDatabaseUrl(url: string | undefined, usage: string): void {
  if (url !== undefined && url.trim() === '') throw new UsageError("--postgres needs the database's URL, e.g. postgres://auditor@db/app; got an empty value", usage);
}

/**
 * A database URL given where a file goes (`audit verify postgres://…`, `--postgres` forgotten) is
 * refused naming the option, its password hidden: read as a path, "cannot read <url>" would
 * print the password.
 */
export function checkNotDatabaseUrl(file: string | undefined, usage: string): void {
  if (file !== undefined && /^postgres(?:ql)?:\/\//i.test(file)) throw new UsageError(`${safeUrl(file)} is a database URL, not a file: give it as --postgres <url>`, usage);
}

/**
 * The user information as written (`scheme://user:password@`), up to the last `@`: a password
 * written unencoded that starts with digits and holds `/`, `?` or `#` ("1234/5678") makes the URL
 * parser (and pg) read a host, a port and a path instead, with no password to hide.
 */
const userInfo = /^([a-z][a-z0-9+.-]*:\/\/)([^:@/?#]*):(.*)@/i;

/** Never print a password from the connection string. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url.replace(userInfo, '$1$2:***@'));
    if (parsed.password) parsed.password = '***';
    // pg and libpq also take the password as a parameter: `?password=…`.
    for (const name of [...parsed.searchParams.keys()]) if (/password/i.test(name)) parsed.searchParams.set(name, '***');
    return parsed.toString();
  } catch {
    return 'the database';
  }
}

/** Errors of reaching and logging in to a database, as node's net and PostgreSQL report them. */
const connectionCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', '28P01', '28000', '3D000']);

/**
 * A database that cannot be reached, or refuses the login, named (its password hidden) with what
 * to check: pg's own words ("connect ECONNREFUSED 127.0.0.1:5432") say neither. Exit 2.
 */
export function databaseError(error: unknown, url: string): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if ((typeof code === 'string' && connectionCodes.has(code)) || /timeout expired|Connection terminated/i.test(text)) {
    // pg's words are not known to quote the password; were they to, it is redacted as the sink redacts.
    const reason = text ? describeDatabaseError(error, url) : String(code);
    return new FileError(`cannot reach the database ${safeUrl(url)}: ${reason}; check the URL, and that PostgreSQL runs there and accepts connections`, { cause: error });
  }
  return error;
}

/** Runs `work` on the database at `url`, its connection failures said as `databaseError` says them. */
export async function onDatabase<T>(url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw databaseError(error, url);
  }
}

export async function verifyPostgres(url: string, table: string | undefined, options: VerifyAuditOptions, stdout: Writable): Promise<number> {
  const { verifyPostgresAudit } = await loadPostgres();
  const result = await onDatabase(url, () => verifyPostgresAudit({ connectionString: url, ...(table !== undefined ? { table } : {}) }, options));
  const head = `head seq ${result.head.seq}, hash ${result.head.hash ?? 'none'}`;
  if (result.ok) {
    stdout.write(`ok: ${result.count} record${result.count === 1 ? '' : 's'} in ${table ?? 'sovroute_audit'}, ${head}\n`);
    return 0;
  }
  stdout.write(`broken at seq ${result.seq ?? result.index + 1} (record ${result.index}): ${result.reason} (${head})\n`);
  return 1;
}

export async function exportPostgres(url: string, table: string | undefined, options: AuditExportOptions, write: (text: string) => Promise<void>): Promise<void> {
  const { exportPostgresAudit } = await loadPostgres();
  await onDatabase(url, () => exportPostgresAudit({ connectionString: url, ...(table !== undefined ? { table } : {}) }, options, write));
}

export async function migratePostgres(url: string, table: string | undefined, stdout: Writable): Promise<number> {
  const { migratePostgresAudit } = await loadPostgres();
  await onDatabase(url, () => migratePostgresAudit({ connectionString: url, ...(table !== undefined ? { table } : {}) }));
  stdout.write(`ok: ${table ?? 'sovroute_audit'} is ready in ${safeUrl(url)}\n`);
  return 0;
}
