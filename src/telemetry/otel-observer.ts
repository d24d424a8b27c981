import { contentHash } from '../audit/hash-chain.js';
import type { Candidate } from '../catalog/candidate.js';
import type { DeploymentHealth } from '../health/health-tracker.js';
import type { AttemptObservation, RequestEnd, RequestObservation, RequestObserver, RequestStart } from '../router/request-observer.js';
import { durationBuckets, maxContentAttribute, operationName, providerName, tokenBuckets } from './gen-ai.js';
import { spanKindClient, spanStatusError, type Attributes, type OtelApi, type SpanLike } from './otel-api.js';
import type { ResolvedTelemetryOptions } from './telemetry-options.js';

/** What the gauges read: the router's live state. */
export interface TelemetrySources {
  health(): DeploymentHealth[];
  auditQueueDepth(): number;
}

const circuitValue = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Spans and metrics for every request, following the OpenTelemetry GenAI conventions: a
 * CLIENT span per request (`chat {requested model}`) with the router's decision under
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
    description: 'Tokens used by successful calls, as the upstream reported them',
    advice: { explicitBucketBoundaries: tokenBuckets },
  });
  const firstChunk = meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', {
    unit: 's',
    description: 'Time from the attempt that served a stream to its first chunk',
    advice: { explicitBucketBoundaries: durationBuckets },
  });
  const cost = meter.createCounter('sovroute.cost', { description: 'Cost of answered calls, in the router currency (attribute sovroute.currency)' });
  const fallbacks = meter.createCounter('sovroute.fallbacks', { description: 'Requests answered (or last failed) by a candidate other than the first tried' });
  const denials = meter.createCounter('sovroute.denials', { description: 'Requests denied by the jurisdiction policy or the key check' });
  meter.createObservableGauge('sovroute.circuit.state', { description: 'Circuit per deployment: 0 closed, 1 half-open, 2 open' }).addCallback((result) => {
    for (const entry of sources.health()) {
      result.observe(circuitValue[entry.circuit], { 'sovroute.provider': entry.provider, 'gen_ai.request.model': entry.model });
    }
  });
  meter.createObservableGauge('sovroute.audit.queue.depth', { description: 'Audit records waiting to be stored, over all sinks' }).addCallback((result) => {
    result.observe(sources.auditQueueDepth());
  });

  return {
    wantsContent: options.content !== 'none',
    request(start) {
      return guarded(() => observeRequest(start));
    },
  };

  function observeRequest(start: RequestStart): RequestObservation {
    const operation = operationName(start.endpoint);
    const span = tracer.startSpan(
      `${operation} ${start.requested ?? 'unknown'}`,
      {
        kind: spanKindClient,
        attributes: {
          'gen_ai.operation.name': operation,
          'gen_ai.request.model': start.requested ?? undefined,
          'gen_ai.request.stream': start.stream ? true : undefined,
          'sovroute.audit_id': start.id,
        },
      },
      api.context.active(),
    );
    const parent = api.trace.setSpan(api.context.active(), span);
    let served: { span: SpanLike; started: number; attributes: Attributes; candidate: Candidate } | undefined;
    let firstChunkAt: number | undefined;

    return {
      validated(parameters) {
        guard(() =>
          span.setAttributes({
            'gen_ai.request.max_tokens': parameters.max_completion_tokens ?? parameters.max_tokens ?? undefined,
            'gen_ai.request.temperature': parameters.temperature ?? undefined,
            'gen_ai.request.top_p': parameters.top_p ?? undefined,
            'gen_ai.request.choice.count': parameters.n !== undefined && parameters.n !== null && parameters.n !== 1 ? parameters.n : undefined,
            'gen_ai.request.seed': parameters.seed ?? undefined,
          }),
        );
      },
      attempt(candidate, index, simulated): AttemptObservation {
        const started = performance.now();
        const attributes: Attributes = {
          'gen_ai.operation.name': operation,
          'gen_ai.provider.name': providerName(candidate.provider.id),
          'gen_ai.request.model': candidate.native,
          ...serverAttributes(candidate),
        };
        const attemptSpan = guarded(() =>
          tracer.startSpan(
            `${operation} ${candidate.native}`,
            {
              kind: spanKindClient,
              attributes: {
                ...attributes,
                'gen_ai.system': providerName(candidate.provider.id),
                'sovroute.provider': candidate.provider.id,
                'sovroute.model': candidate.model,
                'sovroute.attempt': index,
                'sovroute.simulated': simulated,
              },
            },
            parent,
          ),
        );
        return {
          headers: options.propagate && !simulated && attemptSpan ? traceHeaders(attemptSpan) : undefined,
          failed(attempt, error) {
            guard(() => {
              attemptSpan?.setAttributes({ 'error.type': error.code, 'sovroute.upstream_status': attempt.status });
              attemptSpan?.setStatus({ code: spanStatusError, message: error.message });
              attemptSpan?.end();
              duration.record((performance.now() - started) / 1000, { ...attributes, 'error.type': error.code });
            });
          },
          succeeded() {
            if (attemptSpan) served = { span: attemptSpan, started, attributes, candidate };
          },
        };
      },
      retry(candidate, error, waitMs) {
        guard(() =>
          span.addEvent('sovroute.retry', {
            'sovroute.provider': candidate.provider.id,
            'gen_ai.request.model': candidate.native,
            'error.type': error.code,
            'sovroute.wait_ms': waitMs,
          }),
        );
      },
      firstChunk() {
        firstChunkAt = performance.now();
        guard(() => span.addEvent('sovroute.first_chunk'));
      },
      end(end) {
        guard(() => finish(end));
      },
    };

    function finish({ record, error, chosen, response, prompt, completion, policyExcluded }: RequestEnd): void {
      const usage = record.usage;
      const usageAttributes: Attributes = usage ? { 'gen_ai.usage.input_tokens': usage.prompt_tokens, 'gen_ai.usage.output_tokens': usage.completion_tokens } : {};
      const responseAttributes: Attributes = {
        'gen_ai.response.id': response?.id,
        'gen_ai.response.model': response?.model ?? chosen?.native,
        'gen_ai.response.finish_reasons': response?.finishReasons,
      };
      if (served) {
        const { span: attemptSpan, started, attributes } = served;
        const ended = performance.now();
        attemptSpan.setAttributes({ ...responseAttributes, ...usageAttributes, 'sovroute.usage.estimated': usage?.estimated ? true : undefined });
        if (error) {
          attemptSpan.setAttributes({ 'error.type': error.code });
          attemptSpan.setStatus({ code: spanStatusError, message: error.message });
        }
        attemptSpan.end();
        const metricAttributes = { ...attributes, 'gen_ai.response.model': responseAttributes['gen_ai.response.model'] };
        duration.record((ended - started) / 1000, error ? { ...metricAttributes, 'error.type': error.code } : metricAttributes);
        if (firstChunkAt !== undefined) firstChunk.record((firstChunkAt - started) / 1000, metricAttributes);
        // Estimated counts are not the upstream's: the conventions ask not to report them as usage.
        if (usage && !usage.estimated) {
          tokens.record(usage.prompt_tokens, { ...metricAttributes, 'gen_ai.token.type': 'input' });
          tokens.record(usage.completion_tokens, { ...metricAttributes, 'gen_ai.token.type': 'output' });
        }
      }
      span.setAttributes({
        ...(chosen ? { 'gen_ai.provider.name': providerName(chosen.provider.id), 'gen_ai.system': providerName(chosen.provider.id), ...serverAttributes(chosen) } : {}),
        ...responseAttributes,
        ...usageAttributes,
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
        ...contentAttributes(prompt, completion),
      });
      if (error) {
        span.setAttributes({ 'error.type': error.code });
        span.setStatus({ code: spanStatusError, message: error.message });
      }
      span.end();
      if (record.cost !== null && record.provider) {
        cost.add(record.cost, { 'sovroute.provider': record.provider, 'gen_ai.request.model': record.model ?? undefined, 'sovroute.key_id': record.key_id ?? undefined, 'sovroute.currency': record.currency });
      }
      if (record.fallback_used) fallbacks.add(1, { 'sovroute.provider': record.provider ?? undefined, 'sovroute.outcome': record.outcome });
      if (record.outcome === 'denied') denials.add(1, { 'sovroute.policy': record.policy ?? undefined, 'sovroute.reason': record.error_code });
    }
  }

  function contentAttributes(prompt: readonly unknown[] | undefined, completion: unknown[] | undefined): Attributes {
    if (options.content === 'hash') {
      return {
        'sovroute.input.sha256': prompt?.map((item) => contentHash(item)),
        'sovroute.output.sha256': completion?.map((item) => contentHash(item)),
      };
    }
    if (options.content === 'full') {
      return { 'gen_ai.input.messages': prompt && cut(JSON.stringify(prompt)), 'gen_ai.output.messages': completion && cut(JSON.stringify(completion)) };
    }
    return {};
  }
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

/** The W3C trace context of the attempt's span, for the upstream. */
function traceHeaders(span: SpanLike): Record<string, string> | undefined {
  const { traceId, spanId, traceFlags, traceState } = span.spanContext();
  if (/^0+$/.test(traceId)) return undefined;
  const headers: Record<string, string> = { traceparent: `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}` };
  const state = traceState?.serialize();
  if (state) headers.tracestate = state;
  return headers;
}

function cut(text: string): string {
  return text.length <= maxContentAttribute ? text : `${text.slice(0, maxContentAttribute)}…`;
}

function guard(run: () => void): void {
  try {
    run();
  } catch {
    // Telemetry never breaks a request.
  }
}

function guarded<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch {
    return undefined;
  }
}
