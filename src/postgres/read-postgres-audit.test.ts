import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.js';
import type { PostgresPool } from './connection.js';
import { exportPostgresAudit, readPostgresAudit } from './read-postgres-audit.js';

/** A pool whose table always has one more row than any page holds, and which stops a runaway read. */
function endlessPool() {
  let queries = 0;
  const pool: PostgresPool = {
    async query(_text, values) {
      queries += 1;
      if (queries > 20) throw new Error('the read kept asking for pages');
      const [after, limit] = values as [number, number];
      return { rows: Array.from({ length: Math.max(0, Math.min(Number(limit), 3)) }, (_, index) => ({ seq: after + index + 1, hash: 'h', record: '{}' })) };
    },
    connect: () => Promise.reject(new Error('not used')),
  };
  return { pool, queries: () => queries };
}

describe('readPostgresAudit batchSize', () => {
  it.each([0, -1, 2.5, Number.NaN])('refuses batchSize %s with a clear error instead of looping or failing in SQL', async (batchSize) => {
    const { pool, queries } = endlessPool();
    const read = async () => {
      for await (const _ of readPostgresAudit({ pool, batchSize })) void _;
    };
    await expect(read()).rejects.toThrow(InvalidRequestError);
    await expect(read()).rejects.toThrow(/batchSize/);
    expect(queries()).toBe(0);
    await expect(exportPostgresAudit({ pool, batchSize }, { format: 'jsonl' }, () => undefined)).rejects.toThrow(/batchSize/);
  });
});

describe('exportPostgresAudit format', () => {
  it('refuses a format that is not csv or jsonl, as exportAudit does, instead of writing JSONL', async () => {
    const { pool } = endlessPool();
    const written: string[] = [];
    await expect(exportPostgresAudit({ pool }, { format: 'xml' as never }, (text) => void written.push(text))).rejects.toThrow(/format "xml" is not csv or jsonl/);
    expect(written).toEqual([]);
  });
});
