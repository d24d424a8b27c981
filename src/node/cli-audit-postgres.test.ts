import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { auditCommand } from './cli-audit.js';
import { databaseError, safeUrl } from './cli-audit-postgres.js';
import { auditReportCommand } from './cli-audit-report.js';

describe('safeUrl', () => {
  it('hides a password that the URL parser reads as a port and a path (digits, then / ? or #)', () => {
    // Written unencoded, "1234/5678" makes WHATWG URL (and pg) read host "auditor", port 1234:
    // the URL parses, has no password, and was printed whole.
    for (const password of ['1234/5678', '99#xyz', '42?q']) {
      const shown = safeUrl(`postgres://auditor:${password}@db.internal/app`);
      expect(shown).not.toContain(password);
      expect(shown).toContain('auditor');
    }
  });

  it('hides a password holding an unencoded @', () => {
    expect(safeUrl('postgres://auditor:p@ss@db/app')).toBe('postgres://auditor:***@db/app');
  });

  it('still hides URL passwords and password parameters, and keeps a URL without them', () => {
    expect(safeUrl('postgres://auditor:%41b@db/app')).toBe('postgres://auditor:***@db/app');
    expect(safeUrl('postgres://db/app?password=y&sslpassword=z')).toBe('postgres://db/app?password=***&sslpassword=***');
    expect(safeUrl('postgres://auditor@db:5432/app')).toBe('postgres://auditor@db:5432/app');
  });

  it('leaves the password out of the unreachable-database message', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND auditor'), { code: 'ENOTFOUND' });
    expect(String((databaseError(error, 'postgres://auditor:1234/5678@db/app') as Error).message)).not.toContain('1234/5678');
  });

  it("leaves the password out when the driver's own words quote it", () => {
    const error = Object.assign(new Error('password authentication failed (tried s3cret-pass)'), { code: '28P01' });
    const message = String((databaseError(error, 'postgres://auditor:s3cret-pass@db/app') as Error).message);
    expect(message).not.toContain('s3cret-pass');
    expect(message).toContain('password authentication failed (tried [redacted])');
  });
});

describe('a database URL given where a file goes (--postgres forgotten)', () => {
  it('is refused naming --postgres, its password hidden, instead of "cannot read postgres://auditor:…"', async () => {
    const url = 'postgres://auditor:qz81-db-password@db.internal/app';
    const runs = [
      () => auditCommand(['verify', url], { stdout: new PassThrough(), stderr: new PassThrough() }),
      () => auditCommand(['export', url, '--format', 'csv'], { stdout: new PassThrough(), stderr: new PassThrough() }),
      () => auditReportCommand([url, '--html', 'out.html'], { stdout: new PassThrough(), stderr: new PassThrough(), env: {} }),
    ];
    for (const run of runs) {
      const error = await run().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect((error as Error).message).toBe('postgres://auditor:***@db.internal/app is a database URL, not a file: give it as --postgres <url>');
      expect((error as Error).name).toBe('UsageError');
    }
  });
});
