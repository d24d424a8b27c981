import { auditContent } from '../audit/audit-content.js';
import { nextRequestId } from '../internal/ids.js';
import type { AuditCandidate, AuditCompletion, AuditContent, AuditContentMode, AuditOutcome, AuditRecordBody } from '../audit/types.js';
import type { BudgetCeiling, KeySettlement } from '../budgets/key-admission.js';
import type { Candidate } from '../catalog/candidate.js';
import { NoEligibleProviderError, RouterError, type Attempt, type RouterErrorCode } from '../errors.js';
import type { Route, Usage } from '../wire/chat-response.js';
import { cachedTokens, cacheWriteTokens } from '../pricing/cost.js';
import { auditCandidates } from './audit-candidates.js';
import type { Plan } from './plan.js';
import { hashedKeyId, type Caller, type RouterContext } from './router-context.js';
import type { RequestObservation, RequestParameters, ResponseDetails } from './request-observer.js';
import type { IncomingTraceContext } from './trace-context.js';

const outcomeByCode: Partial<Record<RouterErrorCode, AuditOutcome>> = {
  invalid_request: 'invalid',
  model_not_found: 'invalid',
  invalid_api_key: 'denied',
  policy_violation: 'denied',
  aborted: 'aborted',
};

/**
 * `denied` is the policy's (or the key check's) word only: no eligible provider because of open
 * circuits (or of the server's set-up: configuration, a failing strategy) is an `error`, and
 * because the request did not fit, an `invalid` request.
 */
function outcomeOf(error: RouterError): AuditOutcome {
  if (error instanceof NoEligibleProviderError) return error.deniedByPolicy ? 'denied' : error.status >= 500 ? 'error' : 'invalid';
  return outcomeByCode[error.code] ?? 'error';
}

/** Whether a candidate other than the first one tried was used. */
function usedFallback(attempts: readonly Attempt[]): boolean {
  const first = attempts[0];
  return first !== undefined && attempts.some((attempt) => attempt.provider !== first.provider || attempt.model !== first.model);
}

/**
 * What is known about one request as it goes: fills `route` for the caller and becomes exactly
 * one audit record when the request ends, whichever way it ends.
 */
export class RequestRecord {
  readonly id = nextRequestId();
  /** When the request arrived; formatted only if an audit record is written. @unit epoch milliseconds */
  private readonly arrivedAt = Date.now();
  readonly attempts: Attempt[] = [];
  /** Backoff waits between attempts: neither upstream time nor router overhead. @unit milliseconds */
  waitedMs = 0;
  private readonly started = performance.now();
  /** When a stream was handed to the caller: its overhead is counted up to here. */
  private committedAt: number | undefined;
  private cost: number | undefined;
  /**
   * The usage with cost the request ended with, as its audit record counts it (a stream cut or
   * aborted part-way included); undefined until it ended, or when it ended before any call.
   */
  usage: Usage | undefined;
  private keyId: string | null = null;
  private simulated = false;
  private plan: Plan | undefined;
  private prompt: readonly unknown[] | undefined;
  private finished = false;
  /** Settles what the request holds against its key (budget reservation, tpm charge) with what it actually used. */
  settle: KeySettlement | undefined;
  /** What the key's budget reserved for this request: execution skips a fallback that would cost more. */
  budgetCeiling: BudgetCeiling | undefined;
  /** What listeners (telemetry, the decision log) follow of this request. */
  readonly observation: RequestObservation | undefined;
  /** Set when the audit queue was full (`audit.onFull: 'wait'`): resolves once the record is in. */
  private queued: Promise<void> | undefined;

  constructor(
    private readonly context: RouterContext,
    readonly endpoint: AuditRecordBody['endpoint'],
    readonly stream: boolean,
    private readonly requested: string | null,
    trace?: IncomingTraceContext,
  ) {
    // Refused once the router is closing: its trail could no longer record this request.
    context.requests.started();
    this.observation = context.observer?.request({ id: this.id, endpoint, stream, requested, trace });
  }

