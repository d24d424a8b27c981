import { contentHash } from '../audit/hash-chain.js';
import type { Candidate } from '../catalog/candidate.js';
import type { RouterError } from '../errors.js';
import type { DeploymentHealth } from '../health/health-tracker.js';
import type { AttemptObservation, RequestEnd, RequestObservation, RequestObserver, RequestStart } from '../router/request-observer.js';
import type { IncomingTraceContext } from '../router/trace-context.js';
import { durationBuckets, inputMessages, maxContentAttribute, maxContentDigests, messagesJson, operationName, outputMessages, providerName, tokenBuckets } from './gen-ai.js';
import { spanKindClient, spanKindInternal, spanStatusError, type Attributes, type ObservableCallback, type OtelApi, type RemoteSpanContext, type SpanLike } from './otel-api.js';
import type { ResolvedTelemetryOptions } from './telemetry-options.js';

/** What the gauges read: the router's live state. */
export interface TelemetrySources {
  health(): DeploymentHealth[];
  auditQueueDepth(): number;
  /** Whether a key id is one the router was configured with (a `keys` entry, or `apiKey`). */
  configuredKeyId?(keyId: string): boolean;
}

/**
 * Key ids of keys the router was not configured with that `sovroute.cost` names, the first
 * seen; later ones are counted under `other`. Without `keys` any key is accepted, so a caller
 * sending a new key each time would otherwise add a series each.
 */
const maxUnconfiguredKeyIds = 100;

const circuitValue = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Spans and metrics for every request, following the OpenTelemetry GenAI conventions: an
 * INTERNAL span per request (`chat {requested model}`) with the router's decision under
 * `sovroute.*`, a CLIENT child span per upstream attempt (`chat {native model}`), and the
 * GenAI client metrics per attempt plus the router's own (cost, fallbacks, denials, circuits,
 * audit queue). Nothing here may break a request: every call is guarded.
 */
