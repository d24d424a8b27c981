/*
 * Random ids from Web Crypto (`globalThis.crypto`, global in Node 20 and on every edge runtime),
 * so the core entry needs no `node:crypto`.
 */

/** 32 random hex digits (a UUID v4 without its dashes): request and gap record ids. */
export function randomUuidHex(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/** `bytes` random bytes as hex: unguessable ids. */
export function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  let hex = '';
  for (const value of values) hex += (value < 16 ? '0' : '') + value.toString(16);
  return hex;
}
