import { RouterError } from '../../errors.js';
import type { Redactor } from '../redact.js';
import { errorFromStatus, readErrorBody } from '../upstream-error.js';

/**
 * The RouterError for a non-OK Messages API response. The shared mapping reads Anthropic's
 * envelope (`{type:'error', error:{type, message}}`): 400 → invalid_request, 413
 * `request_too_large` → invalid_request that another deployment may take, 429 → rate_limited
 * (retryable, `retry-after` kept), 500/504/529 `overloaded_error` → upstream_error, retryable;
 * 401/402/403/404 → upstream_error, not retryable. One exception: a 429 for a reached spend
 * limit (`error.details.error_code: enforced_spend_limit_reached`) will not lift by retrying.
 * Never rejects.
 */
export async function errorFromMessagesResponse(providerId: string, response: Response, redact?: Redactor): Promise<RouterError> {
  const text = await readErrorBody(response);
  const error = errorFromStatus(providerId, response.status, text, response.headers, redact);
  if (response.status !== 429 || !text.includes('enforced_spend_limit_reached')) return error;
  return new RouterError(`${error.message} (the organisation's spend limit is reached: raise it in the Anthropic console)`, {
    code: error.code,
    status: error.status,
    providerId,
    upstreamStatus: error.upstreamStatus,
    isRetryable: false,
    requestID: error.requestID,
  });
}
