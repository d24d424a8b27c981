import { describe, expect, it } from 'vitest';
import { checkOrigin, createHostCheck, isJsonContentType, isLoopbackHost, splitHost } from './edge-checks.js';
import { resolveServeOptions, type ServeOptions } from './serve-options.js';

const resolved = (options: ServeOptions = {}) => resolveServeOptions(options, undefined);

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['127.0.0.1.example.com', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('splitHost', () => {
  it.each([
    ['localhost:8787', { name: 'localhost', port: '8787' }],
    ['Example.COM', { name: 'example.com', port: '' }],
    ['[::1]:8787', { name: '[::1]', port: '8787' }],
    ['[::1]', { name: '[::1]', port: '' }],
  ])('%s', (value, parts) => {
    expect(splitHost(value)).toEqual(parts);
  });
});

describe('the Host check', () => {
  it('accepts the loopback names on the bound port only', () => {
    const allowed = createHostCheck(resolved(), 8787);
    for (const host of ['127.0.0.1:8787', 'localhost:8787', 'LOCALHOST:8787', '[::1]:8787']) expect(allowed(host), host).toBe(true);
    for (const host of ['localhost:9999', 'localhost', 'attacker.example:8787', '', undefined]) expect(allowed(host), String(host)).toBe(false);
  });

  it('accepts the bound address, except a wildcard, and allowedHosts with or without a port', () => {
    expect(createHostCheck(resolved({ host: '10.0.0.5' }), 80)('10.0.0.5')).toBe(true);
    expect(createHostCheck(resolved({ host: '0.0.0.0' }), 80)('0.0.0.0')).toBe(false);
    const allowed = createHostCheck(resolved({ host: '0.0.0.0', allowedHosts: ['llm.internal', 'api.example:8443'] }), 8787);
    expect(allowed('llm.internal')).toBe(true);
    expect(allowed('llm.internal:1234')).toBe(true);
    expect(allowed('api.example:8443')).toBe(true);
    expect(allowed('api.example')).toBe(false);
    expect(createHostCheck(resolved({ allowedHosts: '*' }), 8787)('anything.example')).toBe(true);
  });
});

describe('the Origin check', () => {
  it("treats no Origin and this server's own as same-origin, whatever the default port", () => {
    expect(checkOrigin(resolved(), undefined, 'localhost:8787')).toEqual({ kind: 'same' });
    expect(checkOrigin(resolved(), 'http://localhost:8787', 'localhost:8787')).toEqual({ kind: 'same' });
    expect(checkOrigin(resolved(), 'https://llm.example', 'llm.example')).toEqual({ kind: 'same' });
    expect(checkOrigin(resolved(), 'http://localhost:3000', 'localhost:8787')).toMatchObject({ kind: 'refused' });
    expect(checkOrigin(resolved(), 'null', 'localhost:8787')).toMatchObject({ kind: 'refused' });
  });

  it('allows the origins cors lists, and only those', () => {
    const options = resolved({ cors: { origins: ['https://App.example'] } });
    expect(checkOrigin(options, 'https://app.example', 'localhost:8787')).toMatchObject({
      kind: 'allowed',
      headers: { 'access-control-allow-origin': 'https://app.example' },
    });
    expect(checkOrigin(options, 'https://app.example.attacker.test', 'localhost:8787')).toMatchObject({ kind: 'refused' });
    expect(checkOrigin(resolved({ cors: { origins: '*' } }), 'https://any.example', 'localhost:8787')).toMatchObject({ kind: 'allowed' });
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['text/plain', false],
    ['application/x-www-form-urlencoded', false],
    ['multipart/form-data; boundary=x', false],
    ['application/jsonp', false],
    [undefined, false],
  ])('%s → %s', (contentType, json) => {
    expect(isJsonContentType(contentType)).toBe(json);
  });
});

describe('resolveServeOptions', () => {
  it("takes the router's body limit as its default and refuses a bad option by name", () => {
    expect(resolveServeOptions({}, 2048).maxBodyBytes).toBe(2048);
    expect(resolveServeOptions({}, undefined).maxBodyBytes).toBe(16 * 1024 * 1024);
    expect(() => resolved({ requestTimeoutMs: -1 })).toThrow(/serve: options\.requestTimeoutMs/);
    expect(() => resolved({ cors: { origins: 'https://app.example' } as never })).toThrow(/serve: options\.cors\.origins/);
  });

  it('refuses at start a cors origin or an allowed host no request can match (a path, a default port, a scheme), instead of a 403 for every call', () => {
    expect(() => resolved({ cors: { origins: ['https://app.example/'] } })).toThrow(/serve: options\.cors\.origins\.0 .*"https:\/\/app\.example"/);
    expect(() => resolved({ cors: { origins: ['https://app.example:443'] } })).toThrow(/"https:\/\/app\.example"/);
    expect(() => resolved({ cors: { origins: ['app.example'] } })).toThrow(/serve: options\.cors\.origins\.0/);
    expect(() => resolved({ allowedHosts: ['https://llm.internal'] })).toThrow(/serve: options\.allowedHosts\.0 .*llm\.internal/);
    expect(() => resolved({ allowedHosts: ['llm.internal/v1'] })).toThrow(/serve: options\.allowedHosts\.0/);
    expect(resolved({ cors: { origins: ['https://App.Example:8443', 'http://localhost:3000'] }, allowedHosts: ['llm.internal', 'llm.internal:8443', '[::1]:8787', '10.0.0.7'] }).cors).toEqual({
      origins: ['https://app.example:8443', 'http://localhost:3000'],
    });
  });
});
