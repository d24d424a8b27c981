import { describeExclusions, NoEligibleProviderError, type Exclusion } from '../errors.js';
import { ratePeriodMs } from './rate-limiter.js';

/** A deployment's rate limits: your quota with its vendor. */
export interface DeploymentLimits {
  /** Requests per minute (at least 1). */
  rpm?: number | undefined;
  /** Tokens per minute (at least 1; prompt plus expected completion, estimated before each call). */
  tpm?: number | undefined;
}

/*
 * A deployment's limits are exact: at most `rpm` attempts (and `tpm` estimated tokens) in any
 * sliding window of a minute. Each attempt reserves its slot right before it is sent; a refused
 * reservation sends the request on to the next candidate. The count is a sliding log (when
 * each attempt was sent, and its cost), not GCRA: GCRA's burst of a full minute would let up to
 * twice the limit through in a window that straddles the burst.
 *
 * Planning ranks on a local view and never waits: this process's own log, plus, with a shared
 * store, how long the fleet said the deployment is full (learnt from each reservation's answer).
 * With a shared store each reservation is one atomic script in Redis for the whole fleet; when
 * Redis does not answer, the process counts alone.
 */

/** The answer of the fleet's count to one reservation. */
export type DeploymentReservation =
  | {
      granted: true;
      /** Per limit, how long before another attempt of the same cost fits: 0 when one fits now. @unit milliseconds */
      fullForMs: { rpm: number; tpm: number };
      /**
       * Takes the attempt out of the fleet's count again, for an attempt that was never sent
       * (it failed while being prepared, or its caller gave up first). Best effort: a release
       * the store misses leaves the attempt counted until it leaves the window.
       */
      release?: () => void;
    }
  | { granted: false; limit: 'rpm' | 'tpm'; retryAfterMs: number }
  /** The store is connected but did not answer in time: the reservation may or may not have been made. */
  | { granted: 'unknown' };

/** Reserves one attempt in the fleet's count (a shared store); undefined when the store is not connected. */
export type ReserveDeployment = (providerId: string, limits: DeploymentLimits, tokens: number, windowMs: number) => Promise<DeploymentReservation | undefined>;

export interface DeploymentLimiter {
  /**
   * Why the deployment cannot take this request now (for planning and `explain()`) and when it
   * can; undefined when it can now. Reads the local view only.
   */
  check(providerId: string, limits: DeploymentLimits, tokens: number, now: number): DeploymentRefusal | undefined;
  /**
   * Reserves a slot for one attempt about to be sent: the slot when granted, else why not (the
   * reason `explain()` would give). Synchronous without a shared store; with one, a promise
   * that settles within the store's command timeout.
   */
  reserve(providerId: string, limits: DeploymentLimits, tokens: number): DeploymentSlot | DeploymentRefusal | Promise<DeploymentSlot | DeploymentRefusal>;
}

/** A slot reserved for one attempt. */
export interface DeploymentSlot {
  /**
   * Gives the slot back, for an attempt that never reached the upstream: the limits count what
   * is sent, so a request that failed before it left (or whose caller gave up first) must not
   * hold a slot for the rest of the window. Only the first call counts.
   */
  release(): void;
}

/** Whether a reservation's answer is a slot (granted) rather than a refusal. */
export const isSlot = (answer: DeploymentSlot | DeploymentRefusal): answer is DeploymentSlot => 'release' in answer;

/** Why an attempt got no slot, and when one frees up. */
export interface DeploymentRefusal {
  reason: string;
  /** @unit milliseconds */
  retryAfterMs: number;
  /** The request alone is over the limit (more tokens than `tpm`): no wait makes it fit. */
  never?: true;
}

/** One limit's sliding log: when each admitted attempt was sent and what it cost, oldest first. */
interface WindowLog {
  at: number[];
  cost: number[];
  head: number;
  sum: number;
}

/** How long before `cost` more fits under `limit`: the oldest entries leave the window first. @unit milliseconds */
function waitFor(log: WindowLog, cost: number, limit: number, now: number, windowMs: number): number {
  if (cost > limit) return windowMs;
  let excess = log.sum + cost - limit;
  if (excess <= 0) return 0;
  for (let index = log.head; index < log.at.length; index++) {
    excess -= log.cost[index]!;
    if (excess <= 0) return Math.max(1, log.at[index]! + windowMs - now);
  }
  return windowMs;
}

/** Takes one attempt sent at `at` out of the log (the latest such: the entries are alike), if it is still in the window. */
function forget(log: WindowLog, at: number, cost: number): void {
  for (let index = log.at.length - 1; index >= log.head && log.at[index]! >= at; index--) {
    if (log.at[index] !== at || log.cost[index] !== cost) continue;
    log.at.splice(index, 1);
    log.cost.splice(index, 1);
    log.sum -= cost;
    return;
  }
}

function prune(log: WindowLog, now: number, windowMs: number): void {
  while (log.head < log.at.length && log.at[log.head]! <= now - windowMs) {
    log.sum -= log.cost[log.head]!;
    log.head += 1;
  }
  // Compact now and then so the arrays stay as long as the window's entries.
  if (log.head > 64 && log.head * 2 > log.at.length) {
    log.at = log.at.slice(log.head);
    log.cost = log.cost.slice(log.head);
    log.head = 0;
  }
}

const refusal = (name: 'rpm' | 'tpm', limit: number, cost: number, waitMs: number): DeploymentRefusal =>
  cost > limit ? { reason: describe(name, limit, cost, waitMs), retryAfterMs: waitMs, never: true } : { reason: describe(name, limit, cost, waitMs), retryAfterMs: waitMs };
