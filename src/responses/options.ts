import * as s from '../internal/shape/index.js';
import type { MemoryResponseStoreOptions, ResponseStore } from './response-store.js';

/**
 * How `router.responses` keeps responses for `previous_response_id` and `item_reference`. The
 * bounds apply to the built-in memory store.
 * @example { maxEntries: 10_000, ttlMs: 24 * 3_600_000 }
 * @example { store: false } // keep nothing: every request must carry its whole conversation
 */
export interface ResponsesOptions extends MemoryResponseStoreOptions {
  /**
   * Where responses are kept: a store implementing `ResponseStore` (e.g. one shared by several
   * instances), or `false` to keep none.
   * @default memoryResponseStore({ maxEntries, maxBytes, ttlMs })
   */
  store?: ResponseStore | false;
}

const optionalPositiveInteger = () => s.optional(s.number(s.int(), s.positive(), s.maximum(Number.MAX_SAFE_INTEGER)));

export const responsesOptionsShape = s.strictObject({
  store: s.optional(
    s.union([
      s.literal(false),
      s.custom(
        (value) =>
          typeof value === 'object' && value !== null && ['get', 'getItem', 'set'].every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
        'must be false or a ResponseStore: an object with get, getItem and set (e.g. memoryResponseStore())',
      ),
    ]),
  ),
  maxEntries: optionalPositiveInteger(),
  maxBytes: optionalPositiveInteger(),
  ttlMs: optionalPositiveInteger(),
});
