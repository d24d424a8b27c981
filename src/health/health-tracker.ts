import {
  admit,
  recordFailure,
  recordSuccess,
  releaseTrial,
  viewCircuit,
  type CircuitOptions,
  type CircuitView,
} from './circuit-breaker.js';
import {
  addCompletionSample,
  defaultCompletionEstimateOptions,
  type CompletionEstimate,
  type CompletionEstimateOptions,
  type ResolvedCompletionEstimateOptions,
} from './completion-estimate.js';
import { emptyHealthRecord, isSharedHealthStore, memoryHealthStore, type HealthRecord, type HealthStore } from './health-store.js';
import {
  addLatencySample,
  defaultLatencyEstimateOptions,
  readLatency,
  type LatencyEstimate,
  type LatencyEstimateOptions,
  type LatencyPrior,
  type LatencyReading,
  type ResolvedLatencyEstimateOptions,
} from './latency-estimate.js';

/**
 * Live statistics per provider+model: latency estimates that follow change (time- and
 * sample-decayed, see latency-estimate.ts), answer lengths, recent outcomes and a circuit
 * breaker. Strategies and `route.max_latency_ms` read the latency; planning reads the circuit
 * and the answer lengths; execution reports each attempt's outcome.
 */
/**
 * Which latency a sample measures: a stream's first chunk of substance (its first token, not a
 * chunk with the role alone), or a whole non-streamed answer.
 * They are kept apart: a request is compared with deployments' latency of its own kind.
 */
export type LatencyKind = 'ttft' | 'answer';

/** A failure as the health statistics keep it. */
export interface HealthFailure {
  code: string;
  status?: number | undefined;
  message: string;
  /** How long the attempt took before it failed: a slow failure is a latency sample too. @unit milliseconds */
  latencyMs?: number | undefined;
  /** Which latency the attempt was measuring. */
  kind?: LatencyKind | undefined;
  /** It timed out: the deployment is at least as slow as the time it was given. */
  timedOut?: boolean | undefined;
}

/** One deployment's health, as `router.health()` shows it. */
export interface DeploymentHealth {
  provider: string;
  model: string;
  circuit: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  timesOpened: number;
  /** When an open circuit lets a trial through (ISO time); null when closed. */
  retryAt: string | null;
  /** Estimated time to the first chunk of substance of streams, as of now; null until measured. @unit milliseconds */
  ttftP50Ms: number | null;
  ttftP90Ms: number | null;
  /** Streamed samples taken (all time; recent ones count more in the estimate). */
  samples: number;
  /** Estimated time to a whole non-streamed answer; null until measured. @unit milliseconds */
  answerP50Ms: number | null;
  answerP90Ms: number | null;
  answerSamples: number;
  /** Mean completion tokens per choice of recent answers (decayed); null before the first. */
  completionTokens: number | null;
  successes: number;
  failures: number;
  /** Failures among the recent outcomes (the last {@link outcomeWindow}; in a shared store, those of each instance), 0..1. */
  errorRate: number;
  lastError: HealthRecord['lastError'];
  /** In a shared store: which router instance last changed the circuit, and when (ISO time). */
  changedBy?: string;
  changedAt?: string;
}