export function otelObserver(api: OtelApi, options: ResolvedTelemetryOptions, sources: TelemetrySources, version: string): RequestObserver {
  const tracer = options.tracer ?? api.trace.getTracer('sovroute', version);
  const meter = options.meter ?? api.metrics.getMeter('sovroute', version);
  const duration = meter.createHistogram('gen_ai.client.operation.duration', {
    unit: 's',
    description: 'Duration of each upstream attempt, to its answer or a stream to its end',
    advice: { explicitBucketBoundaries: durationBuckets },
  });
  const tokens = meter.createHistogram('gen_ai.client.token.usage', {
    unit: '{token}',
    description: 'Tokens used by calls, as the upstream reported them (a stream that ended early after its usage included)',
    advice: { explicitBucketBoundaries: tokenBuckets },
  });
  const firstChunk = meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', {
    unit: 's',
    description: 'Time from the attempt that served a stream to its first chunk of substance (content, a tool call or a finish reason)',
    advice: { explicitBucketBoundaries: durationBuckets },
  });
  const cost = meter.createCounter('sovroute.cost', { description: 'Cost of answered calls, in the router currency (attribute sovroute.currency)' });
  const fallbacks = meter.createCounter('sovroute.fallbacks', { description: 'Requests answered (or last failed) by a candidate other than the first tried' });
  const denials = meter.createCounter('sovroute.denials', { description: 'Requests denied by the jurisdiction policy or the key check' });
  const circuits = meter.createObservableGauge('sovroute.circuit.state', { description: 'Circuit per deployment: 0 closed, 1 half-open, 2 open' });
  const observeCircuits: ObservableCallback = (result) => {
    for (const entry of sources.health()) {
      result.observe(circuitValue[entry.circuit], { 'sovroute.provider': entry.provider, 'gen_ai.request.model': entry.model });
    }
  };
  circuits.addCallback(observeCircuits);
  const queueDepth = meter.createObservableGauge('sovroute.audit.queue.depth', { description: 'Audit records waiting to be stored, over all sinks' });
  const observeQueueDepth: ObservableCallback = (result) => result.observe(sources.auditQueueDepth());
  queueDepth.addCallback(observeQueueDepth);

  const unconfiguredKeyIds = new Set<string>();
  /** The `sovroute.key_id` of a cost: configured keys by id, up to 100 others by id, then `other`. */
  function costKeyId(keyId: string | null): string | undefined {
    if (keyId === null) return undefined;
    if (sources.configuredKeyId?.(keyId) || unconfiguredKeyIds.has(keyId)) return keyId;
    if (unconfiguredKeyIds.size >= maxUnconfiguredKeyIds) return 'other';
    unconfiguredKeyIds.add(keyId);
    return keyId;
  }

  // Attribute sets that depend only on the deployment (and the operation) are built once, on its
  // first call, not per call: the candidate objects live as long as the router's catalog.
  const deployments = new WeakMap<Candidate, Map<string, DeploymentAttributes>>();
  function deploymentAttributes(candidate: Candidate, operation: string): DeploymentAttributes {
    let byOperation = deployments.get(candidate);
    if (byOperation === undefined) deployments.set(candidate, (byOperation = new Map()));
    let entry = byOperation.get(operation);
    if (entry === undefined) byOperation.set(operation, (entry = describeDeployment(candidate, operation)));
    return entry;
  }

  return {
    wantsContent: options.content !== 'none',
    close() {
      // The meter outlives the router: left registered, it would report a closed router's state and keep it in memory.
      circuits.removeCallback?.(observeCircuits);
      queueDepth.removeCallback?.(observeQueueDepth);
    },
    request(start) {
      try {
        return observeRequest(start);
      } catch {
        return undefined;
      }
    },
  };

  function observeRequest(start: RequestStart): RequestObservation {
    const operation = operationName(start.endpoint);
    const active = start.trace === undefined ? api.context.active() : continuing(start.trace);
    const span = tracer.startSpan(
      // As the conventions name a call whose model is not known: by its operation alone.
      start.requested === null ? operation : `${operation} ${start.requested}`,
      {
        // The routing runs in this process; each call it makes to an upstream is an attempt's
        // CLIENT span. A CLIENT span here would count every upstream call twice in a service map.
        kind: spanKindInternal,
        attributes: {
          'gen_ai.operation.name': operation,
          'gen_ai.request.model': start.requested ?? undefined,
          'gen_ai.request.stream': start.stream ? true : undefined,
          'sovroute.audit_id': start.id,
        },
      },
      active,
    );
    // A span that is not recording (sampled out, or a no-op tracer) is given no attributes or
    // events: building them would be work for nothing. Metrics are recorded either way.
    const recording = span.isRecording();
    const parent = api.trace.setSpan(active, span);
    let served: { span: SpanLike; started: number; deployment: DeploymentAttributes } | undefined;
    let firstChunkAt: number | undefined;
    // What every attempt span says of the request as well: each is one model call of the conventions.
    let requestAttributes: Attributes | undefined = start.stream ? { 'gen_ai.request.stream': true } : undefined;

    return {
      validated(parameters) {
        if (!recording) return;
        try {
          requestAttributes = {
            'gen_ai.request.max_tokens': parameters.max_completion_tokens ?? parameters.max_tokens ?? undefined,
            'gen_ai.request.temperature': parameters.temperature ?? undefined,
            'gen_ai.request.top_p': parameters.top_p ?? undefined,
            'gen_ai.request.choice.count': parameters.n !== undefined && parameters.n !== null && parameters.n !== 1 ? parameters.n : undefined,
            'gen_ai.request.seed': parameters.seed ?? undefined,
            'gen_ai.request.stream': start.stream ? true : undefined,
          };
          span.setAttributes(requestAttributes);
        } catch {
          // Telemetry never breaks a request.
        }
      },
      attempt(candidate, index, simulated): AttemptObservation {
        const started = performance.now();
        let deployment: DeploymentAttributes | undefined;
        let attemptSpan: SpanLike | undefined;
        // The upstream call runs with the attempt span active: an HTTP instrumentation's span is its child.
        let attemptContext: unknown;
        try {
          deployment = deploymentAttributes(candidate, operation);
          // A test key's attempt is answered by the pseudo-LLM, in this process: no client call.
          const kind = simulated ? spanKindInternal : spanKindClient;
          attemptSpan = tracer.startSpan(deployment.spanName, { kind, attributes: deployment.attemptStart(index, simulated) }, parent);
          if (requestAttributes !== undefined && attemptSpan.isRecording()) attemptSpan.setAttributes(requestAttributes);
          attemptContext = api.trace.setSpan(parent, attemptSpan);
        } catch {
          // No span for this attempt; the request goes on.
        }
        return {
          headers: options.propagate && !simulated && attemptSpan ? traceHeaders(attemptSpan) : undefined,
          ...(attemptContext === undefined ? {} : { run: <T>(call: () => T): T => api.context.with(attemptContext, call) }),
          failed(_attempt, error) {
            const byCaller = endedByCaller(error);
            // Each signal on its own: a span processor that throws as the span ends loses no measurement.
            try {
              if (attemptSpan?.isRecording()) {
                if (byCaller) attemptSpan.setAttributes({ 'sovroute.outcome': 'aborted' });
                else {
                  // The upstream's own status only: a timeout or a refused connection has none.
                  attemptSpan.setAttributes({ 'error.type': error.code, 'sovroute.upstream_status': error.upstreamStatus });
                  attemptSpan.setStatus({ code: spanStatusError, message: statusMessage(error.message) });
                }
              }
            } catch {
              // Telemetry never breaks a request.
            } finally {
              if (attemptSpan !== undefined) endSpan(attemptSpan);
            }
            try {
              // The pseudo-LLM called no upstream: its faults say nothing of the deployment's. An
              // attempt the caller ended is neither a failure nor a whole call: it measured the caller.
              if (deployment && !simulated && !byCaller) duration.record((performance.now() - started) / 1000, deployment.failed(error.code));
            } catch {
              // Telemetry never breaks a request.
            }
          },
          succeeded() {
            if (attemptSpan && deployment) served = { span: attemptSpan, started, deployment };
          },
        };
      },
      retry(candidate, error, waitMs) {
        if (!recording) return;
        try {
          span.addEvent('sovroute.retry', {
            'sovroute.provider': candidate.provider.id,
            'gen_ai.request.model': candidate.native,
            'error.type': error.code,
            'sovroute.wait_ms': waitMs,
          });
        } catch {
          // Telemetry never breaks a request.
        }
      },
      firstChunk() {
        firstChunkAt = performance.now();
        if (!recording) return;
        try {
          span.addEvent('sovroute.first_chunk');
        } catch {
          // Telemetry never breaks a request.
        }
      },
      end(end) {
        try {
          finish(end);
        } catch {
          // Telemetry never breaks a request.
        }
      },
    };

    function finish({ record, error: ended, chosen, response, prompt, completion, policyExcluded }: RequestEnd): void {
      const usage = record.usage;
      // A request the caller ended (an abort, a stream it stopped reading) did not fail: its spans
      // say `sovroute.outcome: aborted`, with no error status, and it adds no duration.
      const byCaller = ended !== undefined && endedByCaller(ended);
      const error = byCaller ? undefined : ended;
      // Embeddings write no tokens: their usage is input only (the conventions' embeddings span).
      const outputTokens = operation === 'embeddings' ? undefined : usage?.completion_tokens;
      const responseModel = response?.model ?? chosen?.native;
      const endedAt = performance.now();
      if (served) {
        const attemptSpan = served.span;
        try {
          if (attemptSpan.isRecording()) {
            attemptSpan.setAttributes({
              'gen_ai.response.id': response?.id,
              'gen_ai.response.model': responseModel,
              'gen_ai.response.finish_reasons': response?.finishReasons,
              'gen_ai.usage.input_tokens': usage?.prompt_tokens,
              'gen_ai.usage.output_tokens': outputTokens,
              // Parts of the input tokens, when the upstream reported them (what a backend prices lower).
              'gen_ai.usage.cache_read.input_tokens': usage?.cached_tokens,
              'gen_ai.usage.cache_creation.input_tokens': usage?.cache_write_tokens,
              'sovroute.usage.estimated': usage?.estimated ? true : undefined,
              'sovroute.outcome': byCaller ? 'aborted' : undefined,
              // From the attempt's start, as the time-to-first-chunk metric: @unit seconds
              'gen_ai.response.time_to_first_chunk': firstChunkAt === undefined ? undefined : (firstChunkAt - served.started) / 1000,
            });
            if (error) {
              attemptSpan.setAttributes({ 'error.type': error.code });
              attemptSpan.setStatus({ code: spanStatusError, message: statusMessage(error.message) });
            }
          }
        } catch {
          // The request span and the metrics below are still written.
        } finally {
          endSpan(attemptSpan);
        }
      }
      // A test key's call (the pseudo-LLM) reached no upstream and spent nothing: its spans say
      // `sovroute.simulated`, but it adds nothing to the provider metrics, the cost or fallbacks.
      if (served && !record.simulated) {
        // A meter that throws (a broken exporter or reader) loses this request's measurements, never its span.
        try {
          const { started, deployment } = served;
          const metric = deployment.answered(responseModel);
          if (!byCaller) duration.record((endedAt - started) / 1000, error ? { ...metric.attributes, 'error.type': error.code } : metric.attributes);
          if (firstChunkAt !== undefined) firstChunk.record((firstChunkAt - started) / 1000, metric.attributes);
          // Estimated counts are not the upstream's: the conventions ask not to report them as usage.
          if (usage && !usage.estimated) {
            tokens.record(usage.prompt_tokens, metric.input);
            if (outputTokens !== undefined) tokens.record(outputTokens, metric.output);
          }
        } catch {
          // Nothing to tell the caller: telemetry never changes how a request ends.
        }
      }
      try {
        if (recording) {
          const deployment = chosen ? deploymentAttributes(chosen, operation) : undefined;
          span.setAttributes({
            ...(deployment ? deployment.chosen(record.simulated) : {}),
            'gen_ai.response.id': response?.id,
            'gen_ai.response.model': responseModel,
            'gen_ai.response.finish_reasons': response?.finishReasons,
            // No gen_ai.usage.* here: the tokens are the serving attempt's, the one model call of the
            // conventions, and a backend summing usage over spans would count them twice.
            'sovroute.outcome': record.outcome,
            'sovroute.policy': record.policy ?? undefined,
            'sovroute.tier': record.tier ?? undefined,
            'sovroute.objective': record.objective ?? undefined,
            'sovroute.provider': record.provider ?? undefined,
            'sovroute.model': record.model ?? undefined,
            'sovroute.fallback_used': record.fallback_used,
            'sovroute.attempts': record.attempts.length,
            'sovroute.cost': record.cost ?? undefined,
            'sovroute.currency': record.cost === null ? undefined : record.currency,
            'sovroute.simulated': record.simulated,
            'sovroute.candidates.excluded_by_policy': policyExcluded,
            'sovroute.overhead_ms': record.overhead_ms,
            ...contentAttributes(prompt, completion, response?.finishReasons),
          });
          if (error) {
            span.setAttributes({ 'error.type': error.code });
            span.setStatus({ code: spanStatusError, message: statusMessage(error.message) });
          }
        }
      } catch {
        // The counters below are still written.
      } finally {
        // Ended whatever happened above: a span never ended is never exported.
        endSpan(span);
      }
      try {
        if (record.cost !== null && record.provider && !record.simulated) {
          cost.add(record.cost, { 'sovroute.provider': record.provider, 'gen_ai.request.model': record.model ?? undefined, 'sovroute.key_id': costKeyId(record.key_id), 'sovroute.currency': record.currency });
        }
        if (record.fallback_used && !record.simulated) fallbacks.add(1, { 'sovroute.provider': record.provider ?? undefined, 'sovroute.outcome': record.outcome });
        if (record.outcome === 'denied') denials.add(1, { 'sovroute.policy': record.policy ?? undefined, 'sovroute.reason': record.error_code });
      } catch {
        // As above: a meter that throws loses the counts, and nothing else.
      }
    }
  }

  /**
   * The context a request that arrived over HTTP starts its span in: the caller's span, from its
   * `traceparent`, so the trace goes on through the gateway. An active span already in that trace
   * (an HTTP server instrumentation's span for this very request) stays the parent, one level
   * nearer. The active context's other entries (baggage) are kept.
   */
  function continuing(trace: IncomingTraceContext): unknown {
    const active = api.context.active();
    try {
      if (api.trace.getSpanContext(active)?.traceId === trace.traceId) return active;
      let traceState: RemoteSpanContext['traceState'];
      try {
        if (trace.traceState !== undefined) traceState = api.createTraceState?.(trace.traceState);
      } catch {
        // A tracestate the API cannot read is left out; the trace still goes on.
      }
      return api.trace.setSpanContext(active, { traceId: trace.traceId, spanId: trace.spanId, traceFlags: trace.traceFlags, isRemote: true, traceState });
    } catch {
      // The request is traced as an in-process one would be, under the active context.
      return active;
    }
  }

  function contentAttributes(prompt: readonly unknown[] | undefined, completion: unknown[] | undefined, finishReasons: readonly string[] | undefined): Attributes {
    if (options.content === 'hash') {
      return {
        // The newest only: a caller sending thousands of messages must not make every span huge.
        'sovroute.input.sha256': writable(() => prompt?.slice(-maxContentDigests).map((item) => contentHash(item))),
        'sovroute.output.sha256': writable(() => completion?.slice(-maxContentDigests).map((item) => contentHash(item))),
      };
    }
    if (options.content === 'full') {
      return {
        'gen_ai.input.messages': writable(() => prompt && messagesJson(inputMessages(prompt), maxContentAttribute)),
        'gen_ai.output.messages': writable(() => completion && messagesJson(outputMessages(completion, finishReasons), maxContentAttribute)),
      };
    }
    return {};
  }
}

