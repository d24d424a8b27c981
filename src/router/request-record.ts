import { randomUUID } from 'node:crypto';
import type { AuditCandidate, AuditOutcome, AuditRecord } from '../audit/types.js';
import type { Candidate } from '../catalog/candidate.js';
import { RouterError, type Attempt, type RouterErrorCode } from '../errors.js';
import type { Route, Usage } from '../wire/chat-response.js';
import type { Plan } from './plan.js';
import type { RouterContext } from './router-context.js';

const outcomeByCode: Partial<Record<RouterErrorCode, AuditOutcome>> = {
  invalid_request: 'invalid',
  model_not_found: 'invalid',
  invalid_api_key: 'denied',
  policy_violation: 'denied',
  no_eligible_provider: 'denied',
  aborted: 'aborted',
};

/**
 * What is known about one request as it goes: fills `route` for the caller and becomes exactly
 * one audit record when the request ends, whichever way it ends.
 */
export class RequestRecord {
  readonly id = `req_${randomUUID().replaceAll('-', '')}`;
  /** When the request arrived; formatted only if an audit record is written. @unit epoch milliseconds */
  private readonly arrivedAt = Date.now();
  readonly attempts: Attempt[] = [];
  /** Backoff waits between attempts: neither upstream time nor router overhead. @unit milliseconds */
  waitedMs = 0;
  private readonly started = performance.now();
  /** When a stream was handed to the caller: its overhead is counted up to here. */
  private committedAt: number | undefined;
  private cost: number | undefined;
  private keyId: string | null = null;
  private simulated = false;
  private plan: Plan | undefined;
  private finished = false;

  constructor(
    private readonly context: RouterContext,
    readonly endpoint: AuditRecord['endpoint'],
    readonly stream: boolean,
    private readonly requested: string | null,
  ) {}

  identify(keyId: string | null, simulated: boolean): void {
    this.keyId = keyId;
    this.simulated = simulated;
  }

  planned(plan: Plan): void {
    this.plan = plan;
  }

  /** The `route` object for the caller, as of now. */
  route(chosen: Candidate | undefined): Route {
    const plan = this.plan!;
    const first = this.attempts[0];
    const route: Route = {
      requested: plan.requested,
      tier: plan.tier,
      policy: plan.policy,
      objective: plan.objective,
      fallback_used: first !== undefined && this.attempts.some((attempt) => attempt.provider !== first.provider || attempt.model !== first.model),
      attempts: this.attempts,
      audit_id: this.id,
      overhead_ms: this.overheadMs(),
    };
    const estimated = chosen && plan.ranked.find((entry) => entry.candidate === chosen)?.estCost;
    if (estimated !== undefined) route.estimated_cost = estimated;
    if (this.maxCostExceeded()) {
      route.max_cost = plan.maxCost!;
      route.max_cost_exceeded = true;
    }
    if (this.simulated && chosen) route.simulated_for = { provider: chosen.provider.id, model: chosen.model };
    return route;
  }

  /**
   * Router time outside upstream calls and backoff waits; for a stream, up to the moment it
   * was handed over (after that the time is the stream's and the caller's).
   */
  private overheadMs(): number {
    const upstream = this.attempts.reduce((sum, attempt) => sum + attempt.latency_ms, 0);
    const end = this.committedAt ?? performance.now();
    return Math.max(0, Math.round((end - this.started - upstream - this.waitedMs) * 1000) / 1000);
  }

  /** A stream's first chunk is in and goes to the caller. */
  committed(): void {
    this.committedAt = performance.now();
  }

  /** The actual cost went over `route.max_cost`: reported, not refused (the call is paid for). */
  private maxCostExceeded(): boolean {
    const limit = this.plan?.maxCost;
    return limit !== undefined && this.cost !== undefined && this.cost > limit;
  }

  succeed(chosen: Candidate, usage: Usage): void {
    this.cost = usage.cost;
    this.finish('success', chosen, usage, undefined);
  }

  /** Ends the record with an error; returns the error with the route attached when there is one. */
  fail(error: RouterError, chosen?: Candidate): RouterError {
    this.finish(outcomeByCode[error.code] ?? 'error', chosen, undefined, error);
    if (this.plan && error.route === undefined) error.route = this.route(chosen);
    return error;
  }

  private finish(outcome: AuditOutcome, chosen: Candidate | undefined, usage: Usage | undefined, error: RouterError | undefined) {
    if (this.finished) return;
    this.finished = true;
    if (!this.context.audit.enabled) return;
    const plan = this.plan;
    const candidates: AuditCandidate[] =
      plan?.candidates.map(({ provider, model, eligible, reasons }) => ({ provider, model, eligible, reasons })) ?? [];
    const estimated = chosen && plan?.ranked.find((entry) => entry.candidate === chosen)?.estCost;
    this.context.audit.append({
      id: this.id,
      ts: new Date(this.arrivedAt).toISOString(),
      key_id: this.keyId,
      requested_model: this.requested,
      tier: plan?.tier ?? null,
      policy: plan?.policy ?? null,
      objective: plan?.objective ?? null,
      outcome,
      ...(error ? { error_code: error.code, error_message: error.message } : {}),
      provider: chosen?.provider.id ?? null,
      model: chosen?.model ?? null,
      simulated: this.simulated,
      candidates,
      attempts: this.attempts,
      usage: usage
        ? {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage.total_tokens,
            ...(usage.estimated ? { estimated: true as const } : {}),
          }
        : null,
      estimated_cost: estimated ?? null,
      cost: usage?.cost ?? null,
      ...(this.maxCostExceeded() ? { max_cost: plan!.maxCost!, max_cost_exceeded: true } : {}),
      currency: this.context.currency,
      stream: this.stream,
      endpoint: this.endpoint,
      duration_ms: Math.round((performance.now() - this.started) * 1000) / 1000,
      overhead_ms: this.overheadMs(),
    });
  }
}

/** Any thrown value as a RouterError, so every failure is recorded and serialisable. */
export function asRouterError(error: unknown): RouterError {
  if (RouterError.isInstance(error)) return error;
  return new RouterError(`internal error: ${error instanceof Error ? error.message : String(error)}`, {
    code: 'upstream_error',
    status: 500,
    cause: error,
  });
}
