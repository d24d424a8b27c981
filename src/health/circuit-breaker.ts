import type { HealthRecord } from './health-store.js';

/*
 * The circuit breaker of one deployment, as pure transitions over its health record:
 *
 *   closed ──(failureThreshold consecutive failures)──▶ open
 *   open ──(cooldown passed)──▶ half-open: the next request is admitted as the one trial
 *   half-open ──(trial succeeds)──▶ closed      half-open ──(trial fails)──▶ open again
 *
 * Half-open is not stored: it is an open circuit whose `retryAt` has passed, so no timer runs.
 *
 * The cooldown follows the evidence: `cooldownMs` × growth^(level − 1), up to `maxCooldownMs`. Each
 * opening raises the level by one; each `cooldownDecayMs` of closed, healthy operation lowers it
 * by one. A deployment that failed once is re-admitted after the short base cooldown; one that
 * keeps failing its trials slowly is left alone longer and longer. A trial that fails fast (a
 * quick 503, faster than the deployment usually answers) re-opens at the same level: it cost its
 * caller almost nothing (the call falls back at once), so re-trying at the base rate is cheap,
 * and it finds the end of an outage within one base cooldown instead of one long, grown one.
 */

export interface CircuitOptions {
  failureThreshold: number;
  /** The first cooldown. @unit milliseconds */
  cooldownMs: number;
  /** The longest cooldown. @unit milliseconds */
  maxCooldownMs: number;
  /** Closed operation that forgives one level of cooldown. @unit milliseconds */
  cooldownDecayMs: number;
  /** Factor by which each further opening lengthens the cooldown. */
  cooldownGrowth: number;
}

/** The cooldown of the opening that raises the circuit to `level` (1 for the first). @unit milliseconds */
export function cooldownFor(level: number, options: CircuitOptions): number {
  return Math.min(options.maxCooldownMs, options.cooldownMs * options.cooldownGrowth ** Math.max(0, level - 1));
}

/** The cooldown level left at `now`, after forgiveness for closed operation since `closedAt`. */
function levelAt(record: HealthRecord, now: number, options: CircuitOptions): number {
  const level = record.cooldownLevel ?? 0;
  if (record.circuit !== 'closed' || record.closedAt == null || options.cooldownDecayMs <= 0) return level;
  return Math.max(0, level - Math.floor((now - record.closedAt) / options.cooldownDecayMs));
}

/** The circuit of one deployment, as of one moment. */
export type CircuitView =
  | { state: 'closed' }
  | { state: 'open'; consecutiveFailures: number; retryAt: number; lastError: HealthRecord['lastError'] }
  | { state: 'half-open'; consecutiveFailures: number; trialInFlight: boolean; trialUntil: number | null };

const closed: CircuitView = { state: 'closed' };

export function viewCircuit(record: HealthRecord | undefined, now: number): CircuitView {
  if (record === undefined || record.circuit === 'closed') return closed;
  const retryAt = record.retryAt ?? 0;
  if (now < retryAt) {
    return { state: 'open', consecutiveFailures: record.consecutiveFailures, retryAt, lastError: record.lastError };
  }
  const trialInFlight = record.trialUntil !== null && now < record.trialUntil;
  return { state: 'half-open', consecutiveFailures: record.consecutiveFailures, trialInFlight, trialUntil: trialInFlight ? record.trialUntil : null };
}

/**
 * Whether an attempt may go to this deployment now. In half-open the first caller takes the
 * trial slot (a lease of `leaseMs`, so a trial that never reports back cannot block it forever).
 */
export function admit(record: HealthRecord, now: number, leaseMs: number): boolean {
  const view = viewCircuit(record, now);
  if (view.state === 'closed') return true;
  if (view.state === 'open' || view.trialInFlight) return false;
  record.trialUntil = now + leaseMs;
  return true;
}

export function recordSuccess(record: HealthRecord, now: number): void {
  if (record.circuit !== 'closed') record.closedAt = now;
  record.consecutiveFailures = 0;
  record.circuit = 'closed';
  record.openedAt = null;
  record.retryAt = null;
  record.trialUntil = null;
}

/**
 * Counts a failure; returns true when it opened (or re-opened) the circuit. `fast`: the attempt
 * failed faster than the deployment usually answers, so a failed trial does not lengthen the
 * cooldown.
 */
export function recordFailure(record: HealthRecord, now: number, options: CircuitOptions, fast = false): boolean {
  record.consecutiveFailures += 1;
  const view = viewCircuit(record, now);
  // A failure of a request that started before the circuit opened does not extend the cooldown.
  if (view.state === 'open') return false;
  if (view.state === 'closed' && record.consecutiveFailures < options.failureThreshold) return false;
  const level =
    view.state === 'closed' ? levelAt(record, now, options) + 1 : Math.max(1, (record.cooldownLevel ?? 0) + (fast ? 0 : 1));
  record.cooldownLevel = level;
  record.closedAt = null;
  record.circuit = 'open';
  record.openedAt = now;
  record.retryAt = now + cooldownFor(level, options);
  record.trialUntil = null;
  record.timesOpened += 1;
  return true;
}

/** An admitted attempt ended with no verdict on the deployment (the caller aborted): free the trial slot. */
export function releaseTrial(record: HealthRecord): void {
  record.trialUntil = null;
}

/** Why an open circuit keeps a candidate out, in words for `explain()` and errors; undefined when it does not. */
export function describeCircuit(view: CircuitView, now: number): string | undefined {
  if (view.state === 'open') {
    const last = view.lastError ? ` (last: ${view.lastError.code}${view.lastError.status ? ` ${view.lastError.status}` : ''})` : '';
    return (
      `circuit open after ${view.consecutiveFailures} consecutive failures${last}; ` +
      `retry after ${new Date(view.retryAt).toISOString()}, in ${Math.ceil((view.retryAt - now) / 1000)} s`
    );
  }
  if (view.state === 'half-open' && view.trialInFlight) {
    return `circuit half-open: a trial request is in flight; others wait for its outcome (at the latest until ${new Date(view.trialUntil!).toISOString()})`;
  }
  return undefined;
}
