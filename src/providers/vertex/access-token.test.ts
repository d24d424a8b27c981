import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { AccessTokens } from './access-token.js';

describe('AccessTokens', () => {
  it('reuses a token until five minutes before it expires, then asks again', async () => {
    let now = 1_000_000;
    let issued = 0;
    const supplier = vi.fn(async () => ({ token: `token-${++issued}`, expiresAt: now + 60 * 60 * 1000 }));
    const tokens = new AccessTokens('vertex-test', supplier, () => now);
    expect(await tokens.get()).toBe('token-1');
    now += 54 * 60 * 1000;
    expect(await tokens.get()).toBe('token-1');
    now += 2 * 60 * 1000;
    expect(await tokens.get()).toBe('token-2');
    expect(supplier).toHaveBeenCalledTimes(2);
  });

  it('reads an expiresAt in Unix seconds (OAuth and JWT count in seconds) as the same instant, not as an expired token', async () => {
    let now = 1_800_000_000_000;
    let issued = 0;
    const supplier = vi.fn(async () => ({ token: `token-${++issued}`, expiresAt: Math.floor(now / 1000) + 3600 }));
    const tokens = new AccessTokens('vertex-test', supplier, () => now);
    expect(await tokens.get()).toBe('token-1');
    now += 30 * 60 * 1000;
    expect(await tokens.get()).toBe('token-1');
    now += 26 * 60 * 1000;
    expect(await tokens.get()).toBe('token-2');
    expect(supplier).toHaveBeenCalledTimes(2);
  });

  it('keeps using a token that has not expired yet when its early refresh fails, and fails once it has', async () => {
    let now = 1_000_000;
    let failing = false;
    const supplier = vi.fn(async () => {
      if (failing) throw new Error('metadata server unreachable');
      return { token: 'token-1', expiresAt: now + 60 * 60 * 1000 };
    });
    const tokens = new AccessTokens('vertex-test', supplier, () => now);
    expect(await tokens.get()).toBe('token-1');
    failing = true;
    now += 57 * 60 * 1000;
    expect(await tokens.get()).toBe('token-1');
    expect(supplier).toHaveBeenCalledTimes(2);
    now += 3 * 60 * 1000;
    await expect(tokens.get()).rejects.toThrow(/accessToken function failed/);
  });

  it('shares one refresh among concurrent requests', async () => {
    const supplier = vi.fn(async () => 'shared-token');
    const tokens = new AccessTokens('vertex-test', supplier);
    const all = await Promise.all([tokens.get(), tokens.get(), tokens.get()]);
    expect(all).toEqual(['shared-token', 'shared-token', 'shared-token']);
    expect(supplier).toHaveBeenCalledTimes(1);
  });

  it('asks again after a token was refused', async () => {
    let issued = 0;
    const tokens = new AccessTokens('vertex-test', async () => `token-${++issued}`);
    const first = await tokens.get();
    tokens.invalidate(first);
    expect(await tokens.get()).toBe('token-2');
  });

  it('reports a failing supplier without quoting it', async () => {
    const tokens = new AccessTokens('vertex-test', async () => {
      throw new Error('refresh token 1//0secret-refresh was revoked');
    });
    const error = await tokens.get().then(() => new Error("resolved"), (caught: unknown) => caught as Error);
    expect(error.message).toMatch(/accessToken function failed/);
    expect(error.message).not.toContain('0secret-refresh');
  });

  it('never quotes the credentials of application default credentials that a token server echoes in its refusal', async () => {
    // A token server (or a proxy before it) refusing the refresh, quoting what it was sent: the
    // form body as received and as decoded, and the client's Basic credentials.
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const description = `refused ${body} (${decodeURIComponent(body)}) from ${request.headers.authorization}`;
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant', error_description: description }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tokenURL = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`;
    const directory = mkdtempSync(join(tmpdir(), 'sovroute-adc-'));
    const file = join(directory, 'credentials.json');
    const refreshToken = '1//0qz81-refresh/token+value';
    const clientSecret = 'qz81-client-secret-value';
    writeFileSync(
      file,
      JSON.stringify({
        type: 'external_account_authorized_user',
        audience: '//iam.googleapis.com/locations/global/workforcePools/pool/providers/provider',
        client_id: 'client-id',
        client_secret: clientSecret,
        refresh_token: refreshToken,
        token_url: tokenURL,
      }),
    );
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', file);
    try {
      const error = await new AccessTokens('vertex-test', undefined).get().catch((caught: unknown) => caught);
      const shown = inspect(error, { depth: 10 });
      // What the server said stays: it is what tells the user what to fix.
      expect((error as Error).message).toMatch(/^vertex-test: application default credentials gave no access token \(.*invalid_grant: refused /);
      for (const secret of [refreshToken, encodeURIComponent(refreshToken), clientSecret, Buffer.from(`client-id:${clientSecret}`).toString('base64')]) {
        expect(shown).not.toContain(secret);
      }
      expect(shown).not.toContain('qz81');
    } finally {
      vi.unstubAllEnvs();
      server.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
