import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { banner } from './cli-serve.js';
import type { GatewayConfig } from './config/load-config.js';

/* The start-up banner of `sovroute serve`: what an operator reads to know who can call. */

const config = (keyLabels: string[]): GatewayConfig => ({
  file: 'sovroute.config.yaml',
  router: { providers: [] },
  serve: {},
  shutdownTimeoutMs: 30_000,
  keyLabels,
  policy: 'eu-sovereign',
  policies: {},
});

const listening = (address: string, family = 'IPv4') => ({ address: () => ({ address, family, port: 8787 }) }) as unknown as Server;

describe('the serve banner', () => {
  it('says "loopback only" only when the server is on loopback, and that anyone may call when it is anonymous elsewhere', () => {
    expect(banner(config([]), listening('127.0.0.1'))).toMatch(/keys\s+none \(loopback only\)/);
    expect(banner(config([]), listening('::1', 'IPv6'))).toMatch(/keys\s+none \(loopback only\)/);
    const open = banner(config([]), listening('0.0.0.0'));
    expect(open).not.toContain('loopback only');
    expect(open).toMatch(/keys\s+none \(allowAnonymous: anyone who reaches 0\.0\.0\.0:8787 can call\)/);
    expect(banner(config(['team-a']), listening('0.0.0.0'))).toMatch(/keys\s+team-a\n/);
  });
});
