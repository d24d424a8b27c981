import { AbortedError, RouterError } from '../errors.js';
import {
  abortError,
  errorFromBodyFailure,
  errorFromFetchFailure,
  errorFromStatus,
  errorFromStreamEvent,
} from './upstream-error.js';
import { redactCause, redactCredentialShapes, type Redactor } from './redact.js';

/*
 * The openai SDK's errors → RouterError, exactly as openaiCompatible maps the HTTP failures
 * behind them. Classes are recognised by shape and by class name, never with instanceof: the
 * client may come from any major (4–7), from its CJS or its ESM build (two sets of classes), and
 * sovroute never imports `openai` at runtime.
 *
 *   APIError with a numeric status (BadRequestError … InternalServerError) → errorFromStatus
 *   APIError without status but with `error` (an error event mid-stream)   → errorFromStreamEvent
 *   APIConnectionTimeoutError (the client's own `timeout`)                  → timeout, retryable
 *   APIConnectionError (fetch rejected)                                     → errorFromFetchFailure
 *   APIUserAbortError, or anything once the caller's signal aborted         → abortError
 *   SyntaxError (malformed JSON or SSE data), a body that broke mid-read    → upstream_error, retryable
 */

/** The fields an SDK `APIError` carries, in every major. */
interface SdkErrorShape {
  status?: unknown;
  /** The parsed `error` object of the body (v7: the whole body when it had no `error` key). */
  error?: unknown;
  /** v5+: `Headers`; v4: a plain record. */
  headers?: unknown;
  message?: unknown;
  cause?: unknown;
  /** v5+. */
  requestID?: unknown;
  /** v4. */
  request_id?: unknown;
}

/** Where the failure happened: sending the request and reading a JSON answer, or reading a stream. */
export type SdkFailureStage = 'request' | 'stream';

/** The RouterError for anything an SDK call or stream threw. Never throws. */
export function errorFromSdkFailure(
  providerId: string,
  error: unknown,
  signal: AbortSignal | undefined,
  stage: SdkFailureStage,
  requestId?: string,
  redact: Redactor = redactCredentialShapes,
): RouterError {
  // The caller's abort (or the router's deadline) wins over whatever the SDK made of it.
  if (signal?.aborted) return abortError(providerId, signal);
  if (RouterError.isInstance(error)) return error;
  if (typeof error !== 'object' || error === null) return errorFromBodyFailure(providerId, error, signal, requestId, redact);
  const shape = error as SdkErrorShape;
  const names = classNames(error);

  if (typeof shape.status === 'number') {
    const headers = toHeaders(shape.headers);
    return errorFromStatus(providerId, shape.status, bodyText(shape), headers, redact);
  }
  if (names.has('APIUserAbortError')) {
    return new AbortedError(`The request to ${providerId} was aborted before it completed.`, error);
  }
  if (names.has('APIConnectionTimeoutError')) {
    return new RouterError(
      `the request to ${providerId} timed out (the openai client's own timeout; raise its \`timeout\` option, or leave deadlines to the router's timeoutMs)`,
      { code: 'timeout', providerId, isRetryable: true, cause: redactCause(error, redact) },
    );
  }
  if (names.has('APIConnectionError')) return errorFromFetchFailure(providerId, shape.cause ?? error, signal, redact);
  if (names.has('APIError') || shape.error !== undefined) {
    return errorFromStreamEvent(providerId, { error: shape.error ?? shape.message }, requestIdOf(shape) ?? requestId, redact);
  }
  if (names.has('SyntaxError')) {
    const message =
      stage === 'stream'
        ? `malformed SSE event from ${providerId}: its data is not valid JSON`
        : `${providerId} returned malformed JSON`;
    return new RouterError(message, { code: 'upstream_error', providerId, isRetryable: true, requestID: requestId, cause: redactCause(error, redact) });
  }
  return errorFromBodyFailure(providerId, error, signal, requestId, redact);
}

/**
 * The error body as text for `errorFromStatus`: the SDK keeps the parsed `error` object, or for a
 * body that was not JSON only its message, `"<status> <text>"`.
 */
function bodyText(shape: SdkErrorShape): string {
  try {
    if (shape.error !== undefined && shape.error !== null) return JSON.stringify({ error: shape.error });
    const message = typeof shape.message === 'string' ? shape.message : '';
    const text = message.replace(/^\d{3} /, '');
    return text === 'status code (no body)' ? '' : text;
  } catch {
    return '';
  }
}

function toHeaders(value: unknown): Headers | undefined {
  if (value instanceof Headers) return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const headers = new Headers();
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry === 'string') headers.set(name, entry);
  }
  return headers;
}

function requestIdOf(shape: SdkErrorShape): string | undefined {
  if (typeof shape.requestID === 'string') return shape.requestID;
  return typeof shape.request_id === 'string' ? shape.request_id : undefined;
}

/** The constructor names along the prototype chain: `InternalServerError`, `APIError`, `OpenAIError`, `Error`. */
function classNames(value: object): Set<string> {
  const names = new Set<string>();
  for (let prototype = Object.getPrototypeOf(value); prototype !== null; prototype = Object.getPrototypeOf(prototype)) {
    const name: unknown = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string') names.add(name);
  }
  return names;
}
