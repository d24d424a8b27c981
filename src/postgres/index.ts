// sovroute/postgres: one audit hash chain for a whole fleet, in PostgreSQL.
// Needs the `pg` package (npm install pg), unless you pass your own pool.
export { postgresAudit } from './postgres-audit.js';
export { readPostgresAudit, readPostgresAuditRows, verifyPostgresAudit, exportPostgresAudit } from './read-postgres-audit.js';
export type { StoredRow } from './read-postgres-audit.js';
export { migratePostgresAudit } from './migrate-postgres-audit.js';
export type { PostgresAudit, PostgresAuditOptions } from './postgres-audit.js';
export type { PostgresAuditSource, PostgresAuditVerification, PostgresAuditExport, StoredAuditRecord } from './read-postgres-audit.js';
export type { PostgresPool, PostgresClient, PostgresConnectionOptions } from './connection.js';