  identify(keyId: string | null, simulated: boolean): void {
    this.keyId = keyId;
    this.simulated = simulated;
  }

  planned(plan: Plan): void {
    this.plan = plan;
  }

  /** The request's messages (or embedding inputs), kept only when `audit.content` or an observer asks for them. */
  captured(prompt: readonly unknown[]): void {
    if (this.context.audit.content !== 'none' || this.context.observer?.wantsContent) this.prompt = prompt;
  }

  /** The body is valid: its generation parameters, for listeners. */
  validated(parameters: RequestParameters): void {
    this.observation?.validated(parameters);
  }

  /**
   * `value`, once the audit trail has taken this request's record: at once, unless the audit
   * queue is full (`audit.onFull: 'wait'`), when the request completes only after its record is in.
   */
  onceQueued<T>(value: T): T | Promise<T> {
    return this.queued ? this.queued.then(() => value) : value;
  }

  /** Whether the record is written: later outcomes are ignored. */
  get done(): boolean {
    return this.finished;
  }

  /** The `route` object for the caller, as of now. */
  route(chosen: Candidate | undefined): Route {
    const plan = this.plan!;
    const route: Route = {
      requested: plan.requested,
      tier: plan.tier,
      policy: plan.policy,
      objective: plan.objective,
      fallback_used: usedFallback(this.attempts),
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
    if (plan.exploration?.taken) route.explored = true;
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

  /** A stream's first chunk of substance is in: its chunks go to the caller. */
  committed(): void {
    this.committedAt = performance.now();
    this.observation?.firstChunk();
  }

  /** The actual cost went over `route.max_cost`: reported, not refused (the call is paid for). */
  private maxCostExceeded(): boolean {
    const limit = this.plan?.maxCost;
    return limit !== undefined && this.cost !== undefined && this.cost > limit;
  }

  succeed(chosen: Candidate, usage: Usage, completion?: () => AuditCompletion[], response?: ResponseDetails): void {
    this.cost = usage.cost;
    // Answer lengths teach the cost estimate; estimated usage and simulated answers do not.
    const choices = this.plan?.completionChoices;
    if (choices !== undefined && !this.simulated && !usage.estimated) this.context.health.completed(chosen.key, usage.completion_tokens / choices);
    this.finish('success', chosen, usage, undefined, completion, response);
  }

  /**
   * Ends the record with an error; returns the error with the record id (and the route, when
   * routing had started) attached. A stream cut or aborted part-way passes the usage it had.
   */
  fail(error: RouterError, chosen?: Candidate, usage?: Usage, completion?: () => AuditCompletion[]): RouterError {
    this.finish(outcomeOf(error), chosen, usage, error, completion);
    error.auditId ??= this.id;
    if (this.plan && error.route === undefined) error.route = this.route(chosen);
    return error;
  }

  private finish(
    outcome: AuditOutcome,
    chosen: Candidate | undefined,
    usage: Usage | undefined,
    error: RouterError | undefined,
    completion: (() => AuditCompletion[]) | undefined,
    response?: ResponseDetails,
  ) {
    if (this.finished) return;
    this.finished = true;
    // The record is appended below, in this same turn: close() resumes only after it is queued.
    this.context.requests.ended();
    this.usage = usage;
    this.settle?.(usage);
    const audit = this.context.audit;
    const observation = this.observation;
    if (!audit.enabled && observation === undefined) return;
    const plan = this.plan;
    // Copies: attempts and candidates live on in the caller's route and must not change the record.
    const audited = auditCandidates(plan, this.context.options.audit.candidates);
    const candidates: AuditCandidate[] = audited.candidates;
    const excluded = audited.excluded;
    const estimated = chosen && plan?.ranked.find((entry) => entry.candidate === chosen)?.estCost;
    const answers = completion?.();
    const content = audit.content === 'none' ? undefined : writableContent(audit.content, this.prompt, answers);
    const body: AuditRecordBody = {
      id: this.id,
      ts: new Date(this.arrivedAt).toISOString(),
      key_id: this.keyId,
      requested_model: this.requested,
      tier: plan?.tier ?? null,
      policy: plan?.policy ?? null,
      policy_hash: plan ? this.context.policyHash(plan.policies) : null,
      objective: plan?.objective ?? null,
      outcome,
      ...(error ? { error_code: error.code, error_message: error.message } : {}),
      provider: chosen?.provider.id ?? null,
      model: chosen?.model ?? null,
      simulated: this.simulated,
      candidates,
      ...(excluded ? { excluded } : {}),
      attempts: this.attempts.map((attempt) => ({ ...attempt })),
      fallback_used: usedFallback(this.attempts),
      ...(plan?.exploration?.taken ? { explored: true as const } : {}),
      usage: usage ? auditUsage(usage) : null,
      estimated_cost: estimated ?? null,
      cost: usage && !usage.price_unknown ? usage.cost : null,
      ...(this.maxCostExceeded() ? { max_cost: plan!.maxCost!, max_cost_exceeded: true } : {}),
      currency: this.context.currency,
      stream: this.stream,
      endpoint: this.endpoint,
      duration_ms: Math.round((performance.now() - this.started) * 1000) / 1000,
      overhead_ms: this.overheadMs(),
      ...(content ? { content } : {}),
    };
    if (audit.enabled) this.queued = audit.append(body);
    if (observation) {
      try {
        observation.end({ record: body, error, chosen, response, prompt: this.prompt, completion: answers, policyExcluded: plan?.policyExcluded });
      } catch {
        // A listener never changes how a request ends.
      }
    }
  }
}

/**
 * The record's content, or none when what an in-process caller sent holds a value JSON cannot
 * write (a BigInt): the request still ends with its error and its one record.
 */
function writableContent(mode: Exclude<AuditContentMode, 'none'>, prompt: readonly unknown[] | undefined, answers: AuditCompletion[] | undefined): AuditContent | undefined {
  try {
    return auditContent(mode, prompt, answers);
  } catch {
    return undefined;
  }
}

/**
 * Resolves the caller from the key and notes it on the record; a refused key is noted by its
 * hash prefix, so the record of a refused request still says which key was tried.
 */
export function identifyCaller(context: RouterContext, apiKey: string | undefined, record: RequestRecord | undefined): Caller {
  try {
    const caller = context.caller(apiKey);
    record?.identify(caller.keyId, caller.simulated);
    return caller;
  } catch (error) {
    record?.identify(apiKey ? hashedKeyId(apiKey) : null, false);
    throw error;
  }
}

/** The one record of a request refused before its body could be read (e.g. not JSON). */
export function rejectUnread(
  context: RouterContext,
  endpoint: AuditRecordBody['endpoint'],
  apiKey: string | undefined,
  error: unknown,
  trace?: IncomingTraceContext,
): RouterError {
  let record: RequestRecord;
  try {
    record = new RequestRecord(context, endpoint, false, null, trace);
  } catch (closed) {
    // The router is closed: nothing can be recorded, and that is the error to report.
    return asRouterError(closed);
  }
  try {
    identifyCaller(context, apiKey, record);
  } catch {
    // The body error is the one reported; the record still names the key that was tried.
  }
  return record.fail(asRouterError(error));
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

/** The record's usage: the counts, and the prompt-cache counts that were priced apart when there are any. */
function auditUsage(usage: Usage): NonNullable<AuditRecordBody['usage']> {
  const cached = cachedTokens(usage.prompt_tokens, usage.prompt_tokens_details);
  const written = cacheWriteTokens(usage.prompt_tokens, usage.prompt_tokens_details);
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
    ...(cached > 0 ? { cached_tokens: cached } : {}),
    ...(written > 0 ? { cache_write_tokens: written } : {}),
    ...(usage.estimated ? { estimated: true as const } : {}),
  };
}
