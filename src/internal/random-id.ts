import { nodeBuiltin } from './node-builtin.js';

/*
 * Random ids from Web Crypto (`globalThis.crypto`, global in Node 20 and on every edge runtime),
 * so the core entry needs no `node:crypto`. Request ids are made on every call: where Node's own
 * `randomUUID` is at hand it is used, a few tenths of a microsecond faster than the Web one.
 */

const randomUUID: () => string =
  /* @__PURE__ */ nodeBuiltin<typeof import('node:crypto')>('node:crypto')?.randomUUID ?? (() => crypto.randomUUID());

/** 32 random hex digits (a UUID v4 without its dashes): request and gap record ids. */
export function randomUuidHex(): string {
  return randomUUID().replaceAll('-', '');
}

/** `bytes` random bytes as hex: unguessable ids. */
export function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  let hex = '';
  for (const value of values) hex += (value < 16 ? '0' : '') + value.toString(16);
  return hex;
}
