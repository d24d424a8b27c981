import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTimeoutBuckets, usesPerSignal } from './timeout-buckets.js';

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

  it('hands one signal to a bounded number of calls, and aborts every signal of the bucket on time', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const buckets = createTimeoutBuckets(100);
    vi.advanceTimersByTime(100 - (performance.now() % 100) + 1);
    const signals = Array.from({ length: usesPerSignal * 3 }, () => buckets.signal(5_000));
    const distinct = new Set(signals);
    // Node's fetch scans a signal's listeners on every request: no signal may gather a whole bucket's calls.
    expect(distinct.size).toBe(3);
    for (const signal of distinct) expect(signals.filter((each) => each === signal)).toHaveLength(usesPerSignal);
    vi.advanceTimersByTime(4_999);
    expect(signals.some((signal) => signal.aborted)).toBe(false);
    vi.advanceTimersByTime(100);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
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
