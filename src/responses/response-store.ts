import { utf8ByteLength } from '../internal/utf8-length.js';
import { redactCredentialShapes } from '../providers/redact.js';
import type { ResponseItem } from './wire.js';

/**
 * What the router keeps of one response, so that `previous_response_id` and `item_reference`
 * work: its own turn of the conversation (`input`: this request's items, references resolved;
 * `output`: what it answered) and the response it continued (`previousResponseId`). A
 * conversation is rebuilt by following `previousResponseId` back to its first response, so each
 * turn is kept once, however long the conversation grows.
 */
export interface StoredResponse {
  /** The `resp_…` id returned to the caller. */
  id: string;
  /** The key id of the caller who created it: another key cannot read it. */
  owner: string | null;
  /**
   * The response this one continued (its request's `previous_response_id`), whose conversation
   * comes before `input`; absent for the first response of a conversation. Responses stored
   * without it by sovroute before it kept conversations as links hold their whole conversation
   * in `input`: they are read as a conversation's first response.
   */
  previousResponseId?: string;
  /** This response's own input items, `item_reference`s replaced by the items they named. */
  input: ResponseItem[];
  output: ResponseItem[];
  /** @unit epoch milliseconds */
  createdAt: number;
}

/**
 * Where responses are kept. Methods may be synchronous or return promises, so a shared store
 * (Redis, a database) can implement the same contract; an item is found by its own id
 * (`msg_…`, `fc_…`) in whichever stored response holds it. A conversation needs every response
 * of its `previousResponseId` chain: a store that expires or evicts responses should keep each
 * one at least as long as the responses that continue it (the memory store renews a chain each
 * time it is continued).
 */
export interface ResponseStore {
  /** The stored response, or `undefined` when it is unknown or expired. */
  get(id: string): StoredResponse | undefined | Promise<StoredResponse | undefined>;
  /** The item with this id and the owner of the response that holds it, or `undefined`. */
  getItem(id: string): { item: ResponseItem; owner: string | null } | undefined | Promise<{ item: ResponseItem; owner: string | null } | undefined>;
  /** Keeps a response (and indexes its items by id). It is the store's own: nobody else holds or changes it. */
  set(response: StoredResponse): void | Promise<void>;
}

/**
 * What a store's failure says, for an error or a log line: its message without the credentials
 * it may quote (a connection URL's user and password, a bearer token).
 */
export function storeFailure(error: unknown): string {
  return redactCredentialShapes(error instanceof Error ? error.message : String(error)).replace(/:\/\/[^\s/@]*@/g, '://');
}

/** Bounds of the built-in memory store. */
export interface MemoryResponseStoreOptions {
  /**
   * Responses kept at most; the least recently kept or continued go first. A conversation in use
   * needs up to 16 of them (its turns since it was last kept whole): below that, a response that
   * cannot fit with its conversation is not kept (it says `store: false`).
   * @default 1000
   */
  maxEntries?: number;
  /**
   * Total size of the kept responses (their JSON) at most; the least recently kept or continued go
   * first. A response larger on its own is not kept (it says `store: false`).
   * @unit bytes @default 33554432 (32 MiB)
   */
  maxBytes?: number;
  /** How long a response stays available after it was kept or its conversation was last continued. @unit milliseconds @default 3600000 (1 hour) */
  ttlMs?: number;
}

interface Entry {
  response: StoredResponse;
  bytes: number;
  expiresAt: number;
}

/**
 * A response store in this process's memory, bounded by count, bytes and age. Responses are
 * evicted least recently continued first. Keeping a response, or reading one to continue it,
 * renews the responses it continues (their age and their place in the eviction order), so a
 * conversation in use keeps all its turns. A response larger than `maxBytes` on its own, or whose
 * conversation cannot fit with it, is refused (`set` throws: the response says `store: false`).
 */
