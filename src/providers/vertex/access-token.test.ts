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
});
