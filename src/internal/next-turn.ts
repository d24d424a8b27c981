/*
 * "Run this after the current turn": `setImmediate` in Node (after pending I/O, before timers),
 * a zero-delay timer on runtimes without it (Workers, Deno, browsers).
 */

/** An opaque handle that `cancelTurn` accepts. */
export type TurnHandle = { readonly turn: unique symbol };

const hasImmediate = typeof globalThis.setImmediate === 'function';

/** Calls `callback` on a later turn of the event loop. */
export function scheduleTurn(callback: () => void): TurnHandle {
  return (hasImmediate ? setImmediate(callback) : setTimeout(callback, 0)) as unknown as TurnHandle;
}

/** Cancels a callback `scheduleTurn` has not run yet. */
export function cancelTurn(handle: TurnHandle): void {
  if (hasImmediate) clearImmediate(handle as unknown as ReturnType<typeof setImmediate>);
  else clearTimeout(handle as unknown as ReturnType<typeof setTimeout>);
}
