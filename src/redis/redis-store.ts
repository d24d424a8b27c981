import { hostname } from 'node:os';
import { emptyHealthRecord, type HealthRecord, type SharedHealthStore } from '../health/health-store.js';
import { defaultCompletionEstimateOptions, poolCompletionEstimates } from '../health/completion-estimate.js';
import { defaultLatencyEstimateOptions, mergeLatencyEstimates, type LatencyEstimate } from '../health/latency-estimate.js';
import { InvalidRequestError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { redisBudgetLedger } from './redis-budgets.js';
import { redisDeploymentLimits } from './redis-deployment-limits.js';
import { redisRateLimiter } from './redis-rate-limiter.js';
import { connectRedis, within, type RedisConnection } from './redis-connection.js';
import { FleetClock } from './fleet-clock.js';

/*
 * Health shared by a fleet through Redis. Routing reads a local view and never waits on Redis:
 *
 * - Circuits are shared: a transition (open, re-open, close) made by any instance is written to
 *   `<prefix>{sr}:cb:<deployment>` and published on `<prefix>{sr}:events`; others apply it as the
 *   message arrives, or at the next refresh if it was lost. Last change wins.
 * - The half-open trial is a lease, `SET <prefix>{sr}:trial:<deployment> <instance> NX PX`: only
 *   the instance holding it sends the trial; the others keep the deployment out meanwhile.
 * - Latency, answer lengths and outcomes are each instance's own, written write-behind to the
 *   hash `<prefix>{sr}:stats:<deployment>` (one field per instance) and merged on reading
 *   (`mergeLatencyEstimates`), so a new instance starts from the fleet's statistics.
 *
 * Times in Redis are on Redis's clock (fleet-clock.ts), so machines whose clocks differ still
 * agree on when a circuit lets a trial through and which change came last.
 *
 * When Redis fails, the store keeps serving its local view, logs once, and catches up when
 * Redis answers again. Every command settles within `commandTimeoutMs`.
 */

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Where Redis is: `redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS, or `unix://[[user]:password@]/path/to/socket[?db=<db>]`. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** Prepended to every key and channel; instances sharing state share a prefix. @default 'sovroute:' */
  prefix?: string;
  /** How often the local view is refreshed from Redis and this instance's statistics written: the bound on the lag when a published change is lost. @unit milliseconds @default 1000 */
  refreshMs?: number;
  /** The longest any Redis command may take before it counts as failed. @unit milliseconds @default 500 */
  commandTimeoutMs?: number;
  /** How long shared state lives after its last write, so an abandoned prefix cleans itself up. @unit milliseconds @default 86400000 (1 day) */
  ttlMs?: number;
  /** Names this instance in `router.health()` (`changedBy`); instances may share a name (each still counts as its own). @default `<hostname>:<pid>:<random>` */
  instanceId?: string;
  /**
   * What a request of a key with a budget does when Redis does not answer within
   * `commandTimeoutMs`: refused with 503 `store_unavailable` ('deny'), or sent without being
   * counted ('allow'). @default 'deny'
   */
  onUnavailable?: 'deny' | 'allow';
}

/** A health store shared through Redis; pass it as `createRouter({ store })`. */
export interface RedisStore extends SharedHealthStore {
  readonly instanceId: string;
  /** Resolves once the first load from Redis is done (or failed: then the local view is used). Await it before serving to start from the fleet's statistics. */
  ready(): Promise<void>;
  /**
   * Writes what is pending and disconnects. Call it after `router.close()`: a request still in
   * flight can no longer have its cost counted (the router's logger says so), and settlements
   * waiting for a Redis that does not answer are dropped with a warning.
   */
  close(): Promise<void>;
}

interface SharedCircuit {
  circuit: HealthRecord['circuit'];
  openedAt: number | null;
  retryAt: number | null;
  timesOpened: number;
  cooldownLevel: number;
  closedAt: number | null;
  lastError: HealthRecord['lastError'];
  changedBy: string;
  changedAt: number;
}

/** What each instance contributes to a deployment's statistics. */
type Stats = Pick<HealthRecord, 'latency' | 'completion' | 'outcomes' | 'successes' | 'failures'>;

/** An instance's statistics as written, with when. `writtenAt` @unit epoch milliseconds */
type WrittenStats = Stats & { writtenAt?: number };

/** The most settlements kept while Redis is unreachable; past it a settlement fails (its reservation lapses, its cost is not counted). */
const maxUnsentSettlements = 10_000;

const releaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * Takes a deployment (ARGV[1]) off the list (KEYS[1]) once its circuit (KEYS[2]) and statistics
 * (KEYS[3]) have expired: the list itself lives on while the fleet writes, and every instance
 * reads each member at every refresh. Checked in the script, so a deployment written meanwhile stays.
 */
const pruneScript = "if redis.call('EXISTS', KEYS[2]) == 0 and redis.call('EXISTS', KEYS[3]) == 0 then return redis.call('SREM', KEYS[1], ARGV[1]) end return 0";

/** The circuit of a record as the fleet reads it: its times on Redis's clock. */
function circuitOf(record: HealthRecord, changedBy: string, changedAt: number, clock: FleetClock): SharedCircuit {
  const { circuit, openedAt, retryAt, timesOpened, cooldownLevel, closedAt, lastError } = record;
  return {
    circuit,
    openedAt: clock.toFleet(openedAt),
    retryAt: clock.toFleet(retryAt),
    timesOpened,
    cooldownLevel,
    closedAt: clock.toFleet(closedAt),
    lastError: lastError && { ...lastError, at: clock.toFleet(lastError.at) },
    changedBy,
    changedAt: clock.toFleet(changedAt),
  };
}

const signature = (record: HealthRecord) => `${record.circuit}|${record.openedAt}|${record.retryAt}|${record.timesOpened}`;

