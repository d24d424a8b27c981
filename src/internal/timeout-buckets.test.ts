import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTimeoutBuckets } from './timeout-buckets.js';

describe('timeout buckets', () => {
  afterEach(() => vi.useRealTimers());

  it('gives calls due in the same bucket one signal, and later calls another', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const buckets = createTimeoutBuckets(100);
    // Start just past a bucket boundary, so the next 10 ms stay in one bucket.
    vi.advanceTimersByTime(100 - (performance.now() % 100) + 1);
    const first = buckets.signal(5_000);
    vi.advanceTimersByTime(10);
    expect(buckets.signal(5_000)).toBe(first);
    vi.advanceTimersByTime(100);
    expect(buckets.signal(5_000)).not.toBe(first);
  });

  it('never aborts early, and aborts within one bucket of the timeout', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const buckets = createTimeoutBuckets(100);
    vi.advanceTimersByTime(37);
    const signal = buckets.signal(2_000);
    vi.advanceTimersByTime(1_999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(100);
    expect(signal.aborted).toBe(true);
  });

  it('does not keep the process alive for an empty bucket', () => {
    const unref = vi.fn();
    const spy = vi.spyOn(globalThis, 'setTimeout').mockReturnValue({ unref } as unknown as ReturnType<typeof setTimeout>);
    createTimeoutBuckets().signal(60_000);
    expect(unref).toHaveBeenCalledOnce();
    spy.mockRestore();
  });
});
