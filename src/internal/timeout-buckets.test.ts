import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTimeoutBuckets } from './timeout-buckets.js';

describe('timeout buckets', () => {
  afterEach(() => vi.useRealTimers());

  it('runs every callback due in one bucket from one timer, never early and at most one bucket late', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const buckets = createTimeoutBuckets(100);
    vi.advanceTimersByTime(37);
    const calls = Array.from({ length: 20 }, () => vi.fn());
    for (const call of calls) buckets.schedule(2_000, call);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1_999);
    expect(calls.some((call) => call.mock.calls.length > 0)).toBe(false);
    vi.advanceTimersByTime(100);
    for (const call of calls) expect(call).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not run a cancelled callback, and runs one scheduled twice twice', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const buckets = createTimeoutBuckets(100);
    const cancelled = vi.fn();
    const twice = vi.fn();
    buckets.schedule(5_000, cancelled)();
    buckets.schedule(5_000, twice);
    buckets.schedule(5_000, twice);
    vi.advanceTimersByTime(5_100);
    expect(cancelled).not.toHaveBeenCalled();
    expect(twice).toHaveBeenCalledTimes(2);
  });

  it('gives a delay under minimumMs a precise timer of its own', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const buckets = createTimeoutBuckets(100, 1_000);
    vi.advanceTimersByTime(37);
    const short = vi.fn();
    const cancel = buckets.schedule(250, short);
    vi.advanceTimersByTime(249);
    expect(short).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(short).toHaveBeenCalledOnce();
    const never = vi.fn();
    buckets.schedule(250, never)();
    vi.advanceTimersByTime(1_000);
    expect(never).not.toHaveBeenCalled();
    cancel();
  });

  it('keeps the process alive while a bucket has a pending callback, and not once all are cancelled', () => {
    const timer = { ref: vi.fn(), unref: vi.fn() };
    const spy = vi.spyOn(globalThis, 'setTimeout').mockReturnValue(timer as unknown as ReturnType<typeof setTimeout>);
    // Both land in one bucket however slow the machine: the clock stands still between them.
    const clock = vi.spyOn(performance, 'now').mockReturnValue(1_000);
    const buckets = createTimeoutBuckets();
    const first = buckets.schedule(60_000, () => undefined);
    const second = buckets.schedule(60_000, () => undefined);
    expect(timer.ref).toHaveBeenCalledOnce();
    first();
    expect(timer.unref).not.toHaveBeenCalled();
    second();
    expect(timer.unref).toHaveBeenCalledOnce();
    spy.mockRestore();
    clock.mockRestore();
  });

  it('never rounds the longest delay past what a timer can hold', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const buckets = createTimeoutBuckets(100);
    vi.advanceTimersByTime(37);
    const longest = vi.fn();
    buckets.schedule(2 ** 31 - 1, longest);
    vi.advanceTimersByTime(1_000);
    expect(longest).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(longest).toHaveBeenCalledOnce();
  });

  it('shares one signal among holders due in one bucket, aborted at the bucket end, never early', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const buckets = createTimeoutBuckets(100);
    vi.advanceTimersByTime(37);
    const first = buckets.sharedSignal(2_000)!;
    const second = buckets.sharedSignal(2_000)!;
    const later = buckets.sharedSignal(2_500)!;
    expect(second.signal).toBe(first.signal);
    expect(later.signal).not.toBe(first.signal);
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(1_999);
    expect(first.signal.aborted).toBe(false);
    vi.advanceTimersByTime(100);
    expect(first.signal.aborted).toBe(true);
    expect(later.signal.aborted).toBe(false);
    // The next holder of that time gets a fresh signal, not the aborted one.
    expect(buckets.sharedSignal(2_000)!.signal.aborted).toBe(false);
    expect(buckets.sharedSignal(999)).toBeUndefined();
  });

  it('lets every attempt in a bucket listen to the shared signal without a MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const buckets = createTimeoutBuckets();
      const holds = Array.from({ length: 50 }, () => buckets.sharedSignal(60_000)!);
      for (const hold of holds) hold.signal.addEventListener('abort', () => undefined);
      expect(new Set(holds.map((hold) => hold.signal)).size).toBeLessThanOrEqual(2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
      for (const hold of holds) hold.release();
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('keeps the process alive while a shared signal is held, and not once every holder released it', () => {
    const timer = { ref: vi.fn(), unref: vi.fn() };
    const spy = vi.spyOn(globalThis, 'setTimeout').mockReturnValue(timer as unknown as ReturnType<typeof setTimeout>);
    // Both land in one bucket however slow the machine: the clock stands still between them.
    const clock = vi.spyOn(performance, 'now').mockReturnValue(1_000);
    const buckets = createTimeoutBuckets();
    const first = buckets.sharedSignal(60_000)!;
    const cancel = buckets.schedule(60_000, () => undefined);
    expect(timer.ref).toHaveBeenCalledOnce();
    first.release();
    first.release();
    expect(timer.unref).not.toHaveBeenCalled();
    cancel();
    expect(timer.unref).toHaveBeenCalledOnce();
    spy.mockRestore();
    clock.mockRestore();
  });
});
