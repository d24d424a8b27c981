import { describe, expect, it } from 'vitest';
import { createRedactor, credentialsInURL, headerSecrets, redactCredentialShapes } from './redact.js';

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
