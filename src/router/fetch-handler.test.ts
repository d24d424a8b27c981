import { describe, expect, it } from 'vitest';
import { incoming } from './fetch-handler.js';

/* What router.fetch keeps of a call fetch itself refuses: never a header's value, which may be the caller's key. */

const secret = 'sk-caller-secret-0042';

/** Every message and stack down an error's cause chain, as one text. */
function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '');
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join('\n');
}

describe('a refused header', () => {
  it.each<[string, string | URL, RequestInit]>([
    ['a record of headers, a NUL in the value', 'http://router.local/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${secret}\u0000` }, body: '{}' }],
    ['a list of headers, a line break in the value', 'http://router.local/v1/chat/completions', { method: 'POST', headers: [['authorization', `Bearer ${secret}\r\nx`]], body: '{}' }],
    ['a Map of headers', 'http://router.local/v1/chat/completions', { method: 'POST', headers: new Map([['authorization', `Bearer ${secret}\u0000`]]) as unknown as NonNullable<RequestInit['headers']>, body: '{}' }],
    [
      'a generator of headers, used up by the time it is named',
      'http://router.local/v1/chat/completions',
      { method: 'POST', headers: (function* () { yield ['authorization', `Bearer ${secret}\u0000`]; })() as unknown as NonNullable<RequestInit['headers']>, body: '{}' },
    ],
    ['a URL and a streamed body', new URL('http://router.local/v1/chat/completions'), { method: 'POST', headers: { authorization: `Bearer ${secret}\u0000` }, body: new Uint8Array([123, 125]) }],
  ])('in %s is named, and nothing of its value is kept, not even in the cause', (_name, input, init) => {
    const call = incoming(input, init, 1024);
    expect(call.malformed).toBeDefined();
    expect(call.malformed!.message).toMatch(/^The request is malformed: .*header/);
    expect(causeChain(call.malformed)).not.toContain(secret);
    expect(JSON.stringify(call.malformed)).not.toContain(secret);
  });

  it('a Map of headers names the header it refuses', () => {
    const call = incoming('http://router.local/v1/chat/completions', { method: 'POST', headers: new Map([['authorization', `Bearer ${secret}\u0000`]]) as unknown as NonNullable<RequestInit['headers']>, body: '{}' }, 1024);
    expect(call.malformed!.message).toContain('the header "authorization"');
  });

  it('keeps the cause of a refusal that quotes nothing of a header (a GET with a body)', () => {
    const call = incoming(new URL('http://router.local/v1/chat/completions'), { method: 'GET', body: new Uint8Array([1]) }, 1024);
    expect(call.malformed!.cause).toBeInstanceOf(TypeError);
  });
});
