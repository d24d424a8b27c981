/**
 * Request ids: `req_` and 32 hex digits, unique across processes without a random draw per call.
 * Each process (or bundle copy) draws an 80-bit random prefix once, from Web Crypto; a 48-bit
 * counter follows it. A request id names an audit record and is returned to the caller; it
 * grants nothing, so it need not be unguessable, only unique. (`randomUUID` per request cost
 * ~1 µs and a string rewrite on the hot path.)
 */

const counterLimit = 2 ** 48;
let prefix = '';
let counter = counterLimit;

function drawPrefix(): void {
  const bytes = new Uint8Array(10);
  globalThis.crypto.getRandomValues(bytes);
  let hex = '';
  for (const byte of bytes) hex += (byte < 16 ? '0' : '') + byte.toString(16);
  prefix = `req_${hex}`;
  counter = 0;
}

/** A fresh request id, e.g. `req_3f9a0c1e5b7d2e4f6a8c000000000001`. */
export function nextRequestId(): string {
  // The first call draws the prefix (not module load: a bundle that never routes draws nothing);
  // a counter that ran out draws a new one.
  if (counter >= counterLimit) drawPrefix();
  const count = (counter++).toString(16);
  return prefix + '000000000000'.slice(count.length) + count;
}
