import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { onAbort } from './on-abort.js';

describe('waiting on a caller’s signal', () => {
  it('puts one listener on the signal however many calls wait, and calls each waiting one once', () => {
    const controller = new AbortController();
    const callbacks = Array.from({ length: 50 }, () => vi.fn());
    const stops = callbacks.map((callback) => onAbort(controller.signal, callback));
    // One listener: no MaxListenersExceededWarning for a signal fanned out to many calls.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    stops[0]!();
    controller.abort();
    controller.abort();
    expect(callbacks[0]).not.toHaveBeenCalled();
    for (const callback of callbacks.slice(1)) expect(callback).toHaveBeenCalledOnce();
  });

  it('calls back at once for a signal already aborted', () => {
    const callback = vi.fn();
    onAbort(AbortSignal.abort(), callback);
    expect(callback).toHaveBeenCalledOnce();
  });

  it('takes its listener off the signal when the last call stops waiting, and puts one back for the next', () => {
    const controller = new AbortController();
    const stops = [onAbort(controller.signal, vi.fn()), onAbort(controller.signal, vi.fn())];
    stops[0]!();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    stops[1]!();
    stops[1]!(); // twice is harmless
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const later = vi.fn();
    onAbort(controller.signal, later);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(later).toHaveBeenCalledOnce();
  });
});