/**
 * The value `write` makes, or undefined when it throws: what an in-process caller sent may hold
 * what JSON cannot write (a BigInt), and the attribute is then left out rather than the span.
 */
function writable<T>(write: () => T): T | undefined {
  try {
    return write();
  } catch {
    return undefined;
  }
}

/** One deployment's attribute sets for one operation, built on its first call and reused. */
interface DeploymentAttributes {
  /** `{operation} {native model}`: the name of its attempt spans. */
  spanName: string;
  /** The attributes an attempt span starts with. */
  attemptStart(index: number, simulated: boolean): Attributes;
  /** The duration metric's attributes for a failed attempt. */
  failed(code: string): Attributes;
  /** The metric attributes of a served attempt, by the model the answer named. */
  answered(responseModel: string | undefined): ServedMetricAttributes;
  /** What the request span says about the deployment that served it (by the pseudo-LLM when `simulated`). */
  chosen(simulated: boolean): Attributes;
}

interface ServedMetricAttributes {
  attributes: Attributes;
  input: Attributes;
  output: Attributes;
}

/** Response models remembered per deployment: an upstream naming a new model each time cannot grow the cache past this. */
const maxResponseModels = 16;

function describeDeployment(candidate: Candidate, operation: string): DeploymentAttributes {
  const server = serverAttributes(candidate);
  const provider = providerName(candidate.provider.id, server['server.address'] as string | undefined, candidate.provider.preset);
  const model: Attributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': candidate.native,
  };
  const metric: Attributes = Object.freeze({ ...model, ...server });
  const attemptStart = (index: number, simulated: boolean): Attributes => ({
    // The pseudo-LLM contacts no server: a span naming one would draw a call that never happened.
    ...(simulated ? model : metric),
    'gen_ai.system': provider,
    'sovroute.provider': candidate.provider.id,
    'sovroute.model': candidate.model,
    'sovroute.attempt': index,
    'sovroute.simulated': simulated,
  });
  // The common start (a first attempt, a real key) is shared; spans copy what they are given.
  const firstAttempt = Object.freeze(attemptStart(0, false));
  const chosenSimulated: Attributes = Object.freeze({ 'gen_ai.provider.name': provider, 'gen_ai.system': provider });
  const chosen: Attributes = Object.freeze({ ...chosenSimulated, ...server });
  const failures = new Map<string, Attributes>();
  const served = new Map<string | undefined, ServedMetricAttributes>();
  return {
    spanName: `${operation} ${candidate.native}`,
    attemptStart: (index, simulated) => (index === 0 && !simulated ? firstAttempt : attemptStart(index, simulated)),
    failed(code) {
      let attributes = failures.get(code);
      if (attributes === undefined) {
        attributes = Object.freeze({ ...metric, 'error.type': code });
        // Error codes are the router's own, a handful.
        failures.set(code, attributes);
      }
      return attributes;
    },
    answered(responseModel) {
      let entry = served.get(responseModel);
      if (entry === undefined) {
        const attributes = Object.freeze({ ...metric, 'gen_ai.response.model': responseModel });
        entry = {
          attributes,
          input: Object.freeze({ ...attributes, 'gen_ai.token.type': 'input' }),
          output: Object.freeze({ ...attributes, 'gen_ai.token.type': 'output' }),
        };
        if (served.size < maxResponseModels) served.set(responseModel, entry);
      }
      return entry;
    },
    chosen: (simulated) => (simulated ? chosenSimulated : chosen),
  };
}

