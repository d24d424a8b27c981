import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditError, createAuditErrorLog } from './audit-error.js';

afterEach(() => vi.useRealTimers());

describe('the default audit error log', () => {
  it('writes the first error of a kind at once and sums up the rest of a burst in one line', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = createAuditErrorLog((line) => lines.push(line), 10_000);
    for (let index = 0; index < 20_000; index++) log(new AuditError(`record req_${index} is dropped`, 'queue_full'));
    log(new AuditError('sink failed', 'write_failed'));
    expect(lines).toEqual(['record req_0 is dropped', 'sink failed']);
    vi.advanceTimersByTime(10_000);
    expect(lines.slice(2)).toEqual(['19999 more audit error(s) (queue_full) in the last 10 s; the last: record req_19999 is dropped']);
    // Quiet again: the next error of that kind is written at once.
    vi.advanceTimersByTime(10_000);
    log(new AuditError('record req_x is dropped', 'queue_full'));
    expect(lines.at(-1)).toBe('record req_x is dropped');
  });
});
