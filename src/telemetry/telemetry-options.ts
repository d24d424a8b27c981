import type { MeterLike, TracerLike } from './otel-api.js';

/**
 * OpenTelemetry for every routed call: a span per request with the GenAI semantic conventions
 * and a child span per upstream attempt, and GenAI and router metrics. Needs the
 * `@opentelemetry/api` package (the one your OpenTelemetry SDK registers with); it is loaded
 * only when telemetry is on.
 */
export interface TelemetryOptions {
  /** A tracer from your provider. @default the global tracer provider's `sovroute` tracer */
  tracer?: TracerLike;
  /** A meter from your provider. @default the global meter provider's `sovroute` meter */
  meter?: MeterLike;
  /**
   * What spans keep of the request's text: nothing (`'none'`), the SHA-256 of the messages and of
   * the answers (`'hash'`, the same digests as the audit log's, of the newest 256 at most), or the messages and answers as
   * `gen_ai.input.messages` / `gen_ai.output.messages` JSON of at most 16 KiB, the oldest
   * messages left out beyond that (`'full'`).
   * @default 'none'
   */
  content?: 'none' | 'hash' | 'full';
  /**
   * Send the attempt's trace context upstream in a W3C `traceparent` header, so a provider that
   * traces joins the same trace. Turn off to keep trace ids from third parties.
   * @default true
   */
  propagate?: boolean;
}

export interface ResolvedTelemetryOptions {
  tracer: TracerLike | undefined;
  meter: MeterLike | undefined;
  content: 'none' | 'hash' | 'full';
  propagate: boolean;
}

export function resolveTelemetryOptions(telemetry: boolean | TelemetryOptions | undefined): ResolvedTelemetryOptions | undefined {
  if (telemetry === undefined || telemetry === false) return undefined;
  const options = telemetry === true ? {} : telemetry;
  return { tracer: options.tracer, meter: options.meter, content: options.content ?? 'none', propagate: options.propagate ?? true };
}