export function memoryResponseStore(options: MemoryResponseStoreOptions = {}): ResponseStore {
  const maxEntries = options.maxEntries ?? 1000;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const ttlMs = options.ttlMs ?? 3_600_000;
  // Map order is insertion order: the first entry is always the least recently kept or continued.
  const entries = new Map<string, Entry>();
  // item id → the ids of the responses holding it, oldest kept first (one may repeat another's
  // items: an item_reference resolved into its input, or a conversation stored whole by an earlier
  // version). All of them, not only the newest: evicting one leaves the item with the others, which
  // may have been continued since and outlive it.
  const items = new Map<string, string[]>();
  let bytes = 0;

  function evict(id: string): void {
    const entry = entries.get(id);
    if (!entry) return;
    entries.delete(id);
    bytes -= entry.bytes;
    for (const item of [...entry.response.input, ...entry.response.output]) {
      if (typeof item.id !== 'string') continue;
      const left = (items.get(item.id) ?? []).filter((holder) => holder !== id);
      if (left.length > 0) items.set(item.id, left);
      else items.delete(item.id);
    }
  }

  function live(id: string): Entry | undefined {
    const entry = entries.get(id);
    if (entry && entry.expiresAt <= Date.now()) {
      evict(id);
      return undefined;
    }
    return entry;
  }

  /**
   * Renews response `id` and the responses before it in its conversation (back to the first, or
   * to one already gone): a fresh expiry and the newest places in the eviction order. Returns
   * them (their count and size).
   */
  function renewChain(id: string | undefined, now: number): { count: number; bytes: number } {
    const chain: Entry[] = [];
    const seen = new Set<string>();
    for (let at = id; at !== undefined && !seen.has(at); ) {
      seen.add(at);
      const entry = live(at);
      if (!entry) break;
      chain.push(entry);
      at = entry.response.previousResponseId;
    }
    // Re-inserted first response first: the conversation's turns keep their order among themselves.
    let chainBytes = 0;
    for (const entry of chain.reverse()) {
      renew(entry, now);
      chainBytes += entry.bytes;
    }
    return { count: chain.length, bytes: chainBytes };
  }

  /** A fresh expiry and the newest place in the eviction order. */
  function renew(entry: Entry, now: number): void {
    entries.delete(entry.response.id);
    entry.expiresAt = now + ttlMs;
    entries.set(entry.response.id, entry);
  }

  return {
    // Read to continue its conversation: renewed, so a conversation continued by responses that
    // are not kept themselves (store: false) stays too.
    get(id) {
      const entry = live(id);
      if (entry) renew(entry, Date.now());
      return entry?.response;
    },
    getItem(id) {
      // The newest holder still live (a copy of the list: an expired holder is evicted on the way).
      for (const holder of [...(items.get(id) ?? [])].reverse()) {
        const entry = live(holder);
        if (!entry) continue;
        const item = entry.response.output.find((candidate) => candidate.id === id) ?? entry.response.input.find((candidate) => candidate.id === id);
        if (item) return { item, owner: entry.response.owner };
      }
      return undefined;
    },
    set(response) {
      const size = utf8ByteLength(JSON.stringify(response));
      // Refused, not dropped: the response then says store: false rather than promise a continuation.
      if (size > maxBytes) throw new Error(`response ${response.id} takes ${size} bytes, more than the memory store's maxBytes (${maxBytes}) on its own; raise responses.maxBytes`);
      evict(response.id);
      const now = Date.now();
      const chain = renewChain(response.previousResponseId, now);
      // Making room evicts least recently continued first, and the conversation this response
      // continues was just renewed: it would be evicted only if it cannot fit with it, which
      // would keep a response that cannot be continued. It is refused instead (store: false).
      const bound = chain.count + 1 > maxEntries ? { name: 'maxEntries', value: maxEntries } : chain.bytes + size > maxBytes ? { name: 'maxBytes', value: maxBytes } : undefined;
      if (bound) {
        throw new Error(
          `response ${response.id} continues a conversation of ${chain.count} stored responses (${chain.bytes + size} bytes with it) that the memory store's ${bound.name} (${bound.value}) cannot hold together; raise responses.${bound.name}`,
        );
      }
      for (const [id, entry] of entries) {
        if (entry.expiresAt > now && entries.size < maxEntries && bytes + size <= maxBytes) break;
        evict(id);
      }
      entries.set(response.id, { response, bytes: size, expiresAt: now + ttlMs });
      bytes += size;
      for (const item of [...response.input, ...response.output]) {
        if (typeof item.id !== 'string') continue;
        // An id another key's kept response holds stays theirs: a caller cannot take a reference from it.
        const held = [...(items.get(item.id) ?? [])].map(live).find((entry) => entry !== undefined && entry.response.id !== response.id);
        if (held && held.response.owner !== response.owner) continue;
        const holders = items.get(item.id);
        if (!holders) items.set(item.id, [response.id]);
        else if (!holders.includes(response.id)) holders.push(response.id);
      }
    },
  };
}