export function redisStore(options: RedisStoreOptions = {}): RedisStore {
  const url = options.url ?? 'redis://127.0.0.1:6379';
  // Checked here, where a mistake is thrown to the caller; the URL itself, which may hold a password, is never quoted.
  if (unencodedUserInfo.test(url)) {
    throw new InvalidRequestError('redisStore: url has an @ after a /, ? or #: a password holding one must be written percent-encoded (/ as %2F, ? as %3F, # as %23), or the URL reads as another host and port', 'url');
  }
  const where = locate(url);
  if (where === undefined) {
    throw new InvalidRequestError('redisStore: url is not a valid URL (redis://[[user]:password@]host[:port][/db], rediss:// for TLS, or unix://[[user]:password@]/path/to/socket[?db=<db>])', 'url');
  }
  const { host, database } = where;
  const base = `${options.prefix ?? 'sovroute:'}{sr}:`;
  const refreshMs = milliseconds('refreshMs', options.refreshMs ?? 1_000);
  const commandTimeoutMs = milliseconds('commandTimeoutMs', options.commandTimeoutMs ?? 500);
  const ttlMs = milliseconds('ttlMs', options.ttlMs ?? 86_400_000);
  const instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  // This instance among any given the same instanceId (a hostname shared under host networking):
  // its statistics field and its messages are told apart by this, never by the name alone.
  const self = `${instanceId}#${Math.random().toString(36).slice(2, 10)}`;
  // Keys live in the URL's database, but Pub/Sub is one for the whole server: fleets on other
  // databases with the same prefix (staging beside production) would open each other's circuits.
  // Database 0 keeps the channel earlier versions used.
  const channel = database === 0 ? `${base}events` : `${base}events:${database}`;
  const deploymentsKey = `${base}deployments`;

  const own = new Map<string, HealthRecord>();
  const signatures = new Map<string, string>();
  const shared = new Map<string, SharedCircuit>();
  const others = new Map<string, Map<string, Stats>>();
  const views = new Map<string, HealthRecord>();
  const dirty = new Set<string>();
  const trials = new Map<string, { retryAt: number | null; until: number; used: boolean }>();
  const claiming = new Set<string>();
  /** After losing a trial race: when to try again. @unit epoch milliseconds */
  const lostUntil = new Map<string, number>();
  let logger: Logger | undefined;
  let down: string | undefined;
  let pendingLog: string | undefined;
  let connection: RedisConnection | undefined;
  let closed = false;
  /** close() has ended: the connection is gone for good, and what still comes (a request in flight settling) is told so. */
  let shutDown = false;
  const closedError = () =>
    new Error('the Redis store is closed (store.close() was called), so nothing more reaches Redis; close it after the router (await router.close(), then store.close())');
  const clock = new FleetClock();
  // The router's own (attach): the fleet's estimates merge under the half-lives its own decay by.
  let latencyOptions = defaultLatencyEstimateOptions;
  let completionOptions = defaultCompletionEstimateOptions;

  const log = (level: 'warn' | 'info', message: string) => {
    if (logger) logger[level](message);
    else pendingLog = message;
  };
  /** Commands that failed so far: a refresh during which none did is what tells Redis is back. */
  let failures = 0;
  const failed = (error: unknown) => {
    failures += 1;
    if (down !== undefined) return;
    down = error instanceof Error ? error.message : String(error);
    log('warn', `sovroute redis store: Redis at ${host} does not answer (${down}); routing on this process's own view until it does`);
  };
  const answered = () => {
    if (down === undefined) return;
    down = undefined;
    log('info', `sovroute redis store: Redis at ${host} answers again; sharing health with the fleet`);
    // Circuits this instance changed while Redis was away are written again.
    for (const key of own.keys()) dirty.add(key);
  };
  /**
   * Sends one command on a connection and records a failure (logged on a change). One command
   * answering does not end an outage: a Redis out of memory, or a replica made read-only by a
   * failover, answers reads and refuses every write, and the outage and the recovery would be
   * logged at every refresh. It ends with a refresh without a failure.
   */
  const exchange = async <T>(live: RedisConnection, args: string[]): Promise<T> => {
    if (shutDown) throw closedError();
    try {
      return await live.send<T>(args);
    } catch (error) {
      failed(error);
      throw error;
    }
  };
  /** Health commands: undefined when Redis does not answer; routing goes on with the local view. */
  const send = async <T>(args: string[]): Promise<T | undefined> =>
    connection === undefined ? undefined : exchange<T>(connection, args).catch(() => undefined);

  /** Applies a circuit change from another instance to the local record, if it is newer (both on Redis's clock). */
  const applyShared = (key: string, circuit: SharedCircuit) => {
    const current = shared.get(key);
    if (current !== undefined && current.changedAt >= circuit.changedAt) return;
    shared.set(key, circuit);
    views.delete(key);
    const record = own.get(key) ?? emptyHealthRecord();
    const wasOpen = record.circuit === 'open';
    Object.assign(record, {
      circuit: circuit.circuit,
      openedAt: clock.toLocal(circuit.openedAt),
      retryAt: clock.toLocal(circuit.retryAt),
      timesOpened: circuit.timesOpened,
      cooldownLevel: circuit.cooldownLevel,
      closedAt: clock.toLocal(circuit.closedAt),
      lastError: circuit.lastError ? { ...circuit.lastError, at: clock.toLocal(circuit.lastError.at) } : record.lastError,
      changedBy: circuit.changedBy,
      changedAt: clock.toLocal(circuit.changedAt),
    });
    // Another instance closed it: failures counted here before belong to the old episode.
    if (circuit.circuit === 'closed' && wasOpen) record.consecutiveFailures = 0;
    if (circuit.circuit === 'open') record.trialUntil = null;
    own.set(key, record);
    signatures.set(key, signature(record));
  };

  const writeCircuit = (key: string, circuit: SharedCircuit) => {
    const message = JSON.stringify({ key, circuit, from: self });
    void send(['SET', `${base}cb:${key}`, JSON.stringify(circuit), 'PX', String(ttlMs)]);
    void send(['SADD', deploymentsKey, key]);
    // The list may be new here: it expires like every key, also if no refresh follows (the process dies).
    void send(['PEXPIRE', deploymentsKey, String(ttlMs)]);
    void send(['PUBLISH', channel, message]);
  };

  /** One lease per half-open episode (named by its `retryAt`): a lease left from an earlier episode never blocks a later one. */
  // Held under `self`, not the name: an instance sharing the name must not release this one's lease as its own.
  const leaseKey = (key: string, retryAt: number | null) => `${base}trial:${key}:${retryAt ?? 0}`;
  const releaseTrialLease = (key: string) => {
    const trial = trials.get(key);
    if (trial === undefined) return;
    trials.delete(key);
    void send(['EVAL', releaseScript, '1', leaseKey(key, trial.retryAt), self]);
  };

  const flush = async () => {
    const keys = [...dirty];
    dirty.clear();
    await Promise.all(
      keys.map(async (key) => {
        const record = own.get(key);
        if (record === undefined) return;
        const { latency, completion, outcomes, successes, failures } = record;
        const stats: WrittenStats = { ...clock.statistics({ latency, completion, outcomes, successes, failures }, (time) => clock.toFleet(time)), writtenAt: clock.toFleet(Date.now()) };
        const statsKey = `${base}stats:${key}`;
        await Promise.all([
          send(['HSET', statsKey, self, JSON.stringify(stats)]),
          send(['PEXPIRE', statsKey, String(ttlMs)]),
          send(['SADD', deploymentsKey, key]),
          send(['PEXPIRE', deploymentsKey, String(ttlMs)]),
        ]);
        const circuit = shared.get(key);
        if (circuit?.changedBy === instanceId) await send(['SET', `${base}cb:${key}`, JSON.stringify(circuit), 'PX', String(ttlMs)]);
      }),
    );
  };

  const refresh = async () => {
    const keys = await send<string[]>(['SMEMBERS', deploymentsKey]);
    if (keys === undefined) return;
    await Promise.all(
      keys.map(async (key) => {
        const [circuitText, stats] = await Promise.all([
          send<string | null>(['GET', `${base}cb:${key}`]),
          send<Record<string, string> | string[]>(['HGETALL', `${base}stats:${key}`]),
        ]);
        const circuit = circuitText ? readJson<SharedCircuit>(circuitText) : undefined;
        if (circuit !== undefined) applyShared(key, circuit);
        if (stats === undefined) return;
        const fields = Array.isArray(stats) ? Object.fromEntries(pairs(stats)) : stats;
        if (circuitText === null && Object.keys(fields).length === 0) void send(['EVAL', pruneScript, '3', deploymentsKey, `${base}cb:${key}`, `${base}stats:${key}`, key]);
        const contributions = new Map<string, Stats>();
        const now = clock.toFleet(Date.now());
        for (const [instance, text] of Object.entries(fields)) {
          if (instance === self) continue;
          const written = readJson<WrittenStats>(text);
          if (written === undefined) continue;
          // The hash lives on while any instance writes to it: an instance gone for longer than
          // ttlMs (each restart is a new one) is dropped, not merged into the fleet's view forever.
          if (written.writtenAt !== undefined && now - written.writtenAt > ttlMs) {
            void send(['HDEL', `${base}stats:${key}`, instance]);
            continue;
          }
          contributions.set(instance, clock.statistics(written, (time) => clock.toLocal(time)));
        }
        others.set(key, contributions);
        views.delete(key);
      }),
    );
  };

  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (closed) return;
    const failedBefore = failures;
    await sendUnsentSettlements();
    await clock.measure(() => send(['TIME']));
    // Read before writing: back after an outage, a circuit this instance changed while away is
    // written again only if the fleet has not changed it since (last change wins).
    await refresh();
    await flush();
    if (down !== undefined && connection?.isReady() && failures === failedBefore) {
      // Reads answer on a Redis that refuses writes, and a refresh may have had nothing to write: one write tells.
      await send(['SET', `${base}probe`, self, 'PX', String(refreshMs + commandTimeoutMs)]);
      if (failures === failedBefore) answered();
    }
  };
  const started = (async () => {
    try {
      connection = await connectRedis({ url, commandTimeoutMs });
    } catch (error) {
      failed(error);
      return;
    }
    // A connection made again ends nothing by itself (it may reach a replica that refuses writes): the next clean refresh does.
    connection.onState((state) => void (state.up || failed(state.error)));
    await clock.measure(() => send(['TIME']));
    await connection
      .subscribe(channel, (message) => {
        const change = readJson<{ key: string; circuit: SharedCircuit; from?: string }>(message);
        if (change === undefined || typeof change.circuit !== 'object' || change.circuit === null) return;
        // A message without `from` comes from an earlier version, which told itself apart by name.
        const own = change.from === undefined ? change.circuit.changedBy === instanceId : change.from === self;
        if (!own) applyShared(change.key, change.circuit);
      })
      .catch(failed);
    await refresh();
    timer = setInterval(() => void tick(), refreshMs);
    timer.unref();
  })();

  const viewOf = (key: string): HealthRecord | undefined => {
    const record = own.get(key);
    const contributions = others.get(key);
    if (contributions === undefined || contributions.size === 0) return record;
    const cached = views.get(key);
    if (cached !== undefined) return cached;
    const view: HealthRecord = { ...(record ?? emptyHealthRecord()), latency: { ...(record?.latency ?? { ttft: null, answer: null }) } };
    const merge = (a: LatencyEstimate | null | undefined, b: LatencyEstimate | null | undefined) => (a && b ? mergeLatencyEstimates(a, b, latencyOptions) : (a ?? b ?? null));
    for (const stats of contributions.values()) {
      view.latency.ttft = merge(view.latency.ttft, stats.latency?.ttft);
      view.latency.answer = merge(view.latency.answer, stats.latency?.answer);
      // Each instance's window whole: cut to one window, the merge kept the last instance's alone.
      view.outcomes = [...view.outcomes, ...(stats.outcomes ?? []).slice(-50)];
      view.successes += stats.successes ?? 0;
      view.failures += stats.failures ?? 0;
    }
    // Answer lengths pooled whole (spread included, each decayed to now), as the router pools a model's deployments.
    view.completion = poolCompletionEstimates([record?.completion ?? undefined, ...[...contributions.values()].map((stats) => stats.completion ?? undefined)], Date.now(), completionOptions) ?? null;
    views.set(key, view);
    return view;
  };

  /** Budget commands must reach Redis: a failure is thrown to the budget guard, which applies `onUnavailable`. */
  const sendOrThrow = async <T>(args: string[]): Promise<T> => {
    if (connection !== undefined) return exchange<T>(connection, args);
    // Starting up (which may take five times a command's time): waiting for the first connection
    // and the command together take no longer than one command may, as budgets promise.
    const deadline = performance.now() + commandTimeoutMs;
    await within(started, commandTimeoutMs, 'connecting').catch(() => undefined);
    if (connection === undefined) throw new Error(`Redis at ${host} is not connected`);
    return within(exchange<T>(connection, args), Math.max(0, deadline - performance.now()), args[0]!);
  };

  /**
   * Budget settlements that could not be sent (the connection was down), oldest first, sent when
   * Redis answers again: a request that ended during an outage has its cost counted instead of
   * dropped with its reservation. Only commands never sent are kept: one sent without an answer
   * may have run, and sending it again would count the cost twice.
   */
  const unsentSettlements: string[][] = [];
  const sendSettlement = async (args: string[]): Promise<void> => {
    // Kept for a connection that never comes back, its cost would go uncounted without a word.
    if (shutDown) throw closedError();
    const live = connection;
    if (live !== undefined && live.isReady()) {
      await exchange(live, args);
      return;
    }
    if (unsentSettlements.length >= maxUnsentSettlements) throw new Error(`Redis at ${host} is not connected, and ${maxUnsentSettlements} settlements already wait for it`);
    unsentSettlements.push(args);
  };
  const sendUnsentSettlements = async () => {
    const live = connection;
    if (live === undefined || !live.isReady() || unsentSettlements.length === 0) return;
    const settlements = unsentSettlements.splice(0);
    await Promise.all(settlements.map((args) => exchange(live, args).catch(() => undefined)));
  };

  /**
   * The release of a budget reservation that got no answer: behind it on the same connection
   * while that is up (Redis may still make the reservation). While it is down the reservation
   * failed at once, unsent, or was cut off with its connection: nothing is kept for later, and
   * such a reservation, if Redis made it, is released when it lapses.
   */
  const sendRelease = async (args: string[]): Promise<void> => {
    const live = connection;
    if (live !== undefined && live.isReady()) await exchange(live, args);
  };

  /** Deployment reservations: undefined while disconnected (the instance counts alone), thrown when a live connection did not answer in time. */
  const sendUnlessDisconnected = async <T>(args: string[]): Promise<T | undefined> => {
    const live = connection;
    if (live === undefined || !live.isReady()) return undefined;
    try {
      return await exchange<T>(live, args);
    } catch (error) {
      if (!live.isReady()) return undefined;
      throw error;
    }
  };

  return {
    instanceId,
    budgets: redisBudgetLedger(sendOrThrow, base, sendSettlement, sendRelease, (time) => clock.toFleet(time)),
    rateLimits: redisRateLimiter(sendOrThrow, base),
    reserveDeployment: redisDeploymentLimits(sendUnlessDisconnected, base, instanceId),
    onUnavailable: options.onUnavailable ?? 'deny',
    get: (key) => own.get(key),
    set(key, record) {
      own.set(key, record);
      views.delete(key);
      dirty.add(key);
      const now = Date.now();
      const next = signature(record);
      if (signatures.get(key) !== next) {
        signatures.set(key, next);
        record.changedBy = instanceId;
        record.changedAt = now;
        const circuit = circuitOf(record, instanceId, now, clock);
        shared.set(key, circuit);
        writeCircuit(key, circuit);
        // The circuit moved on (closed, or opened again): the trial, if this instance held it, is over.
        releaseTrialLease(key);
      } else if (record.trialUntil === null && trials.get(key)?.used) {
        // The trial ended with no verdict: let another go.
        releaseTrialLease(key);
      }
    },
    keys: () => new Set([...own.keys(), ...shared.keys(), ...others.keys()]),
    view: viewOf,
    claimTrial(key, leaseMs) {
      const record = own.get(key);
      const trial = trials.get(key);
      const now = Date.now();
      // The episode as the fleet names it: the opening's retryAt on Redis's clock, the same for every instance.
      const retryAt = shared.get(key)?.retryAt ?? clock.toFleet(record?.retryAt ?? null);
      if (trial !== undefined && trial.retryAt !== retryAt) releaseTrialLease(key);
      else if (trial !== undefined && !trial.used && trial.until > now) {
        trial.used = true;
        return true;
      }
      if (connection === undefined || down !== undefined) return true; // Redis away: this process decides alone.
      if (claiming.has(key) || (trials.get(key)?.until ?? 0) > now || (lostUntil.get(key) ?? 0) > now) return false;
      claiming.add(key);
      void send<string | null>(['SET', leaseKey(key, retryAt), self, 'NX', 'PX', String(leaseMs)]).then((reply) => {
        claiming.delete(key);
        if (reply === 'OK') trials.set(key, { retryAt, until: Date.now() + leaseMs, used: false });
        // Another instance holds it: ask again only after a refresh, not on every request.
        else lostUntil.set(key, Date.now() + refreshMs);
      });
      return false;
    },
    attach(context) {
      logger = context.logger;
      latencyOptions = context.latency ?? latencyOptions;
      completionOptions = context.completion ?? completionOptions;
      views.clear();
      if (pendingLog !== undefined) logger.warn(pendingLog);
      pendingLog = undefined;
    },
    ready: () => started,
    async close() {
      await started;
      closed = true;
      if (timer) clearInterval(timer);
      for (const key of [...trials.keys()]) releaseTrialLease(key);
      await sendUnsentSettlements();
      await flush();
      await connection?.close();
      shutDown = true;
      if (unsentSettlements.length > 0) {
        log('warn', `sovroute redis store: closed while Redis at ${host} did not answer; the cost of ${unsentSettlements.length} requests that ended meanwhile is not counted in their keys' budgets`);
        unsentSettlements.length = 0;
      }
    },
  };
}

