import type { TableNames } from './table-names.js';

/*
 * The audit chain's objects. One PL/pgSQL call appends a batch: it takes the head row's lock,
 * so appends from every instance are serialised in the database, chains each record onto the
 * head (SHA-256 over the record's canonical JSON with `prev` filled in), and moves the head.
 * `seq` is assigned under the lock, so it is gapless and in chain order. Triggers refuse UPDATE,
 * DELETE and TRUNCATE, and are ENABLE ALWAYS so `session_replication_role = replica` does not
 * silence them. See docs/postgres-audit.md for the grants a writer role needs.
 */
export function schemaStatements(names: TableNames): string[] {
  const { log, head, append, refuse, schema } = names;
  return [
    // The schema of `schema.table`, when missing. Looked up first: CREATE SCHEMA IF NOT EXISTS
    // would need CREATE on the database even when the schema exists. (`schema` is a checked identifier.)
    ...(schema === undefined
      ? []
      : [`DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '${schema}') THEN CREATE SCHEMA "${schema}"; END IF; END $do$`]),
    `CREATE TABLE IF NOT EXISTS ${log} (
      seq bigint PRIMARY KEY,
      id text NOT NULL UNIQUE,
      ts timestamptz NOT NULL,
      prev text,
      hash text NOT NULL,
      record text NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${head} (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      seq bigint NOT NULL,
      hash text
    )`,
    // Where the stored chain ends: 0 for a new table, its last record for one restored without its head.
    `INSERT INTO ${head} (one, seq, hash)
      SELECT true, coalesce(max(l.seq), 0), (SELECT last.hash FROM ${log} last ORDER BY last.seq DESC LIMIT 1) FROM ${log} l
      ON CONFLICT (one) DO NOTHING`,
    `CREATE OR REPLACE FUNCTION ${append}(ids text[], stamps timestamptz[], befores text[], afters text[])
      RETURNS TABLE (stored integer, last_seq bigint, last_hash text)
      LANGUAGE plpgsql AS $fn$
    DECLARE
      head_seq bigint;
      head_hash text;
      body text;
      digest text;
      added integer := 0;
    BEGIN
      SELECT h.seq, h.hash INTO head_seq, head_hash FROM ${head} h WHERE h.one FOR UPDATE;
      FOR i IN 1 .. coalesce(array_length(ids, 1), 0) LOOP
        -- A batch retried after its commit was lost: its records are already in the chain.
        CONTINUE WHEN EXISTS (SELECT 1 FROM ${log} l WHERE l.id = ids[i]);
        body := befores[i] || coalesce('"' || head_hash || '"', 'null') || afters[i];
        digest := encode(sha256(convert_to(body, 'UTF8')), 'hex');
        head_seq := head_seq + 1;
        INSERT INTO ${log} (seq, id, ts, prev, hash, record) VALUES (head_seq, ids[i], stamps[i], head_hash, digest, body);
        head_hash := digest;
        added := added + 1;
      END LOOP;
      UPDATE ${head} SET seq = head_seq, hash = head_hash WHERE one;
      RETURN QUERY SELECT added, head_seq, head_hash;
    END
    $fn$`,
    `CREATE OR REPLACE FUNCTION ${refuse}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      RAISE EXCEPTION 'the sovroute audit log %.% is append-only (% refused)', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END
    $fn$`,
    `DO $do$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '${log}'::regclass AND tgname = 'sovroute_append_only') THEN
        CREATE TRIGGER sovroute_append_only BEFORE UPDATE OR DELETE ON ${log} FOR EACH ROW EXECUTE FUNCTION ${refuse}();
        CREATE TRIGGER sovroute_no_truncate BEFORE TRUNCATE ON ${log} FOR EACH STATEMENT EXECUTE FUNCTION ${refuse}();
        ALTER TABLE ${log} ENABLE ALWAYS TRIGGER sovroute_append_only;
        ALTER TABLE ${log} ENABLE ALWAYS TRIGGER sovroute_no_truncate;
      END IF;
    END $do$`,
  ];
}
