import { describe, expect, it } from 'vitest';
import { databaseError, safeUrl } from './cli-audit-postgres.js';

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
