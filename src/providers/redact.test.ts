import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { RouterError } from '../errors.js';
import { redactError } from './held-secrets.js';
import { raisedBeforeSending, wasNotSent } from './upstream-error.js';
import { createRedactor, credentialsInURL, headerSecrets, redactCause, redactCredentialShapes } from './redact.js';

describe('createRedactor', () => {
  it('replaces each known secret, however often it appears, and its JSON-escaped form', () => {
    const redact = createRedactor(() => ['k3y/with"quote', 'plain-secret-value']);
    expect(redact('a plain-secret-value and plain-secret-value again')).toBe('a [redacted] and [redacted] again');
    expect(redact('{"key":"k3y\\/with\\"quote"}')).toBe('{"key":"[redacted]"}');
  });

  it('reads the secrets each time, so a rotated key is redacted too', () => {
    let current = 'first-key-123';
    const redact = createRedactor(() => [current]);
    current = 'second-key-456';
    expect(redact('second-key-456 first-key-123')).toBe('[redacted] first-key-123');
  });

  it('leaves very short secrets and ordinary words alone', () => {
    const redact = createRedactor(() => ['abc', undefined]);
    expect(redact('abc: the Bearer scheme is required; ask-me-anything')).toBe('abc: the Bearer scheme is required; ask-me-anything');
  });

  it('still redacts credential shapes when the secrets cannot be read', () => {
    const redact = createRedactor(() => {
      throw new Error('unavailable');
    });
    expect(redact('Invalid credentials: Bearer abcdefgh12345678')).toBe('Invalid credentials: Bearer [redacted]');
  });
});

describe('redactCredentialShapes', () => {
  it('redacts bearer tokens and sk- keys it was never told about', () => {
    expect(redactCredentialShapes('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig and sk-ant-api03-AbCdEf123456')).toBe(
      'Authorization: Bearer [redacted] and [redacted]',
    );
  });

  it("redacts Google API keys and OAuth access tokens it was never told about (a user's x-goog-api-key header, a ?key= URL)", () => {
    const key = 'AIzaSyA1b2C3d4E5f6G7h8I9j0K_lMnOpQrStUv';
    expect(key).toHaveLength(39);
    expect(redactCredentialShapes(`GET /v1beta/models?key=${key} failed; token ya29.a0AfB_byC1d2E3f4G5h6-I7j8 expired`)).toBe(
      'GET /v1beta/models?key=[redacted] failed; token [redacted] expired',
    );
    // Words that merely start alike stay.
    expect(redactCredentialShapes('AIzan ya29 and ya29.x')).toBe('AIzan ya29 and ya29.x');
  });

  it('redacts a Google API key whose last character is -, wherever it ends', () => {
    // A key's 35 characters after AIza may be - too: about one key in 64 ends with it.
    const key = 'AIzaSyA1b2C3d4E5f6G7h8I9j0K_lMnOpQrStU-';
    expect(key).toHaveLength(39);
    expect(redactCredentialShapes(`GET /v1beta/models?key=${key}&alt=sse failed`)).toBe('GET /v1beta/models?key=[redacted]&alt=sse failed');
    expect(redactCredentialShapes(`{"x-goog-api-key":"${key}"}`)).toBe('{"x-goog-api-key":"[redacted]"}');
    expect(redactCredentialShapes(`key ${key}`)).toBe('key [redacted]');
    // A longer run is not a key of this shape.
    expect(redactCredentialShapes(`${key}x`)).toBe(`${key}x`);
  });
});

describe('headerSecrets', () => {
  it('takes credential headers, with and without their scheme, and nothing else', () => {
    expect(headerSecrets({ Authorization: 'Bearer gateway-key', 'X-Team': 'blue', 'api-key': 'azure-key' })).toEqual(['Bearer gateway-key', 'gateway-key', 'azure-key']);
  });
});

describe('credentialsInURL', () => {
  it('names the problem without quoting the credential', () => {
    const problem = credentialsInURL('https://user:hunter2-secret@api.example.test/v1');
    expect(problem).toMatch(/must not contain credentials.*apiKey/);
    expect(problem).not.toMatch(/hunter2/);
    expect(credentialsInURL('https://api.example.test/v1')).toBeUndefined();
  });
});