/** `server.address` and `server.port` of a deployment that says where it sends requests. */
function serverAttributes(candidate: Candidate): Attributes {
  const baseURL = candidate.provider.baseURL;
  if (!baseURL) return {};
  try {
    const url = new URL(baseURL);
    return { 'server.address': url.hostname, 'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
  } catch {
    return {};
  }
}

/** Ends `span`: a span processor that throws as it ends (they run synchronously) breaks no request and loses no other signal. */
function endSpan(span: { end(): void }): void {
  try {
    span.end();
  } catch {
    // Telemetry never breaks a request.
  }
}

/**
 * Whether the caller ended the call (its signal, a stream it stopped reading or dropped): not a
 * failure of the router or of the upstream, as the health tracker does not count it either.
 */
function endedByCaller(error: RouterError): boolean {
  return error.code === 'aborted';
}

/** The longest span status message. @unit characters */
const maxStatusMessage = 1024;

/**
 * An error's first line, at most 1 KiB: a routing error lists every excluded candidate after it
 * (tens of KiB over a large catalogue), which the audit record and `route` keep, not every span.
 */
function statusMessage(message: string): string {
  const newline = message.indexOf('\n');
  const line = newline === -1 ? message : message.slice(0, newline);
  return line.length > maxStatusMessage ? `${line.slice(0, maxStatusMessage - 1)}…` : line;
}

/** The W3C trace context of the attempt's span, for the upstream. */
function traceHeaders(span: SpanLike): Record<string, string> | undefined {
  const { traceId, spanId, traceFlags, traceState } = span.spanContext();
  if (/^0+$/.test(traceId)) return undefined;
  const headers: Record<string, string> = { traceparent: `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}` };
  const state = traceState?.serialize();
  if (state) headers.tracestate = state;
  return headers;
}
