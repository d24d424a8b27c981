import { RouterError } from '../../errors.js';
import { classifyStatus, describeBody, errorFromStatus, retryHeaders } from '../upstream-error.js';
import { redactCause } from '../redact.js';

/*
 * Bedrock's errors → RouterError. The error's name comes in the `x-amzn-errortype` header (or
 * the body's `__type` / `code`), possibly with a `:http://…` suffix or a `namespace#` prefix; the
 * body is `{"message": "…"}`. The HTTP status decides most of it (429 rate_limited and 5xx
 * retryable, 400 the request's fault); these names refine it:
 */

interface Rule {
  /** Whether asking again may succeed. */
  isRetryable: boolean;
  /** Said after the upstream's message: what to do about it. */
  advice?: string;
}

const rules: Record<string, Rule> = {
  ThrottlingException: { isRetryable: true },
  ModelNotReadyException: { isRetryable: true, advice: 'the model is being loaded; retried' },
  ServiceUnavailableException: { isRetryable: true },
  InternalServerException: { isRetryable: true },
  ModelStreamErrorException: { isRetryable: true },
  ModelErrorException: { isRetryable: true },
  ModelTimeoutException: { isRetryable: true },
  // Quotas and access do not change by asking again: fall back to another deployment.
  ServiceQuotaExceededException: { isRetryable: false, advice: 'a Bedrock quota of this account is exhausted' },
  AccessDeniedException: { isRetryable: false, advice: 'check the IAM permissions (bedrock:InvokeModel*) and that the model is enabled in this region' },
  UnrecognizedClientException: { isRetryable: false, advice: 'check the AWS credentials' },
  InvalidSignatureException: { isRetryable: false, advice: "check the AWS secret key and the machine's clock" },
  ExpiredTokenException: { isRetryable: false, advice: 'the AWS session token has expired; refresh the credentials' },
  ResourceNotFoundException: { isRetryable: false, advice: 'the model id is unknown in this region, or not enabled for this account' },
};

/** `ValidationException` from `ValidationException:http://internal.amazon.com/coral/...` or `aws#ValidationException`. */
export function errorName(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const name = value.split(',')[0]!.split(':')[0]!;
  return name.slice(name.lastIndexOf('#') + 1).trim() || undefined;
}

/** A ValidationException that says the deployment, not the request, is wrong for this model. */
const deploymentMismatch = /on-demand throughput isn.t supported|inference profile|model identifier is invalid|not authorized to invoke|doesn't support/i;

/** The RouterError for a Bedrock error status, body and headers. Never throws. */
export function errorFromBedrock(providerId: string, status: number, bodyText: string, headers: Headers): RouterError {
  try {
    let name = errorName(headers.get('x-amzn-errortype'));
    if (name === undefined) {
      try {
        const body = JSON.parse(bodyText) as Record<string, unknown>;
        name = errorName(typeof body.__type === 'string' ? body.__type : typeof body.code === 'string' ? body.code : undefined);
      } catch {
        // Not JSON: the status decides.
      }
    }
    const requestID = headers.get('x-amzn-requestid') ?? undefined;
    const message = describeBody(bodyText).message;
    if (name === 'ValidationException' && deploymentMismatch.test(message)) {
      // Another deployment (an `eu.` profile, another region) may serve the model: not the caller's fault.
      return new RouterError(`${providerId} returned ${status} ${name}: ${message} (use an inference profile id such as eu.… in models)`, {
        code: 'upstream_error',
        providerId,
        upstreamStatus: status,
        isRetryable: false,
        requestID,
      });
    }
    const rule = name === undefined ? undefined : rules[name];
    if (rule === undefined) {
      // The shared mapping keeps its context-length detection for a too-long prompt.
      const error = errorFromStatus(providerId, status, bodyText, headers);
      // Relabelling would lose that mark, so a request error is returned as it is.
      return name === undefined || error.code === 'invalid_request' ? error : relabel(error, `${providerId} returned ${status} ${name}: ${message}`, requestID);
    }
    const classification = classifyStatus(status);
    const text = `${providerId} returned ${status} ${name}: ${message}${rule.advice === undefined ? '' : ` (${rule.advice})`}`;
    return new RouterError(text, {
      code: classification.code === 'invalid_request' ? 'upstream_error' : classification.code,
      status: classification.code === 'invalid_request' ? 502 : classification.status,
      providerId,
      upstreamStatus: status,
      isRetryable: rule.isRetryable,
      // The router's backoff and the caller's client read the upstream's Retry-After.
      headers: retryHeaders(headers),
      requestID,
    });
  } catch (error) {
    return new RouterError(`${providerId} returned ${status}`, { code: 'upstream_error', providerId, isRetryable: status >= 500 || status === 429, cause: redactCause(error) });
  }
}

/** The RouterError for an exception frame inside a ConverseStream (`:exception-type: throttlingException`). */
export function errorFromStreamException(providerId: string, exceptionType: string, payload: string, requestID: string | undefined): RouterError {
  const name = exceptionType.charAt(0).toUpperCase() + exceptionType.slice(1);
  const rule = rules[name];
  const message = describeBody(payload).message;
  const throttled = name === 'ThrottlingException' || name === 'ServiceQuotaExceededException';
  return new RouterError(`${providerId} sent ${name} mid-stream: ${message}`, {
    code: throttled ? 'rate_limited' : name === 'ValidationException' ? 'invalid_request' : 'upstream_error',
    providerId,
    isRetryable: rule?.isRetryable ?? name !== 'ValidationException',
    requestID,
  });
}

function relabel(error: RouterError, message: string, requestID: string | undefined): RouterError {
  return new RouterError(message, {
    code: error.code,
    status: error.status,
    providerId: error.providerId,
    upstreamStatus: error.upstreamStatus,
    isRetryable: error.isRetryable,
    headers: error.headers,
    requestID: requestID ?? error.requestID,
  });
}
