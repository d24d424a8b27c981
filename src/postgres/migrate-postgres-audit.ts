import { openPool, type PostgresConnectionOptions } from './connection.js';
import { migrate } from './migrate.js';
import { tableNames } from './table-names.js';

/**
 * Creates the audit chain's schema (of `schema.table`), table, head, append function and append-only triggers when missing
 * (what `postgresAudit` does on first use unless `migrate: false`), for a migration role that
 * owns them while the writer role may only append. Safe to run again, and from several
 * instances at once.
 */
export async function migratePostgresAudit(options: PostgresConnectionOptions & { table?: string }): Promise<void> {
  const names = tableNames(options.table ?? 'sovroute_audit');
  const { pool, close } = await openPool(options, 'migratePostgresAudit');
  try {
    await migrate(pool, names);
  } finally {
    await close();
  }
}
