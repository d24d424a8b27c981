import { AuditError } from '../audit/audit-error.js';
import type { AuditRecord, AuditSink } from '../audit/types.js';
import { chainText } from './chain-text.js';
import { checkConnectionOptions, describeDatabaseError, openPool, type OpenedPool, type PostgresConnectionOptions } from './connection.js';
import { migrate } from './migrate.js';
import { tableNames } from './table-names.js';

/**
 * The most record text one append statement carries (a record larger than this goes alone). A
 * batch of large records (full content, long prompts) in one statement could pass what Node can
 * build as one string or PostgreSQL accepts as one message, and would then fail on every retry.
 * @unit UTF-16 code units
 */
const maxStatementChars = 16 * 1024 * 1024;

const emptyChunk = () => ({ ids: [] as string[], stamps: [] as string[], befores: [] as string[], afters: [] as string[], size: 0 });

export interface PostgresAuditOptions extends PostgresConnectionOptions {
  /**
   * The table holding the chain, optionally schema-qualified. Its head (`<table>_head`), append
   * function and triggers are created beside it.
   * @default 'sovroute_audit'
   */
  table?: string;
  /**
   * Create the table, head, function and triggers on first use when missing. Turn off when a
   * migration role creates them (`sovroute audit migrate --postgres <url>`) and the writer role
   * may only append.
   * @default true
   */
  migrate?: boolean;
}

export interface PostgresAudit extends AuditSink {
  /** The table, as given. */
  readonly table: string;
  /** Where the fleet's chain ends now: the number of records and the last hash. */
  head(): Promise<{ seq: number; hash: string | null }>;
  close(): Promise<void>;
}

/**
 * An audit sink that every instance of a fleet writes into **one** hash chain in PostgreSQL.
 * Each batch of records is appended by one call of a database function that takes the chain
 * head's row lock, links every record to the record before it (whichever instance wrote that
 * one), and moves the head: the table holds one chain in completion order, gapless `seq`, and
 * `sovroute audit verify --postgres <url>` checks it like a JSONL log.
 *
 * Records are re-chained in the database: their `prev` and `hash` there link to the fleet's
 * previous record, not to this process's previous one. A batch whose commit was lost is
 * retried with the same ids and never stored twice. A record is durable once the router's
 * `flush()` resolves; records still queued when a process is killed are lost (pair it with a
 * `jsonlAudit` sink for a local copy). Needs the `pg` package unless `pool` is given.
 *
 * @example
 * import { postgresAudit } from 'sovroute/postgres';
 * const router = createRouter({ providers, audit: [postgresAudit({ connectionString: process.env.DATABASE_URL })] });
 */
export function postgresAudit(options: PostgresAuditOptions): PostgresAudit {
  const names = tableNames(options.table ?? 'sovroute_audit');
  checkConnectionOptions(options, 'postgresAudit');
  let opened: Promise<OpenedPool> | undefined;
  let ready: Promise<OpenedPool> | undefined;

  // A failed connection or migration is retried with the next write, not remembered.
  function connect(): Promise<OpenedPool> {
    ready ??= (async () => {
      opened ??= openPool(options, 'postgresAudit');
      const connection = await opened;
      if (options.migrate !== false) await migrate(connection.pool, names);
      return connection;
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  }

  async function append(records: readonly AuditRecord[]): Promise<void> {
    try {
      const { pool } = await connect();
      let chunk = emptyChunk();
      const send = async () => {
        if (chunk.ids.length === 0) return;
        const { ids, stamps, befores, afters } = chunk;
        chunk = emptyChunk();
        await pool.query(`SELECT * FROM ${names.append}($1::text[], $2::timestamptz[], $3::text[], $4::text[])`, [ids, stamps, befores, afters]);
      };
      for (const record of records) {
        const text = chainText(record);
        const size = text.before.length + text.after.length;
        // Appended in order, a chunk per statement: a retry after a later chunk failed skips the stored ones by id.
        if (chunk.size + size > maxStatementChars) await send();
        chunk.ids.push(record.id);
        chunk.stamps.push(record.ts);
        chunk.befores.push(text.before);
        chunk.afters.push(text.after);
        chunk.size += size;
      }
      await send();
    } catch (error) {
      throw new AuditError(
        `postgresAudit: could not append ${records.length} record(s) to ${names.label}: ${describeDatabaseError(error, options.connectionString)}`,
        'write_failed',
      );
    }
  }

  return {
    name: `postgres:${names.label}`,
    table: names.label,
    write: (record) => append([record]),
    writeBatch: (records) => append(records),
    async head() {
      const { pool } = await connect();
      const { rows } = await pool.query(`SELECT seq, hash FROM ${names.head} WHERE one`);
      return { seq: Number(rows[0]?.seq ?? 0), hash: (rows[0]?.hash as string | null | undefined) ?? null };
    },
    async close() {
      const connection = opened && (await opened.catch(() => undefined));
      opened = undefined;
      ready = undefined;
      await connection?.close();
    },
  };
}
