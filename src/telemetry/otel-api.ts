import { nodeBuiltin } from '../internal/node-builtin.js';

/*
 * The few shapes of `@opentelemetry/api` the router uses, declared here so that the package's
 * types never import it: an app that does not use telemetry needs neither the package nor its
 * types. Values match the API 1.x (SpanKind.INTERNAL = 0, SpanKind.CLIENT = 2, SpanStatusCode.ERROR = 2).
 */

export type Attributes = Record<string, string | number | boolean | string[] | number[] | undefined>;

export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean | string[] | number[]): unknown;
  setAttributes(attributes: Attributes): unknown;
  addEvent(name: string, attributes?: Attributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: number): void;
  isRecording(): boolean;
  spanContext(): { traceId: string; spanId: string; traceFlags: number; traceState?: { serialize(): string } | undefined };
}

/** A `Tracer` from `@opentelemetry/api`. */
export interface TracerLike {
  startSpan(name: string, options?: { kind?: number; attributes?: Attributes; startTime?: number }, context?: unknown): SpanLike;
}

export interface HistogramLike {
  record(value: number, attributes?: Attributes): void;
}

export interface CounterLike {
  add(value: number, attributes?: Attributes): void;
}

export type ObservableCallback = (result: { observe(value: number, attributes?: Attributes): void }) => void;

export interface ObservableLike {
  addCallback(callback: ObservableCallback): void;
  removeCallback?(callback: ObservableCallback): void;
}

/** A `Meter` from `@opentelemetry/api`. */
export interface MeterLike {
  createHistogram(name: string, options?: { unit?: string; description?: string; advice?: { explicitBucketBoundaries?: number[] } }): HistogramLike;
  createCounter(name: string, options?: { unit?: string; description?: string }): CounterLike;
  createObservableGauge(name: string, options?: { unit?: string; description?: string }): ObservableLike;
}

/** A remote span as the API takes it (`SpanContext`): the caller's, from an incoming `traceparent`. */
export interface RemoteSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote: true;
  traceState?: { serialize(): string } | undefined;
}

/** What the router needs of the API module itself: the active context and span parenting. */
export interface OtelApi {
  trace: {
    getTracer(name: string, version?: string): TracerLike;
    setSpan(context: unknown, span: SpanLike): unknown;
    setSpanContext(context: unknown, spanContext: RemoteSpanContext): unknown;
    getSpanContext(context: unknown): { traceId: string } | undefined;
  };
  /** Parses a `tracestate` header, leaving out members that are not valid (API ≥ 1.1). */
  createTraceState?(raw: string): { serialize(): string };
  metrics: { getMeter(name: string, version?: string): MeterLike };
  context: { active(): unknown; with<T>(context: unknown, call: () => T): T };
}

export const spanKindInternal = 0;
export const spanKindClient = 2;
export const spanStatusError = 2;

/**
 * Loads `@opentelemetry/api` synchronously where Node can (`process.getBuiltinModule`, Node ≥
 * 20.16), so spans start with the first request; elsewhere undefined, and the caller imports it.
 * Only called when telemetry is on.
 */
export function loadOtelApiSync(): OtelApi | undefined {
  const module = nodeBuiltin<{ createRequire(from: string): (id: string) => unknown }>('node:module');
  if (module === undefined) return undefined;
  const { createRequire } = module;
  // The CommonJS build has __filename; the ESM build has import.meta.url.
  const from = typeof __filename === 'string' ? __filename : import.meta.url;
  try {
    return createRequire(from)('@opentelemetry/api') as OtelApi;
  } catch (error) {
    throw missingApi(error);
  }
}

export async function loadOtelApi(): Promise<OtelApi> {
  try {
    return (await import('@opentelemetry/api')) as unknown as OtelApi;
  } catch (error) {
    throw missingApi(error);
  }
}

function missingApi(cause: unknown): Error {
  return new Error('telemetry needs the @opentelemetry/api package (npm install @opentelemetry/api), the API your OpenTelemetry SDK registers with', { cause });
}
