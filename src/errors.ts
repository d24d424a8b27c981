/**
 * Every error sovroute raises is a {@link RouterError}. Each one carries the fields of an
 * OpenAI API error (`status`, `code`, `type`, `param`) and serialises with `toJSON()` to the
 * OpenAI envelope, so the same object can be thrown in-process or written over HTTP, where the
 * official SDK turns it into its own matching error class.
 */

import type { Route } from './wire/chat-response.js';

/** The stable error codes of the public contract. */
export type RouterErrorCode =
  | 'invalid_request'
  | 'invalid_api_key'
  | 'policy_violation'
  | 'no_eligible_provider'
  | 'model_not_found'
  | 'rate_limited'
  | 'budget_exceeded'
  | 'store_unavailable'
  | 'all_providers_failed'
  | 'upstream_error'
  | 'timeout'
  | 'aborted'
  | 'audit_failed';

/** The OpenAI error envelope, as written on the wire. */
export interface ErrorEnvelope {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** A candidate the router did not use, and why. Carried by routing errors. */
export interface Exclusion {
  provider: string;
  model: string;
  reasons: string[];
}

/** One try against one provider deployment. Carried by `route.attempts` and routing errors. */
export interface Attempt {
  provider: string;
  model: string;
  outcome: 'ok' | 'error';
  /**
   * The upstream's own HTTP status when it answered with one (503, 429…); otherwise the router's
   * status for the failure (504 for a timeout, 502 for a reset connection). Absent on success.
   */
  status?: number;
  code?: string;
  /** What went wrong, in words; absent on success. */
  message?: string;
  latency_ms: number;
}

const brand = Symbol.for('sovroute.error');

const defaultType: Record<RouterErrorCode, string> = {
  invalid_request: 'invalid_request_error',
  invalid_api_key: 'authentication_error',
  policy_violation: 'permission_error',
  no_eligible_provider: 'invalid_request_error',
  model_not_found: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  budget_exceeded: 'insufficient_quota',
  store_unavailable: 'server_error',
  all_providers_failed: 'server_error',
  upstream_error: 'server_error',
  timeout: 'timeout_error',
  aborted: 'aborted_error',
  audit_failed: 'server_error',
};

const defaultStatus: Record<RouterErrorCode, number> = {
  invalid_request: 400,
  invalid_api_key: 401,
  policy_violation: 403,
  no_eligible_provider: 404,
  model_not_found: 404,
  rate_limited: 429,
  budget_exceeded: 429,
  store_unavailable: 503,
  all_providers_failed: 502,
  upstream_error: 502,
  timeout: 504,
  // 499 is the conventional "client closed request"; an aborted call never reaches a client.
  aborted: 499,
  audit_failed: 500,
};

export interface RouterErrorOptions {
  code: RouterErrorCode;
  /** HTTP status; defaults by code. */
  status?: number | undefined;
  /** OpenAI error type; defaults by code. */
  type?: string | undefined;
  /** The request field at fault, e.g. `messages[0].role`. */
  param?: string | null | undefined;
  /** The provider whose answer caused this error, if any. */
  providerId?: string | undefined;
  /** The HTTP status the provider answered with, when this error comes from one (a 503 maps to our 502). */
  upstreamStatus?: number | undefined;
  /** Whether trying again (same or next candidate) may succeed. */
  isRetryable?: boolean | undefined;
  /** Response headers worth passing on (e.g. `retry-after`). */
  headers?: Record<string, string> | undefined;
  requestID?: string | undefined;
  cause?: unknown;
}

/**
 * The base of every sovroute error. Check with `RouterError.isInstance(error)` rather than
 * `instanceof` when the library may be bundled twice (ESM and CJS copies).
 */
export class RouterError extends Error {
  readonly [brand] = true;
  override name = 'RouterError';
  readonly code: RouterErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly providerId: string | undefined;
  /** The HTTP status the provider answered with, when this error comes from one; `status` is ours. */
  readonly upstreamStatus: number | undefined;
  readonly isRetryable: boolean;
  readonly headers: Record<string, string>;
  readonly requestID: string | undefined;
  /** How the router got here, when routing had started: policy, candidates tried, attempts. */
  route: Route | undefined;
  /** The id of the audit record of the request this error ended (also sent as `x-request-id`). */
  auditId: string | undefined;

  constructor(message: string, options: RouterErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.status = options.status ?? defaultStatus[options.code];
    this.type = options.type ?? defaultType[options.code];
    this.param = options.param ?? null;
    this.providerId = options.providerId;
    this.upstreamStatus = options.upstreamStatus;
    this.isRetryable = options.isRetryable ?? false;
    this.headers = options.headers ?? {};
    this.requestID = options.requestID;
    this.route = undefined;
    this.auditId = undefined;
  }

