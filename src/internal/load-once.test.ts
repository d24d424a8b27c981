import { describe, expect, it } from 'vitest';
import { loadOnce } from './load-once.js';

describe('loadOnce', () => {
  it('loads once for every caller, and tries again after a failed load', async () => {
    let calls = 0;
    const load = loadOnce(async () => {
      calls += 1;
      if (calls === 1) throw new Error('chunk missing');
      return { loadedOn: calls };
    });
    await expect(Promise.all([load(), load()])).rejects.toThrow('chunk missing');
    expect(calls).toBe(1); // both callers shared the one failed load
    const [first, second] = await Promise.all([load(), load()]);
    expect(first).toEqual({ loadedOn: 2 });
    expect(second).toBe(first);
    await load();
    expect(calls).toBe(2);
  });
});
