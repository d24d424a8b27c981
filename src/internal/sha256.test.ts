import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeSha256Hex, pureSha256Hex, sha256Hex } from './sha256.js';
import { utf8ByteLength } from './utf8-length.js';

const nodeSha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('SHA-256 without node:crypto', () => {
  it('gives the published digests (FIPS 180-2 and NIST examples)', () => {
    expect(pureSha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(pureSha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(pureSha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(pureSha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('agrees with node:crypto at every padding boundary and on random Unicode text', () => {
    for (let length = 0; length <= 200; length++) expect(pureSha256Hex('x'.repeat(length))).toBe(nodeSha256('x'.repeat(length)));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(pureSha256Hex(text)).toBe(nodeSha256(text));
      }),
      { numRuns: 500 },
    );
  });

  it('uses Node’s native hash when the runtime offers it, with the same digests', () => {
    expect(nativeSha256Hex()).toBeTypeOf('function');
    expect(sha256Hex).not.toBe(pureSha256Hex);
    expect(sha256Hex('{"a":"é"}')).toBe(pureSha256Hex('{"a":"é"}'));
  });
});

describe('UTF-8 length without Buffer', () => {
  it('counts what TextEncoder would write, lone surrogates included', () => {
    const original = globalThis.Buffer;
    const encoder = new TextEncoder();
    try {
      (globalThis as { Buffer?: unknown }).Buffer = undefined;
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 }), (a, b) => {
          expect(utf8ByteLength(a + b)).toBe(encoder.encode(a + b).length);
          expect(utf8ByteLength('\ud800' + a)).toBe(encoder.encode('\ud800' + a).length);
        }),
      );
    } finally {
      globalThis.Buffer = original;
    }
  });
});
