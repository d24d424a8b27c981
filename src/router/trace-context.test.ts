import { describe, expect, it } from 'vitest';
import { incomingTraceContext } from './trace-context.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

describe('incomingTraceContext', () => {
  it('reads the W3C example, with its tracestate', () => {
    expect(incomingTraceContext(`00-${traceId}-${spanId}-01`, 'congo=t61rcWkgMzE')).toEqual({ traceId, spanId, traceFlags: 1, traceState: 'congo=t61rcWkgMzE' });
    expect(incomingTraceContext(`00-${traceId}-${spanId}-00`, null)).toEqual({ traceId, spanId, traceFlags: 0, traceState: undefined });
  });

  it('reads a later version by its first four fields, when a dash follows them', () => {
    expect(incomingTraceContext(`cc-${traceId}-${spanId}-01-what-the-future-holds`, undefined)?.traceId).toBe(traceId);
    expect(incomingTraceContext(`cc-${traceId}-${spanId}-01x`, undefined)).toBeUndefined();
  });

  it.each([
    ['none', undefined],
    ['not a string', [`00-${traceId}-${spanId}-01`]],
    ['empty', ''],
    ['short', `00-${traceId}-${spanId}-1`],
    ['uppercase', `00-${traceId.toUpperCase()}-${spanId}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${spanId}-01`],
    ['all-zero span id', `00-${traceId}-${'0'.repeat(16)}-01`],
    ['version 00 with more fields', `00-${traceId}-${spanId}-01-00`],
    ['version ff', `ff-${traceId}-${spanId}-01`],
    ['two joined', `00-${traceId}-${spanId}-01,00-${traceId}-${spanId}-01`],
    ['spaces inside', `00 ${traceId} ${spanId} 01`],
    ['huge', `00-${traceId}-${spanId}-01${'0'.repeat(1 << 20)}`],
  ])('ignores a traceparent that is %s', (_, value) => {
    expect(incomingTraceContext(value, 'vendor=1')).toBeUndefined();
  });

  it('drops a tracestate over 512 characters or empty, keeping the traceparent', () => {
    expect(incomingTraceContext(`00-${traceId}-${spanId}-01`, `a=${'b'.repeat(511)}`)?.traceState).toBeUndefined();
    expect(incomingTraceContext(`00-${traceId}-${spanId}-01`, '')?.traceState).toBeUndefined();
    expect(incomingTraceContext(`00-${traceId}-${spanId}-01`, `a=${'b'.repeat(510)}`)?.traceState).toHaveLength(512);
  });
});
