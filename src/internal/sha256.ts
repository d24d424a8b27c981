import { nodeBuiltin } from './node-builtin.js';

/*
 * SHA-256 for the audit hash chain, content hashes and key ids: synchronous, because the chain
 * is built synchronously in completion order. Node's native hash when the runtime has it (loaded
 * without a static import, so the core stays edge-safe); elsewhere a small pure implementation
 * that gives the same digests (src/internal/sha256.test.ts checks both against known vectors and
 * each other).
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const encoder = new TextEncoder();
const words = new Uint32Array(64);

/** The hex SHA-256 of a string's UTF-8 bytes, in plain JavaScript (any runtime). */
export function pureSha256Hex(text: string): string {
  const input = encoder.encode(text);
  const length = input.length;
  // Message, the 0x80 marker, zero padding, and the 64-bit bit length, in whole 64-byte blocks.
  const blocks = new Uint8Array((((length + 8) >>> 6) + 1) << 6);
  blocks.set(input);
  blocks[length] = 0x80;
  const view = new DataView(blocks.buffer);
  view.setUint32(blocks.length - 8, Math.floor(length / 0x20000000));
  view.setUint32(blocks.length - 4, (length << 3) >>> 0);

  let h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a;
  let h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
  for (let offset = 0; offset < blocks.length; offset += 64) {
    for (let i = 0; i < 16; i++) words[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const w15 = words[i - 15]!;
      const w2 = words[i - 2]!;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      words[i] = (words[i - 16]! + s0 + words[i - 7]! + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + words[i]!) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
  }
  let hex = '';
  for (const word of [h0, h1, h2, h3, h4, h5, h6, h7]) hex += (word >>> 0).toString(16).padStart(8, '0');
  return hex;
}

type NodeCrypto = typeof import('node:crypto');

/** Node's native SHA-256 when the runtime offers `node:crypto`; undefined elsewhere. */
export function nativeSha256Hex(): ((text: string) => string) | undefined {
  const crypto = nodeBuiltin<NodeCrypto>('node:crypto');
  if (crypto === undefined || typeof crypto.createHash !== 'function') return undefined;
  return (text) => crypto.createHash('sha256').update(text).digest('hex');
}

/** Node's native SHA-256 over several strings in turn (as if joined); undefined elsewhere. */
export function nativeSha256HexOfParts(): ((parts: readonly string[]) => string) | undefined {
  const crypto = nodeBuiltin<NodeCrypto>('node:crypto');
  if (crypto === undefined || typeof crypto.createHash !== 'function') return undefined;
  return (parts) => {
    const hash = crypto.createHash('sha256');
    for (const part of parts) hash.update(part);
    return hash.digest('hex');
  };
}

/**
 * The hex SHA-256 of a string's UTF-8 bytes: Node's native hash where present (chosen once,
 * at load), the pure implementation elsewhere.
 */
export const sha256Hex: (text: string) => string = /* @__PURE__ */ nativeSha256Hex() ?? pureSha256Hex;

/**
 * The hex SHA-256 of strings' UTF-8 bytes taken one after the other: the digest of their
 * concatenation, without building it (a large text stays in parts; see
 * src/audit/canonical-record.ts). Parts must not split a surrogate pair.
 */
export const sha256HexOfParts: (parts: readonly string[]) => string =
  /* @__PURE__ */ nativeSha256HexOfParts() ?? ((parts) => pureSha256Hex(parts.length === 1 ? parts[0]! : parts.join('')));