/**
 * A value another instance wrote, or undefined for one this instance cannot read (written by
 * hand, or by another version): skipped, never thrown from the background refresh, where it
 * would end the process.
 */
function readJson<T extends object>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A time option checked where a mistake is thrown to the caller: Redis takes whole milliseconds
 * (PX), and with 0, Infinity or a fraction every write would fail later, logged as an outage.
 */
function milliseconds(name: string, value: number): number {
  if (Number.isSafeInteger(value) && value > 0) return value;
  throw new InvalidRequestError(`redisStore: ${name} must be a whole number of milliseconds, 1 or more; got ${value}`, name);
}

/**
 * Credentials holding an unencoded `/`, `?` or `#` (`redis://app:1234/5678@host`): the URL parser
 * and the Redis client end the host there, reading host `app` and port 1234, so the store would
 * connect elsewhere and log the password's first part as where Redis is.
 */
const unencodedUserInfo = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*:[^/?#@]*[/?#][^]*@/i;

/**
 * Where a URL points, for the log (host and port, or a unix socket's path; never the
 * credentials), and the logical database it selects, both as node-redis reads the URL:
 * `/<db>`, or `?db=<db>` for `unix://`, whose credentials without a host WHATWG URL refuses.
 */
function locate(url: string): { host: string; database: number } | undefined {
  const socket = /^unix:\/\/(?:[^:@/]*(?::[^@/]*)?@)?(\/[^?#]*)(?:\?([^#]*))?/.exec(url);
  if (url.startsWith('unix:') && (socket === null || socket[1] === '/')) return undefined;
  let host: string;
  let database: number;
  try {
    if (socket) {
      host = decodeURIComponent(socket[1]!);
      database = Number(new URLSearchParams(socket[2] ?? '').get('db') ?? 0);
    } else {
      const parsed = new URL(url);
      host = parsed.host;
      database = Number(parsed.pathname.slice(1) || 0);
    }
  } catch {
    return undefined;
  }
  return { host, database: Number.isInteger(database) ? database : 0 };
}

function pairs(values: string[]): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  for (let index = 0; index + 1 < values.length; index += 2) result.push([values[index]!, values[index + 1]!]);
  return result;
}
