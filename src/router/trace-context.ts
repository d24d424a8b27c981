/**
 * The W3C trace context (https://www.w3.org/TR/trace-context/) a request arrived with over HTTP,
 * checked: the caller's span, which the request span continues when telemetry is on.
 */
export interface IncomingTraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** The caller's span: 16 lowercase hex digits, not all zero. */
  spanId: string;
  /** The trace flags byte (bit 0: the caller sampled the trace). */
  traceFlags: number;
  /** The `tracestate` header as sent, at most 512 characters; its members are parsed by the OpenTelemetry API. */
  traceState: string | undefined;
}

/** version "-" trace-id "-" parent-id "-" trace-flags, lowercase hex only. */
const traceparentFields = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const traceparentLength = 55;
const allZero = /^0+$/;

/**
 * The longest `tracestate` taken: the length the W3C recommendation asks every vendor to pass on
 * (32 members at most); a longer one is dropped whole, as the OpenTelemetry API does.
 * @unit characters
 */
const maxTraceState = 512;

/**
 * The trace context of `traceparent` and `tracestate` as a request sent them (the headers' values,
 * whatever their type), or undefined when
 * there is none or `traceparent` is not one the recommendation accepts: another length (for
 * version 00, which has exactly four fields; a later version may add fields after them), a
 * character that is not lowercase hex, an all-zero trace or span id, version `ff`. Such a value
 * is ignored, never an error: a caller's tracing must not fail its calls, and the value is
 * never repeated anywhere.
 */
export function incomingTraceContext(traceparent: unknown, tracestate: unknown): IncomingTraceContext | undefined {
  if (typeof traceparent !== 'string' || traceparent.length < traceparentLength) return undefined;
  // A later version's extra fields follow a dash; version 00 has none (a joined duplicate header has some).
  const fields = traceparent.length === traceparentLength ? traceparent : traceparent.charCodeAt(traceparentLength) === 45 ? traceparent.slice(0, traceparentLength) : undefined;
  const match = fields === undefined ? null : traceparentFields.exec(fields);
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
  if (version === 'ff' || (version === '00' && fields !== traceparent)) return undefined;
  if (allZero.test(traceId) || allZero.test(spanId)) return undefined;
  const state = typeof tracestate === 'string' && tracestate.length > 0 && tracestate.length <= maxTraceState ? tracestate : undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16), traceState: state };
}