  static isInstance(value: unknown): value is RouterError {
    return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
  }

  /** The OpenAI error envelope for this error. */
  toJSON(): ErrorEnvelope {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

/**
 * The key's budget for the period cannot cover the request's estimated cost. Nothing was sent.
 * When what was spent leaves room for it and only requests in flight hold the rest, it may fit
 * once they end (`x-should-retry: true`: they settle at their actual cost, usually less than
 * they held); otherwise retrying before the period resets will not help (`x-should-retry: false`).
 */
export class BudgetExceededError extends RouterError {
  override name = 'BudgetExceededError';
  constructor(message: string, options: { heldInFlight?: boolean } = {}) {
    super(message, { code: 'budget_exceeded', headers: { 'x-should-retry': options.heldInFlight === true ? 'true' : 'false' } });
  }
}

/** The shared store that keeps budgets does not answer, and the store is set to refuse then (`onUnavailable: 'deny'`). */
export class StoreUnavailableError extends RouterError {
  override name = 'StoreUnavailableError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'store_unavailable', isRetryable: true, cause });
  }
}

/** A request that is malformed or asks for something impossible. Never sent upstream. */
export class InvalidRequestError extends RouterError {
  override name = 'InvalidRequestError';
  constructor(message: string, param: string | null = null, cause?: unknown) {
    super(message, { code: 'invalid_request', param, cause });
  }
}

/** The model string names nothing this router knows. */
export class ModelNotFoundError extends RouterError {
  override name = 'ModelNotFoundError';
  constructor(message: string) {
    super(message, { code: 'model_not_found', param: 'model' });
  }
}

/** The API key is unknown to a router configured with `keys`. */
export class InvalidApiKeyError extends RouterError {
  override name = 'InvalidApiKeyError';
  constructor(message = 'Invalid API key: it is not one of the keys this router was configured with.') {
    super(message, { code: 'invalid_api_key' });
  }
}

/** A tier-1 request named a provider that the effective policy excludes. */
export class PolicyViolationError extends RouterError {
  override name = 'PolicyViolationError';
  readonly excluded: Exclusion[];
  constructor(message: string, excluded: Exclusion[]) {
    super(message, { code: 'policy_violation', param: 'model' });
    this.excluded = excluded;
  }
}

/** No candidate survived the policy, capability and health (circuit) filters. Nothing was sent. */
export class NoEligibleProviderError extends RouterError {
  override name = 'NoEligibleProviderError';
  readonly excluded: Exclusion[];
  /**
   * Whether the jurisdiction policy excluded every candidate (a denial). False when the request
   * did not fit (capabilities, context, `route` filters) or open circuits stood in the way.
   */
  readonly deniedByPolicy: boolean;
  /** `options` carries a 503 (a `server_error`) with `retry-after` when only open circuits stand in the way. */
  constructor(
    message: string,
    excluded: Exclusion[],
    options: Pick<RouterErrorOptions, 'status' | 'type' | 'headers' | 'isRetryable'> & { deniedByPolicy?: boolean } = {},
  ) {
    const { deniedByPolicy = false, ...rest } = options;
    super(message, { ...rest, code: 'no_eligible_provider', param: 'model' });
    this.excluded = excluded;
    this.deniedByPolicy = deniedByPolicy;
  }
}

/** Every attempt on every eligible candidate failed. */
export class AllProvidersFailedError extends RouterError {
  override name = 'AllProvidersFailedError';
  readonly attempts: Attempt[];
  constructor(message: string, attempts: Attempt[], options: Partial<RouterErrorOptions> = {}) {
    super(message, { ...options, code: options.code ?? 'all_providers_failed' });
    this.attempts = attempts;
  }

  /** The OpenAI envelope, its four fields untouched, with every attempt next to it. */
  override toJSON(): ErrorEnvelope & { attempts: Attempt[] } {
    return { ...super.toJSON(), attempts: this.attempts };
  }
}

/** The caller's signal aborted the call. */
export class AbortedError extends RouterError {
  override name = 'AbortedError';
  constructor(message = 'The request was aborted by the caller.', cause?: unknown) {
    super(message, { code: 'aborted', cause });
  }
}

/** Lists exclusions as one readable line each, for error messages. */
export function describeExclusions(excluded: readonly Exclusion[]): string {
  return excluded.map((entry) => `${entry.provider}/${entry.model}: ${entry.reasons.join('; ')}`).join('\n');
}
