import type { CompletionEstimate } from './completion-estimate.js';
import type { LatencyEstimate } from './latency-estimate.js';

/**
 * What the router knows about one deployment (provider + model): latency estimates, answer
 * lengths, recent outcomes and its circuit. Plain JSON on purpose, so a shared store can
 * serialise it as is. Times are epoch milliseconds, meaningful across processes.
 */
export interface HealthRecord {
  /**
   * Latency estimates that follow change (decayed sums of log-latency, see `LatencyEstimate`):
   * time to the first chunk of substance of streamed calls, and time to the whole answer of other calls.
   */
  latency: { ttft: LatencyEstimate | null; answer: LatencyEstimate | null };
  /** Completion tokens per choice of recent answers, for expected cost; null before the first. */
  completion: CompletionEstimate | null;
  /** Recent outcomes, oldest first: 0 a success, 1 a failure. */
  outcomes: number[];
  /** Successes and failures since the record was created. */
  successes: number;
  failures: number;
  /** Failures since the last success; reaching the threshold opens the circuit. */
  consecutiveFailures: number;
  /** `open` turns half-open by itself once `retryAt` has passed. */
  circuit: 'closed' | 'open';
  /** When the circuit last opened. @unit epoch milliseconds */
  openedAt: number | null;
  /** When an open circuit lets one trial request through. @unit epoch milliseconds */
  retryAt: number | null;
  /** While a half-open trial is in flight: when its lease runs out, letting another trial go. @unit epoch milliseconds */
  trialUntil: number | null;
  /** How often the circuit has opened. */
  timesOpened: number;
  /** Cooldown level: the next opening's cooldown is the base × 2^level. Lowered by healthy time. */
  cooldownLevel: number;
  /** When an open circuit last closed, for lowering `cooldownLevel`. @unit epoch milliseconds */
  closedAt: number | null;
  /** The most recent failure. */
  lastError: { code: string; status?: number; message: string; at: number } | null;
  /** Which router instance last changed the circuit, in a shared store. */
  changedBy?: string | undefined;
  /** When it did. @unit epoch milliseconds */
  changedAt?: number | undefined;
}

/**
 * Where health records live, keyed by `provider/model`. The router reads a record, changes it
 * and hands it back with `set`, so a store only has to keep JSON values.
 *
 * The interface is synchronous because routing reads it on every request. A store backed by
 * a shared server (Redis…) keeps a local copy that `get` reads and `set` updates, writes
 * through in the background and refreshes the copy when other processes write; the router
 * never waits on the network to route.
 */
export interface HealthStore {
  /** The record of one deployment, or undefined when nothing is known of it yet. */
  get(key: string): HealthRecord | undefined;
  /** Stores a record (possibly the same object `get` returned, changed). */
  set(key: string, record: HealthRecord): void;
  /** Every key with a record, for `router.health()`. */
  keys(): Iterable<string>;
  /** Where key budgets are counted, when the store keeps them (a shared store does); else in this process. */
  budgets?: import('../budgets/budget-ledger.js').BudgetLedger;
  /**
   * Reserves one attempt against a deployment's limits for the whole fleet, atomically (see
   * `ReserveDeployment`); resolves to undefined when the store does not answer. Called right
   * before an attempt to a deployment with `limits` is sent; ranking reads a local view.
   */
  reserveDeployment?: import('../budgets/deployment-limits.js').ReserveDeployment;
  /** Where key rate limits are counted, when the store keeps them; else in this process. */
  rateLimits?: import('../budgets/rate-limiter.js').RateLimiter;
  /**
   * What a request of a key with a budget does when the store cannot be reached: refused with
   * 503 `store_unavailable` ('deny'), or sent without counting ('allow'). @default 'deny'
   */
  onUnavailable?: 'deny' | 'allow';
}

/**
 * A store shared by several router instances. `get`/`set` hold this instance's own record
 * (with the fleet's circuit applied to it); `view` merges every instance's statistics for
 * reading; `claimTrial` decides which one instance sends a half-open trial.
 */
export interface SharedHealthStore extends HealthStore {
  /** The fleet's record of one deployment: every instance's latency and outcomes merged. */
  view(key: string): HealthRecord | undefined;
  /**
   * Whether this instance may send the half-open trial now. False while another instance holds
   * the trial (or while this one is still asking for it). Never waits on the network.
   */
  claimTrial(key: string, leaseMs: number): boolean;
  /**
   * Called by the router with its logger, for the store's own messages, and with its resolved
   * `health.latency` and `health.completion` options, by which `view` merges the fleet's
   * estimates as the router decays its own.
   */
  attach(context: {
    logger: import('../logging/logger.js').Logger;
    latency?: import('./latency-estimate.js').ResolvedLatencyEstimateOptions;
    completion?: import('./completion-estimate.js').ResolvedCompletionEstimateOptions;
  }): void;
}

export function isSharedHealthStore(store: HealthStore): store is SharedHealthStore {
  return typeof (store as Partial<SharedHealthStore>).view === 'function' && typeof (store as Partial<SharedHealthStore>).claimTrial === 'function';
}

/** Keeps health records in this process only: the default. */
export function memoryHealthStore(): HealthStore {
  const records = new Map<string, HealthRecord>();
  return {
    get: (key) => records.get(key),
    set: (key, record) => void records.set(key, record),
    keys: () => records.keys(),
  };
}

/** A record for a deployment nothing is known of yet. */
export function emptyHealthRecord(): HealthRecord {
  return {
    latency: { ttft: null, answer: null },
    completion: null,
    outcomes: [],
    successes: 0,
    failures: 0,
    consecutiveFailures: 0,
    circuit: 'closed',
    openedAt: null,
    retryAt: null,
    trialUntil: null,
    timesOpened: 0,
    cooldownLevel: 0,
    closedAt: null,
    lastError: null,
  };
}
