import { InvalidRequestError } from '../errors.js';

/** The SQL names of one audit chain's objects, quoted, derived from the `table` option. */
export interface TableNames {
  /** As given, for messages. */
  readonly label: string;
  /** The records: `"schema"."table"` or `"table"`. */
  readonly log: string;
  /** The chain head: one row, updated under a row lock by every append. */
  readonly head: string;
  /** The append function, in the same schema. */
  readonly append: string;
  /** The trigger function refusing UPDATE, DELETE and TRUNCATE. */
  readonly refuse: string;
  /** A key for the advisory lock that serialises creating these objects. */
  readonly lockKey: string;
  /** The schema as given (a checked identifier), when `table` names one. */
  readonly schema: string | undefined;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/**
 * Reads `table` (`audit_log` or `schema.audit_log`). Names are checked, not merely quoted: they
 * are built into DDL and function names, so only plain identifiers are accepted.
 */
export function tableNames(table: string): TableNames {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => identifier.test(part))) {
    throw new InvalidRequestError(
      `postgresAudit: table "${table}" must be a plain identifier (letters, digits, _; at most 48 characters), optionally schema-qualified as schema.table`,
      'table',
    );
  }
  const name = parts.at(-1)!;
  const prefix = parts.length === 2 ? `"${parts[0]}".` : '';
  return {
    label: table,
    log: `${prefix}"${name}"`,
    head: `${prefix}"${name}_head"`,
    append: `${prefix}"${name}_append"`,
    refuse: `${prefix}"${name}_refuse_change"`,
    lockKey: `sovroute-audit:${table}`,
    schema: parts.length === 2 ? parts[0] : undefined,
  };
}