export interface HealthTracker {
  /** How latencies are estimated. */
  readonly latencyOptions: ResolvedLatencyEstimateOptions;
  readonly completionOptions: ResolvedCompletionEstimateOptions;
  /** The latency estimate of `kind`, read at `now` and shrunk toward `prior` as it ages. */
  latency(key: string, kind: LatencyKind, now: number, prior: LatencyPrior, optimism?: number): LatencyReading;
  /** The raw latency estimate of `kind` (for pooling); undefined until measured. */
  latencyEstimate(key: string, kind: LatencyKind): LatencyEstimate | undefined;
  /** Completion tokens per choice learned from the deployment's answers; undefined before the first. */
  completion(key: string): CompletionEstimate | undefined;
  circuit(key: string, now: number): CircuitView;
  /** Before an attempt: whether the circuit lets it through. In half-open, the first caller becomes the trial. */
  admit(key: string, leaseMs: number): boolean;
  /** The deployment answered: closes its circuit. `latencyMs` is recorded, as `kind`, when given. */
  succeeded(key: string, latencyMs?: number, kind?: LatencyKind): void;
  /** The deployment failed: counts towards opening its circuit; a slow failure is a latency sample. */
  failed(key: string, failure: HealthFailure): void;
  /**
   * An admitted attempt ended with no verdict on the deployment (the caller aborted, or the
   * request's own tighter time limit passed). A time limit that passed is still evidence that
   * the deployment takes at least that long: pass it as `lowerBoundMs`.
   */
  released(key: string, lowerBound?: { latencyMs: number; kind: LatencyKind }): void;
  /** One answer's completion tokens per choice, for expected cost. */
  completed(key: string, tokensPerChoice: number): void;
  snapshot(): DeploymentHealth[];
}

/** Outcomes kept per provider+model for the error rate. */
export const outcomeWindow = 50;

export interface HealthTrackerOptions extends CircuitOptions {
  store?: HealthStore | undefined;
  latency?: LatencyEstimateOptions | undefined;
  completion?: CompletionEstimateOptions | undefined;
}

