import type { PostgresPool } from './connection.js';
import { schemaStatements } from './schema.js';
import type { TableNames } from './table-names.js';

/**
 * Creates the chain's table, head, append function and triggers when missing. Several instances
 * starting at once take turns on an advisory lock named after the table, so exactly one creates.
 */
export async function migrate(pool: PostgresPool, names: TableNames): Promise<void> {
  const client = await pool.connect();
  // A checked-out pg client emits 'error' when its connection drops (a restart, a failover); the
  // pool listens only while it is idle, and unheard the event would crash the process. The
  // statement under way fails on its own, and the client is then thrown away.
  const ignore = () => undefined;
  client.on?.('error', ignore);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [names.lockKey]);
    for (const statement of schemaStatements(names)) await client.query(statement);
    await client.query('COMMIT');
    client.off?.('error', ignore);
    client.release();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(true);
    throw error;
  }
}
