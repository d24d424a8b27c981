import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryResponseStore, type StoredResponse } from './response-store.js';

/* The built-in memory store: bounded by count, bytes and age. */

function stored(id: string, text = 'x', owner: string | null = 'k'): StoredResponse {
  return {
    id,
    owner,
    input: [{ type: 'message', role: 'user', content: text }],
    output: [{ type: 'message', id: `msg_${id}`, role: 'assistant', content: [{ type: 'output_text', text }] }],
    createdAt: Date.now(),
  };
}

afterEach(() => vi.useRealTimers());

describe('memoryResponseStore', () => {
  it('finds a response by id and its items by their own ids', async () => {
    const store = memoryResponseStore();
    await store.set(stored('resp_1', 'hello'));
    expect((await store.get('resp_1'))?.output[0]?.id).toBe('msg_resp_1');
    expect(await store.getItem('msg_resp_1')).toEqual({ item: stored('resp_1', 'hello').output[0], owner: 'k' });
    expect(await store.get('resp_2')).toBeUndefined();
    expect(await store.getItem('msg_unknown')).toBeUndefined();
  });

  it('evicts the oldest response beyond maxEntries, with its items', async () => {
    const store = memoryResponseStore({ maxEntries: 2 });
    for (const id of ['resp_1', 'resp_2', 'resp_3']) await store.set(stored(id));
    expect(await store.get('resp_1')).toBeUndefined();
    expect(await store.getItem('msg_resp_1')).toBeUndefined();
    expect(await store.get('resp_2')).toBeDefined();
    expect(await store.get('resp_3')).toBeDefined();
  });

  it('keeps an item reachable while a newer response still holds it', async () => {
    const store = memoryResponseStore({ maxEntries: 1 });
    const first = stored('resp_1');
    await store.set(first);
    // A response stored whole by an earlier version repeats the first turn's items as its history.
    await store.set({ ...stored('resp_2'), input: [...first.input, ...first.output] });
    expect(await store.get('resp_1')).toBeUndefined();
    expect((await store.getItem('msg_resp_1'))?.item).toEqual(first.output[0]);
  });

  it('keeps an item reachable while an older response, continued since, still holds it after the newer one is evicted', async () => {
    const store = memoryResponseStore({ maxEntries: 3 });
    const first = stored('resp_1');
    await store.set(first);
    // A later step names the first answer by item_reference: its input repeats the item.
    await store.set({ ...stored('resp_2'), input: [first.output[0]!] });
    // The first response's conversation is continued, so the second is now the least recently used.
    await store.get('resp_1');
    await store.set({ ...stored('resp_3'), previousResponseId: 'resp_1' });
    await store.set(stored('resp_4'));
    expect(await store.get('resp_2')).toBeUndefined();
    expect(await store.get('resp_1')).toBeDefined();
    expect((await store.getItem('msg_resp_1'))?.item).toEqual(first.output[0]);
  });

  it('evicts the least recently continued conversation first, not the first turns of one in use', async () => {
    const store = memoryResponseStore({ maxEntries: 3 });
    await store.set(stored('resp_a1'));
    await store.set(stored('resp_b1'));
    await store.set({ ...stored('resp_a2'), previousResponseId: 'resp_a1' });
    await store.set(stored('resp_c1'));
    expect(await store.get('resp_b1')).toBeUndefined();
    expect(await store.get('resp_a1')).toBeDefined();
    expect(await store.get('resp_a2')).toBeDefined();
  });

  it('refuses a response whose conversation cannot fit with it, rather than evict its earlier turns', async () => {
    const size = Buffer.byteLength(JSON.stringify(stored('resp_a1', 'a'.repeat(1000))));
    const store = memoryResponseStore({ maxBytes: size * 2 + 500 });
    await store.set(stored('resp_b1'));
    await store.set(stored('resp_a1', 'a'.repeat(1000)));
    await store.set({ ...stored('resp_a2', 'a'.repeat(1000)), previousResponseId: 'resp_a1' });
    expect(() => store.set({ ...stored('resp_a3', 'a'.repeat(1000)), previousResponseId: 'resp_a2' })).toThrow(/cannot hold together; raise responses\.maxBytes/);
    expect(await store.get('resp_a1')).toBeDefined();
    expect(await store.get('resp_a2')).toBeDefined();
    expect(await store.get('resp_a3')).toBeUndefined();
    // A response of its own still makes room as before.
    await store.set(stored('resp_c1', 'a'.repeat(1000)));
    expect(await store.get('resp_c1')).toBeDefined();
  });

  it('keeps the earlier turns of a conversation for ttlMs after it was last continued', async () => {
    vi.useFakeTimers();
    const store = memoryResponseStore({ ttlMs: 1000 });
    await store.set(stored('resp_1'));
    vi.advanceTimersByTime(600);
    await store.set({ ...stored('resp_2'), previousResponseId: 'resp_1' });
    vi.advanceTimersByTime(600);
    // getItem, unlike get, does not renew it.
    expect(await store.getItem('msg_resp_1')).toBeDefined();
    vi.advanceTimersByTime(400);
    expect(await store.get('resp_1')).toBeUndefined();
    expect(await store.get('resp_2')).toBeUndefined();
  });

  it('evicts the oldest responses beyond maxBytes and refuses one larger than the whole budget', async () => {
    const size = Buffer.byteLength(JSON.stringify(stored('resp_1', 'a'.repeat(1000))));
    const store = memoryResponseStore({ maxBytes: size * 2 + 10 });
    for (const id of ['resp_1', 'resp_2', 'resp_3']) await store.set(stored(id, 'a'.repeat(1000)));
    expect(await store.get('resp_1')).toBeUndefined();
    expect(await store.get('resp_3')).toBeDefined();
    expect(() => store.set(stored('resp_big', 'b'.repeat(size * 3)))).toThrow(/resp_big takes \d+ bytes, more than the memory store's maxBytes/);
    expect(await store.get('resp_big')).toBeUndefined();
    expect(await store.get('resp_3')).toBeDefined();
  });

  it('renews a response read to continue it, and the order in which responses are evicted', async () => {
    vi.useFakeTimers();
    const store = memoryResponseStore({ ttlMs: 1000, maxEntries: 2 });
    await store.set(stored('resp_1'));
    await store.set(stored('resp_2'));
    vi.advanceTimersByTime(600);
    expect(await store.get('resp_1')).toBeDefined();
    vi.advanceTimersByTime(600);
    expect(await store.get('resp_2')).toBeUndefined();
    expect(await store.get('resp_1')).toBeDefined();
    await store.set(stored('resp_3'));
    await store.set(stored('resp_4'));
    expect(await store.get('resp_1')).toBeUndefined();
  });

  it('forgets a response after ttlMs', async () => {
    vi.useFakeTimers();
    const store = memoryResponseStore({ ttlMs: 1000 });
    await store.set(stored('resp_1'));
    vi.advanceTimersByTime(999);
    expect(await store.getItem('msg_resp_1')).toBeDefined();
    vi.advanceTimersByTime(1);
    expect(await store.get('resp_1')).toBeUndefined();
    expect(await store.getItem('msg_resp_1')).toBeUndefined();
  });
});