export function createHealthTracker(options: HealthTrackerOptions): HealthTracker {
  const store = options.store ?? memoryHealthStore();
  const shared = isSharedHealthStore(store) ? store : undefined;
  /** What routing reads: the fleet's merged statistics in a shared store, else the record itself. */
  const read = (key: string) => (shared ? shared.view(key) : store.get(key));
  const latencyOptions: ResolvedLatencyEstimateOptions = { ...defaultLatencyEstimateOptions, ...options.latency };
  const completionOptions: ResolvedCompletionEstimateOptions = { ...defaultCompletionEstimateOptions, ...options.completion };
  const estimateOf = (record: HealthRecord | undefined, kind: LatencyKind) => record?.latency?.[kind] ?? undefined;
  const addSample = (record: HealthRecord, kind: LatencyKind, latencyMs: number, now: number) => {
    record.latency ??= { ttft: null, answer: null };
    record.latency[kind] = addLatencySample(record.latency[kind] ?? undefined, latencyMs, now, latencyOptions);
  };
  /** The estimate's own reading (no pool to shrink toward): what a record says by itself. */
  const ownReading = (estimate: LatencyEstimate | undefined, now: number) =>
    estimate === undefined ? undefined : readLatency(estimate, now, latencyOptions, { p50: Math.exp(estimate.sum / estimate.weight) });

  return {
    latencyOptions,
    completionOptions,
    latency: (key, kind, now, prior, optimism) => readLatency(estimateOf(read(key), kind), now, latencyOptions, prior, optimism),
    latencyEstimate: (key, kind) => estimateOf(read(key), kind),
    completion: (key) => read(key)?.completion ?? undefined,
    circuit: (key, now) => viewCircuit(store.get(key), now),
    admit(key, leaseMs) {
      const record = store.get(key);
      if (record === undefined || record.circuit === 'closed') return true;
      const now = Date.now();
      const view = viewCircuit(record, now);
      // In a shared store one instance of the fleet sends the trial: the one holding its lease.
      if (shared && view.state === 'half-open' && !view.trialInFlight && !shared.claimTrial(key, leaseMs)) return false;
      const admitted = admit(record, now, leaseMs);
      if (admitted) store.set(key, record);
      return admitted;
    },
    succeeded(key, latencyMs, kind = 'ttft') {
      const record = store.get(key) ?? emptyHealthRecord();
      const now = Date.now();
      if (latencyMs !== undefined) addSample(record, kind, latencyMs, now);
      pushBounded(record.outcomes, 0, outcomeWindow);
      record.successes += 1;
      if (record.consecutiveFailures > 0 || record.circuit !== 'closed') recordSuccess(record, now);
      store.set(key, record);
    },
    failed(key, failure) {
      const record = store.get(key) ?? emptyHealthRecord();
      const now = Date.now();
      pushBounded(record.outcomes, 1, outcomeWindow);
      record.failures += 1;
      record.lastError = { code: failure.code, ...(failure.status ? { status: failure.status } : {}), message: failure.message, at: now };
      let fast = false;
      if (failure.latencyMs !== undefined && failure.kind !== undefined) {
        // A timeout is at least as slow as its limit; any other failure slower than the p90 is
        // slow evidence too. A fast failure (a quick 503) says nothing of latency.
        const reading = ownReading(estimateOf(record, failure.kind), now);
        if (failure.timedOut || (reading !== undefined && failure.latencyMs > reading.p90)) addSample(record, failure.kind, failure.latencyMs, now);
        // Faster than it usually answers: a failed trial like this cost its caller little, so it does not lengthen the cooldown.
        fast = !failure.timedOut && reading !== undefined && failure.latencyMs < reading.p50;
      }
      recordFailure(record, now, options, fast);
      store.set(key, record);
    },
    released(key, lowerBound) {
      const record = store.get(key);
      if (record === undefined) return;
      let changed = false;
      if (lowerBound !== undefined) {
        const now = Date.now();
        const reading = ownReading(estimateOf(record, lowerBound.kind), now);
        // Only news when the bound is above what the estimate already expects.
        if (reading !== undefined && lowerBound.latencyMs > reading.p50) {
          addSample(record, lowerBound.kind, lowerBound.latencyMs, now);
          changed = true;
        }
      }
      if (record.trialUntil !== null) {
        releaseTrial(record);
        changed = true;
      }
      if (changed) store.set(key, record);
    },
    completed(key, tokensPerChoice) {
      const record = store.get(key) ?? emptyHealthRecord();
      record.completion = addCompletionSample(record.completion ?? undefined, tokensPerChoice, Date.now(), completionOptions);
      store.set(key, record);
    },
    snapshot() {
      const now = Date.now();
      const entries: DeploymentHealth[] = [];
      for (const key of store.keys()) {
        const record = read(key);
        if (record === undefined) continue;
        const view = viewCircuit(record, now);
        const slash = key.indexOf('/');
        const ttft = estimateOf(record, 'ttft');
        const answer = estimateOf(record, 'answer');
        const ttftReading = ownReading(ttft, now);
        const answerReading = ownReading(answer, now);
        const completion = record.completion ?? undefined;
        entries.push({
          provider: key.slice(0, slash),
          model: key.slice(slash + 1),
          circuit: view.state,
          consecutiveFailures: record.consecutiveFailures,
          timesOpened: record.timesOpened,
          retryAt: record.circuit === 'open' && record.retryAt !== null ? new Date(record.retryAt).toISOString() : null,
          ttftP50Ms: ttftReading ? roundMs(ttftReading.p50) : null,
          ttftP90Ms: ttftReading ? roundMs(ttftReading.p90) : null,
          samples: ttft?.count ?? 0,
          answerP50Ms: answerReading ? roundMs(answerReading.p50) : null,
          answerP90Ms: answerReading ? roundMs(answerReading.p90) : null,
          answerSamples: answer?.count ?? 0,
          completionTokens: completion ? Math.round(completion.sum / completion.weight) : null,
          successes: record.successes,
          failures: record.failures,
          errorRate: record.outcomes.length === 0 ? 0 : record.outcomes.reduce((sum, value) => sum + value, 0) / record.outcomes.length,
          lastError: record.lastError,
          ...(record.changedBy !== undefined ? { changedBy: record.changedBy, changedAt: new Date(record.changedAt ?? 0).toISOString() } : {}),
        });
      }
      return entries;
    },
  };
}

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function pushBounded(values: number[], value: number, limit: number): void {
  values.push(value);
  if (values.length > limit) values.splice(0, values.length - limit);
}