describe('redactCause', () => {
  const key = 'k3y-0f-the-adapter-1234';
  const redact = createRedactor(() => [key]);

  it('copies an error chain with every message and stack redacted, keeping built-in classes and socket codes', () => {
    const socket = Object.assign(new Error(`reset while sending ${key}`), { code: 'ECONNRESET', errno: -104, syscall: 'read', secret: key });
    const copy = redactCause(new TypeError(`fetch failed for ${key}`, { cause: socket }), redact) as TypeError & { cause: Error & { code: string; errno: number; syscall: string } };
    expect(copy).toBeInstanceOf(TypeError);
    expect(copy.message).toBe('fetch failed for [redacted]');
    expect(copy.cause.message).toBe('reset while sending [redacted]');
    expect(copy.cause).toMatchObject({ code: 'ECONNRESET', errno: -104, syscall: 'read' });
    expect(inspect(copy, { depth: 10 })).not.toContain(key);
  });

  it("keeps an AggregateError's errors, redacted, and where the connection went", () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}:443 with ${key}`), { code: 'ECONNREFUSED', address, port: 443 });
    const copy = redactCause(new AggregateError([refused('10.0.0.7'), refused('10.0.0.8')], `all attempts failed (${key})`), redact) as AggregateError;
    expect(copy).toBeInstanceOf(AggregateError);
    expect(copy.message).toBe('all attempts failed ([redacted])');
    expect(copy.errors.map((error: Error & { address: string; port: number; code: string }) => [error.message, error.code, error.address, error.port])).toEqual([
      ['connect ECONNREFUSED 10.0.0.7:443 with [redacted]', 'ECONNREFUSED', '10.0.0.7', 443],
      ['connect ECONNREFUSED 10.0.0.8:443 with [redacted]', 'ECONNREFUSED', '10.0.0.8', 443],
    ]);
    expect(inspect(copy, { depth: 10 })).not.toContain(key);
  });

  it('ends a cyclic chain, drops causes that are not errors, and keeps a RouterError as it is', () => {
    const cyclic = new Error(`one ${key}`);
    (cyclic as { cause?: unknown }).cause = cyclic;
    expect(inspect(redactCause(cyclic, redact), { depth: 20 })).not.toContain(key);
    expect(redactCause({ token: key }, redact)).toBeUndefined();
    expect(redactCause(`text with ${key}`, redact)).toBe('text with [redacted]');
    const routerError = new RouterError('already redacted', { code: 'upstream_error' });
    expect(redactCause(routerError, redact)).toBe(routerError);
  });
});

describe('redactError (secrets an adapter holds)', () => {
  const token = 'ya29.a0-google-access-token';

  it('scrubs a held secret quoted only in the cause, and keeps an error whose chain is clean as it is', () => {
    const quoted = new RouterError('vertex returned 401', { code: 'upstream_error', cause: new SyntaxError(`Unexpected token in "${token}"`) });
    const scrubbed = redactError(quoted, [token]);
    expect(scrubbed).not.toBe(quoted);
    expect(scrubbed.message).toBe('vertex returned 401');
    expect(scrubbed.cause).toBeInstanceOf(SyntaxError);
    expect(inspect(scrubbed, { depth: 10 })).not.toContain(token);
    const clean = new RouterError('vertex returned 503', { code: 'upstream_error', cause: new Error('socket hang up') });
    expect(redactError(clean, [token])).toBe(clean);
  });

  it("scrubs a held secret quoted by one of an AggregateError's errors (each address a connection tried)", () => {
    const attempts = new AggregateError([new Error('connect ECONNREFUSED 10.0.0.7:443'), new TypeError(`invalid header value "${token}"`)], 'fetch failed');
    const failed = new RouterError('could not connect to vertex (fetch failed)', { code: 'upstream_error', cause: redactCause(attempts) });
    const scrubbed = redactError(failed, [token]);
    expect(scrubbed.cause).toBeInstanceOf(AggregateError);
    expect((scrubbed.cause as AggregateError).errors).toHaveLength(2);
    expect(inspect(scrubbed, { depth: 10 })).not.toContain(token);
  });

  it('keeps the mark of an error raised before anything was sent', () => {
    const unsent = raisedBeforeSending(new RouterError(`could not refresh the access token ${token}`, { code: 'upstream_error' }));
    const scrubbed = redactError(unsent, [token]);
    expect(scrubbed.message).toBe('could not refresh the access token [redacted]');
    expect(wasNotSent(scrubbed)).toBe(true);
  });
});