const describe = (name: 'rpm' | 'tpm', limit: number, cost: number, waitMs: number) =>
  name === 'tpm' && cost > limit
    ? `at its rate limit: ${limit} tpm, less than this request's ~${cost} tokens`
    : `at its rate limit: ${limit} ${name}; free again in ${Math.max(1, Math.ceil(waitMs / 1000))} s`;

/**
 * @param reserveShared the fleet's count, when the store is shared.
 * @param windowMs the sliding window; a minute, shorter only in tests of the algorithm.
 */
export function createDeploymentLimiter(reserveShared?: ReserveDeployment, windowMs = ratePeriodMs): DeploymentLimiter {
  const logs = new Map<string, WindowLog>();
  /**
   * Until when the fleet's count said the deployment is full for an attempt of `cost` (of that
   * limit), so for any attempt of at least that cost; a smaller one may still fit (tpm), and the
   * fleet's count decides it when it is sent. `until` @unit epoch milliseconds
   */
  const fullUntil = new Map<string, { until: number; cost: number }>();

  const logOf = (key: string) => {
    let log = logs.get(key);
    if (log === undefined) {
      log = { at: [], cost: [], head: 0, sum: 0 };
      logs.set(key, log);
    }
    return log;
  };
  const limitsOf = (limits: DeploymentLimits, tokens: number) => {
    const steps: Array<{ name: 'rpm' | 'tpm'; limit: number; cost: number }> = [];
    if (limits.rpm !== undefined) steps.push({ name: 'rpm', limit: limits.rpm, cost: 1 });
    if (limits.tpm !== undefined) steps.push({ name: 'tpm', limit: limits.tpm, cost: Math.max(0, Math.ceil(tokens)) });
    return steps;
  };
  /** The local view: this process's own log, then what the fleet last said. */
  const check = (providerId: string, limits: DeploymentLimits, tokens: number, now: number) => {
    for (const step of limitsOf(limits, tokens)) {
      const key = `${providerId}\u0000${step.name}`;
      const log = logOf(key);
      prune(log, now, windowMs);
      const waitMs = waitFor(log, step.cost, step.limit, now, windowMs);
      if (waitMs > 0) return refusal(step.name, step.limit, step.cost, waitMs);
      const full = fullUntil.get(key);
      if (full !== undefined && full.until > now && step.cost >= full.cost) return refusal(step.name, step.limit, step.cost, full.until - now);
    }
    return undefined;
  };
  /** Admits an attempt into this process's log: `learnt` are the fleet's answers its grant taught the local view. */
  const record = (providerId: string, limits: DeploymentLimits, tokens: number, now: number, shared?: () => void, learnt?: Map<string, { until: number; cost: number }>): DeploymentSlot => {
    const steps = limitsOf(limits, tokens);
    for (const step of steps) {
      const log = logOf(`${providerId}\u0000${step.name}`);
      log.at.push(now);
      log.cost.push(step.cost);
      log.sum += step.cost;
    }
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        for (const step of steps) forget(logOf(`${providerId}\u0000${step.name}`), now, step.cost);
        // The fleet said "full" counting this attempt: without it, it may not be.
        for (const [key, full] of learnt ?? []) if (fullUntil.get(key) === full) fullUntil.delete(key);
        shared?.();
      },
    };
  };

  return {
    check,
    reserve(providerId, limits, tokens) {
      const now = Date.now();
      const local = check(providerId, limits, tokens, now);
      // This process's own attempts are part of the fleet's: full here is full for the fleet.
      if (local !== undefined) return local;
      if (reserveShared === undefined) return record(providerId, limits, tokens, now);
      return reserveShared(providerId, limits, tokens, windowMs).then((answer) => {
        const at = Date.now();
        if (answer === undefined) {
          // The store is not connected: this process counts alone.
          return check(providerId, limits, tokens, at) ?? record(providerId, limits, tokens, at);
        }
        // Sending could pass the fleet's limit: this attempt goes to the next candidate instead.
        if (answer.granted === 'unknown') return { reason: 'at its rate limit: no slot reserved, the shared store did not answer in time', retryAfterMs: 1_000 };
        if (!answer.granted) {
          const step = limitsOf(limits, tokens).find((entry) => entry.name === answer.limit)!;
          fullUntil.set(`${providerId}\u0000${answer.limit}`, { until: at + answer.retryAfterMs, cost: step.cost });
          return refusal(answer.limit, step.limit, step.cost, answer.retryAfterMs);
        }
        const learnt = new Map<string, { until: number; cost: number }>();
        for (const step of limitsOf(limits, tokens)) {
          if (answer.fullForMs[step.name] === 0) continue;
          const full = { until: at + answer.fullForMs[step.name], cost: step.cost };
          fullUntil.set(`${providerId}\u0000${step.name}`, full);
          learnt.set(`${providerId}\u0000${step.name}`, full);
        }
        return record(providerId, limits, tokens, at, answer.release, learnt);
      });
    },
  };
}

/**
 * Every candidate left was at its limits when its turn came (the fleet filled them since
 * planning): a 503 with `retry-after`, nothing sent, as when only open circuits are left.
 */
export function deploymentsAtLimits(requested: string, policy: string, excluded: Exclusion[], retryAfterMs: number): NoEligibleProviderError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new NoEligibleProviderError(
    `every deployment eligible for "${requested}" under policy ${policy} is at its rate limit (limits); nothing was sent. Try again in ${seconds} s. Excluded:\n${describeExclusions(excluded)}`,
    excluded,
    { status: 503, type: 'server_error', isRetryable: true, headers: { 'retry-after': String(seconds) } },
  );
}
