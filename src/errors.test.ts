import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  AllProvidersFailedError,
  BudgetExceededError,
  InvalidApiKeyError,
  InvalidRequestError,
  ModelNotFoundError,
  NoEligibleProviderError,
  PolicyViolationError,
  RouterError,
  StoreUnavailableError,
} from './errors.js';
import { AuditError } from './audit/audit-error.js';
import * as library from './index.js';
import { circuitsOpen } from './router/routing-errors.js';

/*
 * Every error serialises to the OpenAI envelope and nothing else: clients written against the
 * OpenAI API read `error.message`, `type`, `code` and `param`, and what else an error carries
 * (routes, attempts, exclusions, the cause, the stack) must not leak into a response body.
 */

const excluded = [{ provider: 'us-ai', model: 'gpt-4o', reasons: ['operator US AI Inc is US-controlled'] }];
const attempts = [{ provider: 'eu-cloud', model: 'model-a', outcome: 'error' as const, status: 503, code: 'upstream_error', message: 'eu-cloud returned 503', latency_ms: 3 }];

const table: [string, RouterError, { status: number; type: string; code: string; param: string | null }][] = [
  ['InvalidRequestError', new InvalidRequestError('Invalid temperature: too big', 'temperature', new Error('zod')), { status: 400, type: 'invalid_request_error', code: 'invalid_request', param: 'temperature' }],
  ['ModelNotFoundError', new ModelNotFoundError('no configured provider serves model "x"'), { status: 404, type: 'invalid_request_error', code: 'model_not_found', param: 'model' }],
  ['InvalidApiKeyError', new InvalidApiKeyError(), { status: 401, type: 'authentication_error', code: 'invalid_api_key', param: null }],
  ['PolicyViolationError', new PolicyViolationError('policy eu-sovereign excludes us-ai', excluded), { status: 403, type: 'permission_error', code: 'policy_violation', param: 'model' }],
  ['NoEligibleProviderError', new NoEligibleProviderError('no provider is eligible', excluded), { status: 404, type: 'invalid_request_error', code: 'no_eligible_provider', param: 'model' }],
  [
    'NoEligibleProviderError (open circuits)',
    circuitsOpen({ requested: 'model-a', policy: 'eu-sovereign', earliestRetryAt: Date.now() + 30_000 }, excluded),
    { status: 503, type: 'server_error', code: 'no_eligible_provider', param: 'model' },
  ],
  ['AllProvidersFailedError', new AllProvidersFailedError('every eligible provider failed', attempts), { status: 502, type: 'server_error', code: 'all_providers_failed', param: null }],
  ['AbortedError', new AbortedError(undefined, new Error('user')), { status: 499, type: 'aborted_error', code: 'aborted', param: null }],
  ['AuditError', new AuditError('the audit sink failed', 'write_failed', new Error('disk full')), { status: 500, type: 'server_error', code: 'audit_failed', param: null }],
  ['RouterError (upstream)', new RouterError('eu-cloud returned 503', { code: 'upstream_error', providerId: 'eu-cloud', upstreamStatus: 503, isRetryable: true }), { status: 502, type: 'server_error', code: 'upstream_error', param: null }],
  ['RouterError (rate limited)', new RouterError('slow down', { code: 'rate_limited', headers: { 'retry-after': '1' } }), { status: 429, type: 'rate_limit_error', code: 'rate_limited', param: null }],
  ['BudgetExceededError', new BudgetExceededError('key "a" has 0 EUR left'), { status: 429, type: 'insufficient_quota', code: 'budget_exceeded', param: null }],
  ['StoreUnavailableError', new StoreUnavailableError('the store does not answer'), { status: 503, type: 'server_error', code: 'store_unavailable', param: null }],
  ['RouterError (timeout)', new RouterError('timed out', { code: 'timeout' }), { status: 504, type: 'timeout_error', code: 'timeout', param: null }],
];

describe.each(table)('%s', (_name, error, expected) => {
  it('serialises to exactly the OpenAI envelope, with its own status, type, code and param', () => {
    error.route = { requested: 'model-a', tier: 'pinned', policy: 'eu-sovereign', objective: 'balanced', fallback_used: false, attempts, audit_id: 'req_1' };
    const body = JSON.parse(JSON.stringify(error)) as unknown;
    // AllProvidersFailedError carries its attempts next to the envelope, which stays four fields.
    const extra = error instanceof AllProvidersFailedError ? { attempts: error.attempts } : {};
    expect(body).toEqual({ error: { message: error.message, type: expected.type, code: expected.code, param: expected.param }, ...extra });
    expect(Object.keys((body as { error: object }).error)).toEqual(['message', 'type', 'code', 'param']);
    expect(error.status).toBe(expected.status);
    expect(RouterError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(Error);
  });
});

describe('the table above', () => {
  it('covers every error class the library exports', () => {
    const exported = Object.entries(library)
      .filter(([, value]) => typeof value === 'function' && (value === RouterError || value.prototype instanceof RouterError))
      .map(([name]) => name);
    const covered = new Set(table.map(([, error]) => error.constructor.name));
    expect(exported.filter((name) => !covered.has(name))).toEqual([]);
  });
});
