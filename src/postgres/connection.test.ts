import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.js';
import { describeDatabaseError, openPool } from './connection.js';
import { postgresAudit } from './postgres-audit.js';

describe('describeDatabaseError', () => {
  const quoting = (secret: string) => new Error(`connection failed for credential ${secret} (as a driver might quote it)`);

  it('redacts the password of the URL, as written and decoded', () => {
    expect(describeDatabaseError(quoting('p%40ss'), 'postgres://app:p%40ss@db:5432/audit')).not.toContain('p%40ss');
    expect(describeDatabaseError(quoting('p@ss'), 'postgres://app:p%40ss@db:5432/audit')).not.toContain('p@ss');
  });

  it('redacts a password given as a URL parameter, which pg and libpq also take', () => {
    const message = describeDatabaseError(quoting('s3cr3t-param'), 'postgres://app@db/audit?sslmode=require&password=s3cr3t-param');
    expect(message).not.toContain('s3cr3t-param');
    expect(message).toContain('[redacted]');
  });

  it("redacts a keyword string's password, quoted or not", () => {
    expect(describeDatabaseError(quoting('plainpw'), 'host=db user=app password=plainpw dbname=audit')).not.toContain('plainpw');
    expect(describeDatabaseError(quoting('with spaces'), "host=db password='with spaces' dbname=audit")).not.toContain('with spaces');
  });

  it('leaves a message that quotes no secret as it is', () => {
    expect(describeDatabaseError(new Error('relation "x" does not exist'), 'postgres://app:pw@db/audit')).toBe('relation "x" does not exist');
  });
});

describe('openPool', () => {
  it('refuses a libpq keyword string, which pg would read as a database name on a host called "base", without echoing it', async () => {
    const opening = openPool({ connectionString: 'host=db.internal user=app password=kw-secret dbname=audit' }, 'postgresAudit');
    await expect(opening).rejects.toThrow(InvalidRequestError);
    await expect(opening).rejects.toThrow(/postgresAudit: connectionString must be a URL such as postgres:\/\/user@host:5432\/database/);
    await expect(opening).rejects.not.toThrow(/kw-secret/);
  });

  it('refuses a password written with an unencoded / ? or #, which pg reads as a host and a port (connecting elsewhere, its digits in the error), without quoting it', () => {
    for (const connectionString of ['postgres://writer:1234/5678@db.internal/app', 'postgresql://writer:77?pq@db.internal:5432/app', 'postgres://writer:31#zz@db.internal/app']) {
      let thrown: unknown;
      try {
        postgresAudit({ connectionString });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidRequestError);
      expect((thrown as InvalidRequestError).param).toBe('connectionString');
      expect((thrown as Error).message).toMatch(/^postgresAudit: connectionString has an @ after a \/, \? or #: .*percent-encoded/);
      for (const part of ['1234', '5678', '77', 'pq', '31', 'zz']) expect((thrown as Error).message).not.toContain(part);
    }
    // An @ in the query of a URL without credentials is no password: taken.
    expect(() => postgresAudit({ connectionString: 'postgres:///app?host=/var/run/postgresql&user=auditor@corp' })).not.toThrow();
  });

  it('takes a URL, and a socket directory as pg does', async () => {
    for (const connectionString of ['postgres://app:pw@db.internal:5432/audit', 'postgresql://db.internal/audit?sslmode=require', '/var/run/postgresql audit']) {
      const opened = await openPool({ connectionString }, 'postgresAudit');
      await opened.close();
    }
  });
});

describe('postgresAudit options', () => {
  it.each([Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY])('refuses statementTimeoutMs %s when the sink is created, instead of failing every append', (statementTimeoutMs) => {
    expect(() => postgresAudit({ connectionString: 'postgres://app@db.internal/audit', statementTimeoutMs })).toThrow(InvalidRequestError);
    expect(() => postgresAudit({ connectionString: 'postgres://app@db.internal/audit', statementTimeoutMs })).toThrow(/statementTimeoutMs must be a whole number of milliseconds, 0 or more/);
  });

  it('refuses a connection string that is not a URL when the sink is created', () => {
    expect(() => postgresAudit({ connectionString: 'host=db password=kw-secret' })).toThrow(/connectionString must be a URL/);
  });
});
