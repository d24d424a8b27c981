import { InvalidRequestError } from '../errors.js';

/** What the audit sink needs of a node-postgres `Pool` (or anything shaped like one). */
export interface PostgresPool {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  connect(): Promise<PostgresClient>;
  end?(): Promise<void>;
}

export interface PostgresClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(error?: Error | boolean): void;
  /** pg's clients are event emitters: a dropped connection is an `error` event. */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
}

/** How to reach the database: a connection string (a pool is created and owned), or your own pool. */
export interface PostgresConnectionOptions {
  /** e.g. `postgres://audit_writer@db.internal:5432/app`. The password, if any, never appears in errors. */
  connectionString?: string;
  /** An existing `pg.Pool`; the sink uses it and never ends it. */
  pool?: PostgresPool;
  /**
   * Longest a statement may run (an append waiting for the chain's lock included) before it
   * fails and is retried; a database that stops answering fails it a second later (`0`: no
   * limit). Applies to pools created from `connectionString`.
   * @unit milliseconds @default 10000
   */
  statementTimeoutMs?: number;
}

export interface OpenedPool {
  pool: PostgresPool;
  /** Ends the pool when this module created it. */
  close(): Promise<void>;
}

/**
 * Credentials holding an unencoded `/`, `?` or `#` (`postgres://writer:1234/5678@db/app`): the URL
 * parser and pg end the host there, reading host `writer` and port 1234, so every connection goes
 * elsewhere and its error ("connect ECONNREFUSED …:1234") quotes the password's first part.
 */
const unencodedUserInfo = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*:[^/?#@]*[/?#][^]*@/i;

/** Refuses what would otherwise fail every connection later, each time with pg's words. */
export function checkConnectionOptions(options: PostgresConnectionOptions, where: string): void {
  const { connectionString, statementTimeoutMs } = options;
  // pg reads anything else (a libpq keyword string "host=… password=…") as a path under a host
  // named "base": every connection would fail with "getaddrinfo ENOTFOUND base". Not echoed: it may hold a password.
  if (options.pool === undefined && connectionString && !connectionString.startsWith('/') && !URL.canParse(connectionString)) {
    throw new InvalidRequestError(`${where}: connectionString must be a URL such as postgres://user@host:5432/database (or a socket directory)`, 'connectionString');
  }
  if (options.pool === undefined && connectionString && unencodedUserInfo.test(connectionString)) {
    throw new InvalidRequestError(
      `${where}: connectionString has an @ after a /, ? or #: a password holding one must be written percent-encoded (/ as %2F, ? as %3F, # as %23), or pg reads another host and port`,
      'connectionString',
    );
  }
  if (statementTimeoutMs !== undefined && !(Number.isSafeInteger(statementTimeoutMs) && statementTimeoutMs >= 0)) {
    throw new InvalidRequestError(`${where}: statementTimeoutMs must be a whole number of milliseconds, 0 or more (0: no limit); got ${statementTimeoutMs}`, 'statementTimeoutMs');
  }
}

/**
 * The pool for `options`. `pg` is loaded only here, when a connection string is given: an app
 * passing its own pool, or not using this entry point, never loads it.
 */
export async function openPool(options: PostgresConnectionOptions, where: string): Promise<OpenedPool> {
  checkConnectionOptions(options, where);
  if (options.pool) return { pool: options.pool, close: async () => undefined };
  if (!options.connectionString) throw new InvalidRequestError(`${where}: pass connectionString or pool`, 'connectionString');
  let Pool: typeof import('pg').Pool;
  try {
    const loaded = await import('pg');
    // pg is CommonJS: its exports arrive as the default export under ESM.
    Pool = (loaded.default as { Pool?: typeof import('pg').Pool } | undefined)?.Pool ?? loaded.Pool;
  } catch (error) {
    throw new InvalidRequestError(`${where} needs the "pg" package: npm install pg`, null, error);
  }
  const timeout = options.statementTimeoutMs ?? 10_000;
  const pool = new Pool({
    connectionString: options.connectionString,
    // One writer per chain is serialised by the database anyway; two connections cover a read beside it.
    max: 2,
    connectionTimeoutMillis: 5_000,
    statement_timeout: timeout,
    // The server enforces statement_timeout only while it answers: a database gone silent (a
    // network partition, a paused host) would hold the append, the audit queue behind it and
    // close() forever. The client gives up a second after the server would have.
    ...(timeout > 0 ? { query_timeout: timeout + 1_000 } : {}),
    // A crashed client must not hold the chain's lock.
    idle_in_transaction_session_timeout: timeout,
    allowExitOnIdle: true,
  });
  // An idle client's error is emitted on the pool; unheard, it would crash the process.
  pool.on('error', () => undefined);
  return { pool: pool as unknown as PostgresPool, close: () => pool.end() };
}

/** A database error's message without anything from the connection string. */
export function describeDatabaseError(error: unknown, connectionString: string | undefined): string {
  let message = error instanceof Error ? error.message : String(error);
  for (const secret of connectionSecrets(connectionString)) message = message.replaceAll(secret, '[redacted]');
  return message;
}

/**
 * The passwords a connection string carries, as written and decoded: the URL's own, any
 * `password` parameter (`?password=…`, which pg and libpq also take), or a keyword string's
 * `password=…`. pg's errors have not been seen to quote them; an error that does says none.
 */
function connectionSecrets(connectionString: string | undefined): string[] {
  if (!connectionString) return [];
  const found: string[] = [];
  try {
    const url = new URL(connectionString);
    found.push(url.password);
    for (const [name, value] of url.searchParams) if (/password/i.test(name)) found.push(value);
  } catch {
    // A keyword string: host=… password=secret (or password='with spaces').
    for (const match of connectionString.matchAll(/password\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/gi)) found.push(match[1] ?? match[2] ?? '');
  }
  const secrets = new Set<string>();
  for (const secret of found) {
    if (secret === '') continue;
    secrets.add(secret);
    try {
      secrets.add(decodeURIComponent(secret));
    } catch {
      // Not percent-encoded as a whole: the text as written is redacted.
    }
  }
  // Longest first: a password that contains another is redacted whole.
  return [...secrets].sort((a, b) => b.length - a.length);
}
