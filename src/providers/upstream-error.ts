import { AbortedError, InvalidRequestError, RouterError } from '../errors.js';
import type { RouterErrorCode } from '../errors.js';
import type { HeaderLookup, UpstreamResponse } from '../transport/types.js';
import { readResponseText } from './read-body-text.js';
import { redactCause, redactCredentialShapes, type Redactor } from './redact.js';

/*
 * Upstream failures → RouterError. Every message names the provider and, for HTTP failures, the
 * upstream status. Building an error never throws: a body that cannot be read or parsed only
 * makes the message vaguer.
 *
 * `isRetryable` means "this provider may answer if asked again"; a non-retryable upstream_error
 * (401, 404…) is still the provider's fault, not the caller's, so a router may fall back to
 * another candidate. Only `invalid_request` blames the request itself.
 *
 * Every text read from an upstream (a body, an error event, a connection failure's words) goes
 * through the adapter's `redact` before it is quoted: an upstream may echo the key it was sent.
 * Without one, only credential-shaped tokens (`Bearer …`, `sk-…`) are redacted.
 */

/** Longest error body read from an upstream: enough for any error message, bounded against a flood. @unit bytes */
const maxErrorBodyBytes = 64 * 1024;

/** What an upstream error body says, whatever its shape. */
export interface UpstreamErrorDetails {
  message: string;
  type: string | undefined;
  code: string | undefined;
  param: string | undefined;
  /** An HTTP status carried inside the body (some stream error events have one). */
  status: number | undefined;
}

interface Classification {
  code: RouterErrorCode;
  status: number;
  isRetryable: boolean;
}

/** Longest upstream text quoted in a message: enough to read, short enough for a log line. */
const maxQuoted = 500;

/** Maps an upstream HTTP status to the router's code, status and retryability. */
export function classifyStatus(status: number): Classification {
  // 413: too large for this deployment, which another may take (see exceedsDeploymentLimit).
  if (status === 400 || status === 413 || status === 422) return { code: 'invalid_request', status, isRetryable: false };
  if (status === 408) return { code: 'timeout', status: 504, isRetryable: true };
  if (status === 409) return { code: 'upstream_error', status: 502, isRetryable: true };
  if (status === 429) return { code: 'rate_limited', status: 429, isRetryable: true };
  if (status >= 500) return { code: 'upstream_error', status: 502, isRetryable: true };
  // 401/403 (our credentials), 404 (model unknown upstream), other 4xx: asking again won't help.
  // Still the deployment's fault, not the caller's: the router falls back.
  return { code: 'upstream_error', status: 502, isRetryable: false };
}

/** The upstream's request id: OpenAI-style `x-request-id`, or Anthropic's `request-id`, when it is {@link plausibleRequestId plausible}. */
export function requestIdOf(headers: HeaderLookup, redact: Redactor = redactCredentialShapes): string | undefined {
  return plausibleRequestId(headers.get('x-request-id') ?? headers.get('request-id') ?? undefined, redact);
}

/** Longest request id kept: real ones (`req_…`, UUIDs, AWS ids) are far shorter. @unit characters */
const maxRequestIdLength = 128;

/** A request id's characters: letters, digits and the punctuation ids use, no spaces. */
const requestIdPattern = /^[A-Za-z0-9._:/+=@-]+$/;

/**
 * `value` when it looks like a request id, else `undefined`: an upstream (or a proxy in front of
 * it) may put anything in the header, such as the credentials it was sent. An id kept reaches
 * `error.requestID`, and through it the caller's logs, so a value the redactor would change, too
 * long, or with other characters is dropped rather than quoted.
 */
export function plausibleRequestId(value: string | undefined, redact: Redactor = redactCredentialShapes): string | undefined {
  if (value === undefined || value.length > maxRequestIdLength || !requestIdPattern.test(value)) return undefined;
  return redact(value) === value && redactCredentialShapes(value) === value ? value : undefined;
}

/**
 * The RouterError for a non-OK upstream response. Reads the body (OpenAI envelope, Anthropic
 * envelope, `{message}`, `{detail}` or plain text). Never rejects.
 */
export async function errorFromResponse(providerId: string, response: Response | UpstreamResponse, redact: Redactor = redactCredentialShapes): Promise<RouterError> {
  return errorFromStatus(providerId, response.status, await readErrorBody(response), response.headers, redact);
}

/** An error response's body as text, its first 64 KiB at most (the rest is abandoned). Never rejects. */
export async function readErrorBody(response: Response | UpstreamResponse): Promise<string> {
  try {
    return (await readResponseText(response, maxErrorBodyBytes)).text;
  } catch {
    // An unreadable body only costs us the upstream's message.
    return '';
  }
}

/**
 * The RouterError for an upstream HTTP status and its raw body text. Never throws.
 * @param credentialAdvice what to check when the upstream refuses the credentials (401, 403).
 * @default credentialAdvice `check the apiKey configured for provider {providerId}`
 */
export function errorFromStatus(
  providerId: string,
  status: number,
  bodyText: string,
  headers?: HeaderLookup,
  redact: Redactor = redactCredentialShapes,
  credentialAdvice = `check the apiKey configured for provider ${providerId}`,
): RouterError {
  try {
    // Redacted before parsing (a key the clip would cut in two is still whole) and after (a key
    // the body escaped as JSON is whole once parsed).
    const details = redactDetails(describeBody(redact(bodyText)), redact);
    const classification = classifyStatus(status);
    // Google names the quota a 429 hit (`google.rpc.QuotaFailure`); a per-day one lifts hours later.
    const dailyQuota = status === 429 && /"quotaId"\s*:\s*"[^"]*PerDay/.test(bodyText);
    const quoted = dailyQuota ? `${quote(details)} (a per-day quota is exhausted: it lifts when the day's quota resets, or raise it in Google Cloud)` : quote(details);
    const message = statusMessage(providerId, status, quoted, credentialAdvice);
    // A 429 for an exhausted quota (OpenAI's `insufficient_quota`) lifts with billing, not with time.
    const quotaExhausted = dailyQuota || (status === 429 && (details.code === 'insufficient_quota' || details.type === 'insufficient_quota'));
    const error = new RouterError(message, {
      ...classification,
      isRetryable: classification.isRetryable && !quotaExhausted,
      // Keep the upstream's word on what was wrong with the request; elsewhere the type follows our status.
      type: classification.code === 'invalid_request' ? details.type : undefined,
      param: classification.code === 'invalid_request' ? details.param : undefined,
      providerId,
      upstreamStatus: status,
      headers: (headers === undefined ? undefined : retryHeaders(headers)) ?? googleRetryHeaders(bodyText),
      requestID: headers === undefined ? undefined : requestIdOf(headers, redact),
    });
    if (isDeploymentLimit(status, details)) deploymentLimits.add(error);
    return error;
  } catch (error) {
    return fallbackError(providerId, `${providerId} returned ${status}`, redactCause(error, redact));
  }
}

/** What an upstream's non-OK status says, with what to do where the status tells it. */
function statusMessage(providerId: string, status: number, quoted: string, credentialAdvice: string): string {
  if (status === 401 || status === 403) return `${providerId} rejected the request with ${status}: ${quoted} (${credentialAdvice})`;
  // 0: a browser's fetch hides a redirect it was told not to follow.
  if ((status >= 300 && status < 400) || status === 0) {
    return `${providerId} answered with a redirect (${status}), which is never followed: the deployment is the host its jurisdiction facts describe; point its baseURL at the final endpoint`;
  }
  if (status === 413) return `${providerId} returned 413: ${quoted} ${tooLargeAdvice}`;
  // A model id the deployment does not serve (or an API path its baseURL misses): the router falls back.
  if (status === 404) {
    return `${providerId} returned 404, model or endpoint not found: ${quoted} (the deployment does not serve this model under this id, or its baseURL is wrong: check the model ids offered for provider ${providerId} and its baseURL)`;
  }
  return `${providerId} returned ${status}: ${quoted}`;
}

/**
 * How upstreams word a request too long for the model behind them (OpenAI, vLLM, Anthropic, Mistral,
 * Bedrock, Gemini…). Anthropic has two ways: `prompt is too long: …`, and, for a prompt that fits
 * but not with its max_tokens, `input length and \`max_tokens\` exceed context limit: 198512 + 4096 > 200000`.
 */
const tooLong = /context[ _-]?(length|window)|maximum context|prompt is too long|input is too long|too many (input )?tokens|exceeds the maximum number of tokens|exceeds? (the )?context limit/i;

/**
 * Whether an upstream's error says the request exceeds this deployment's limit. A 413 is the
 * deployment's size limit whatever it says; a 400 when it says so. Not a 422: it is about the
 * request's content, which an upstream may quote back.
 */
function isDeploymentLimit(status: number, details: UpstreamErrorDetails): boolean {
  return status === 413 || (status === 400 && (details.code === 'context_length_exceeded' || tooLong.test(details.message)));
}

/** Advice appended to a 413's message. */
const tooLargeAdvice = '(the request is too large for this deployment: send a smaller request, with fewer or smaller images and files or a shorter prompt)';

/** Errors classified, from the upstream's own message and code, as a deployment's limit. */
const deploymentLimits = new WeakSet<RouterError>();

/**
 * A request error that says more about the deployment than the request: the prompt is too long
 * for this model's context window, or the request too large for the deployment (413). Another
 * deployment (a larger window or size limit, or one whose window the catalogue does not know) may
 * take it, so the router falls back instead of giving up; the same deployment is never asked again.
 */
export function exceedsDeploymentLimit(error: RouterError): boolean {
  return deploymentLimits.has(error);
}

/**
 * The RouterError for an error event inside a stream that started with 200, e.g.
 * `data: {"error":{"message":"Overloaded","type":"overloaded_error"}}`. Status 502 and
 * retryable for server and overload types, unless the event carries its own HTTP status.
 */
export function errorFromStreamEvent(
  providerId: string,
  data: unknown,
  requestId?: string,
  redact: Redactor = redactCredentialShapes,
): RouterError {
  return errorFromEnvelope(providerId, data, 'sent an error mid-stream', requestId, redact);
}

/**
 * The RouterError for an error envelope answered with status 200 (some servers report errors
 * so), classified as {@link errorFromStreamEvent} does.
 */
export function errorFromOkBody(providerId: string, data: unknown, requestId: string | undefined, redact: Redactor = redactCredentialShapes): RouterError {
  return errorFromEnvelope(providerId, data, 'answered 200 with an error', requestId, redact);
}

/** {@link errorFromOkBody} for a streaming request, which got the error instead of an event stream. */
export function errorInsteadOfStream(providerId: string, data: unknown, requestId: string | undefined, redact: Redactor = redactCredentialShapes): RouterError {
  return errorFromEnvelope(providerId, data, 'answered 200 with an error instead of an event stream', requestId, redact);
}

function errorFromEnvelope(providerId: string, data: unknown, said: string, requestId: string | undefined, redact: Redactor): RouterError {
  try {
    const details = redactDetails(describeValue(data), redact);
    // An event without a status that says the prompt is too long is the 400 it would be as a status.
    const status = details.status === undefined && isDeploymentLimit(400, details) ? 400 : details.status;
    const classification =
      status !== undefined && status >= 400 ? classifyStatus(status) : { code: 'upstream_error' as const, status: 502, isRetryable: isTransient(details) };
    const error = new RouterError(`${providerId} ${said}: ${quote(details)}${status === 413 ? ` ${tooLargeAdvice}` : ''}`, {
      ...classification,
      type: details.type,
      param: details.param,
      providerId,
      upstreamStatus: details.status,
      requestID: plausibleRequestId(requestId, redact),
    });
    // The deployment's limit as for the same error answered as an HTTP status: the router falls back.
    if (status !== undefined && isDeploymentLimit(status, details)) deploymentLimits.add(error);
    return error;
  } catch (error) {
    return fallbackError(providerId, `${providerId} ${said}`, redactCause(error, redact));
  }
}

/**
 * The RouterError for a `fetch` that rejected. The caller's abort wins over everything: the
 * signal's reason when it is a RouterError (the router aborts with its timeout error), otherwise
 * an `AbortedError`. Anything else is a connection failure, worth retrying.
 */
export function errorFromFetchFailure(
  providerId: string,
  error: unknown,
  signal?: AbortSignal,
  redact: Redactor = redactCredentialShapes,
): RouterError {
  if (signal?.aborted) return abortError(providerId, signal);
  if (RouterError.isInstance(error)) return error;
  // The failure's own words may quote what was sent (undici quotes an invalid header's value).
  const cause = redact(describeCause(error));
  if (isNamed(error, 'TimeoutError')) {
    return new RouterError(`the request to ${providerId} timed out (${cause})`, {
      code: 'timeout',
      providerId,
      isRetryable: true,
      cause: redactCause(error, redact),
    });
  }
  return new RouterError(`could not connect to ${providerId} (${cause})`, {
    code: 'upstream_error',
    providerId,
    isRetryable: true,
    cause: redactCause(error, redact),
  });
}

/** The RouterError for a response body that failed while being read (connection reset…). */
export function errorFromBodyFailure(
  providerId: string,
  error: unknown,
  signal?: AbortSignal,
  requestId?: string,
  redact: Redactor = redactCredentialShapes,
): RouterError {
  if (signal?.aborted) return abortError(providerId, signal);
  if (RouterError.isInstance(error)) return error;
  return new RouterError(`the connection to ${providerId} failed while reading the response (${redact(describeCause(error))})`, {
    code: 'upstream_error',
    providerId,
    isRetryable: true,
    requestID: plausibleRequestId(requestId, redact),
    cause: redactCause(error, redact),
  });
}

/** The error for an aborted signal: its reason when that is a RouterError, else an `AbortedError`. */
export function abortError(providerId: string, signal: AbortSignal): RouterError {
  const reason: unknown = signal.reason;
  if (RouterError.isInstance(reason)) return reason;
  return new AbortedError(`The request to ${providerId} was aborted by the caller.`, reason);
}

/** Whether a parsed SSE event is an error report rather than a chunk. */
export function isErrorEvent(data: unknown, eventName: string | undefined): boolean {
  if (eventName === 'error') return true;
  if (typeof data !== 'object' || data === null) return false;
  const error = (data as { error?: unknown }).error;
  return (typeof error === 'object' && error !== null) || typeof error === 'string';
}

/** Reads an error body: JSON in any of the common envelopes, or text. */
export function describeBody(text: string): UpstreamErrorDetails {
  const trimmed = text.trim();
  if (trimmed === '') return details('(no body)');
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return describeValue(JSON.parse(trimmed));
    } catch {
      // Not JSON after all: quote it as text.
    }
  }
  return details(clip(trimmed.replace(/\s+/g, ' ')));
}

/**
 * Reads a parsed error value: `{error:{…}}`, `{type:'error',error:{…}}`, `{error:'…'}`, `{message}`
 * (or AWS's `{Message}`), `{detail}`, or one of those alone in an array (Google's `[{error:{…}}]`).
 */
export function describeValue(value: unknown): UpstreamErrorDetails {
  if (typeof value === 'string') return details(clip(value));
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'object' && value[0] !== null) return describeValue(value[0]);
  if (typeof value !== 'object' || value === null) return details(clip(String(value)));
  const body = value as Record<string, unknown>;
  const error = body.error;
  if (typeof error === 'string') return { ...details(clip(error)), type: text(body.type), status: statusOf(body) };
  const source = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : body;
  // AWS services spell it `Message` at times (`{"Message": "User: … is not authorized"}`).
  const message = text(source.message) ?? text(source.Message) ?? detailText(source.detail) ?? text(body.message) ?? safeStringify(value);
  return {
    message: clip(message),
    type: text(source.type),
    code: text(source.code) ?? (typeof source.code === 'number' ? String(source.code) : undefined),
    param: text(source.param),
    status: statusOf(source) ?? statusOf(body),
  };
}

function redactDetails(details: UpstreamErrorDetails, redact: Redactor): UpstreamErrorDetails {
  const optional = (value: string | undefined) => (value === undefined ? undefined : redact(value));
  return { ...details, message: redact(details.message), type: optional(details.type), code: optional(details.code), param: optional(details.param) };
}

function details(message: string): UpstreamErrorDetails {
  return { message, type: undefined, code: undefined, param: undefined, status: undefined };
}

function quote(details: UpstreamErrorDetails): string {
  const label = details.code ?? details.type;
  return label === undefined || details.message.includes(label) ? details.message : `${details.message} (${label})`;
}

/** Server, overload and rate-limit reports are transient; a report with no type at all is presumed so. */
function isTransient(details: UpstreamErrorDetails): boolean {
  if (details.type === undefined && details.code === undefined) return true;
  return /server|overload|internal|unavailable|api_error|timeout|capacity|rate_limit/i.test(
    `${details.type ?? ''} ${details.code ?? ''}`,
  );
}

function statusOf(source: Record<string, unknown>): number | undefined {
  for (const candidate of [source.status, source.status_code, source.code]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 100 && candidate <= 599) {
      return candidate;
    }
  }
  return undefined;
}

function detailText(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    // FastAPI validation errors: [{loc, msg, type}, …]
    const messages = detail
      .map((entry) => (typeof entry === 'object' && entry !== null ? text((entry as { msg?: unknown }).msg) : undefined))
      .filter((entry): entry is string => entry !== undefined);
    if (messages.length > 0) return messages.join('; ');
  }
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function clip(value: string): string {
  return value.length > maxQuoted ? `${value.slice(0, maxQuoted)}…` : value;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const passedOnHeaders = ['retry-after', 'retry-after-ms'] as const;

/** The headers a caller or the router's backoff needs: `retry-after` and `retry-after-ms`. */
export function retryHeaders(headers: HeaderLookup): Record<string, string> | undefined {
  let kept: Record<string, string> | undefined;
  for (const name of passedOnHeaders) {
    const value = headers.get(name);
    if (value !== null) (kept ??= {})[name] = value;
  }
  return kept;
}

/** A protobuf Duration in JSON: decimal seconds, up to nine fractional digits (`34.4s`, `45.837906927s`). */
const durationPattern = /^(\d+(?:\.\d{1,9})?)s$/;

/**
 * Google's wait, for an answer without `Retry-After`: Google APIs (the Gemini API, Vertex AI)
 * send none and say how long to wait only in the body, as a `google.rpc.RetryInfo` among
 * `error.details`. Read into the headers the router's backoff and the caller read. Never throws.
 */
function googleRetryHeaders(bodyText: string): Record<string, string> | undefined {
  if (!bodyText.includes('google.rpc.RetryInfo')) return undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    const body = Array.isArray(parsed) ? parsed[0] : parsed;
    const details = (body as { error?: { details?: unknown } } | null)?.error?.details;
    if (!Array.isArray(details)) return undefined;
    for (const detail of details as unknown[]) {
      if (typeof detail !== 'object' || detail === null) continue;
      const { '@type': type, retryDelay } = detail as { '@type'?: unknown; retryDelay?: unknown };
      if (type !== 'type.googleapis.com/google.rpc.RetryInfo' || typeof retryDelay !== 'string') continue;
      const seconds = durationPattern.exec(retryDelay)?.[1];
      if (seconds === undefined) return undefined;
      const milliseconds = Math.ceil(Number(seconds) * 1000);
      return { 'retry-after': String(Math.ceil(milliseconds / 1000)), 'retry-after-ms': String(milliseconds) };
    }
  } catch {
    // Not JSON: no wait to read.
  }
  return undefined;
}

function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

/** `fetch failed: connect ECONNREFUSED 127.0.0.1:1`: undici hides the useful part in `cause`. */
function describeCause(error: unknown): string {
  try {
    if (!(error instanceof Error)) return String(error);
    const cause = error.cause;
    if (cause instanceof Error && cause.message !== '' && !error.message.includes(cause.message)) {
      return `${error.message}: ${cause.message}`;
    }
    return error.message || error.name;
  } catch {
    return 'unknown error';
  }
}

function fallbackError(providerId: string, message: string, cause: unknown): RouterError {
  return new RouterError(message, { code: 'upstream_error', providerId, isRetryable: true, cause });
}

/** The RouterError for a 2xx answer that is not what the API promises (`what`: e.g. "malformed JSON"). Retryable. */
export function malformedResponse(
  providerId: string,
  response: { status: number; headers: HeaderLookup },
  what: string,
  cause?: unknown,
  redact: Redactor = redactCredentialShapes,
): RouterError {
  return new RouterError(`${providerId} returned ${what} (HTTP ${response.status}, ${mediaType(response.headers.get('content-type'), redact)})`, {
    code: 'upstream_error',
    providerId,
    isRetryable: true,
    requestID: requestIdOf(response.headers, redact),
    // `JSON.parse` quotes the text it choked on.
    cause: redactCause(cause, redact),
  });
}

/** A media type's shape: `type/subtype`, RFC 9110 tokens, without parameters. */
const mediaTypePattern = /^[\w!#$%&'*+.^`|~-]{1,64}\/[\w!#$%&'*+.^`|~-]{1,64}$/;

/**
 * What a malformed answer's `content-type` says, for its message: the media type alone (a
 * parameter, or a value that is no media type, may carry anything the upstream echoes), redacted.
 */
function mediaType(value: string | null, redact: Redactor): string {
  if (value === null) return 'no content-type';
  const type = value.split(';', 1)[0]!.trim().toLowerCase();
  return mediaTypePattern.test(type) ? redact(type) : 'a content-type that is not a media type';
}

/** Errors raised before anything reached the upstream: they say nothing of a deployment's health. */
const unsent = new WeakSet<RouterError>();

/** Marks `error` as raised before the request left: the router does not count it against the deployment. */
export function raisedBeforeSending<T extends RouterError>(error: T): T {
  unsent.add(error);
  return error;
}

/** Whether `error` was raised before the request reached the upstream (see {@link raisedBeforeSending}). */
export function wasNotSent(error: RouterError): boolean {
  return unsent.has(error);
}

/** Errors of the library's own making after the request was sent (a module it could not load). */
const ownFailures = new WeakSet<RouterError>();

/**
 * Marks `error` as the library's own failure on a request the upstream did receive: like an
 * unsent one it says nothing of the deployment's health, but the attempt still counts against
 * the deployment's `limits`, since the upstream counted it.
 */
export function raisedByTheLibrary<T extends RouterError>(error: T): T {
  ownFailures.add(error);
  return error;
}

/** Whether `error` tells nothing of the deployment's health: raised before sending, or by the library itself. */
export function saysNothingOfHealth(error: RouterError): boolean {
  return unsent.has(error) || ownFailures.has(error);
}

/** Gives `copy` the marks of `error` (a copy with secrets redacted is the same failure). */
export function withMarksOf<T extends RouterError>(copy: T, error: RouterError): T {
  if (unsent.has(error)) unsent.add(copy);
  if (ownFailures.has(error)) ownFailures.add(copy);
  return copy;
}

/**
 * The error for a request an adapter could not prepare: a body `JSON.stringify` refuses (a cycle,
 * a BigInt, nesting too deep), a translation that threw. The request's fault, not the
 * deployment's: `invalid_request` (400), not retried, no fallback, no effect on health. A
 * RouterError the preparation raised itself (an unsupported parameter) is kept as it is.
 */
export function requestPreparationError(providerId: string, error: unknown, what = 'prepare'): RouterError {
  if (RouterError.isInstance(error)) return raisedBeforeSending(error);
  // The first line only: V8 draws a cycle's path over several.
  const reason = isNamed(error, 'RangeError') ? 'it is nested too deeply' : describeCause(error).split('\n', 1)[0];
  return raisedBeforeSending(new InvalidRequestError(`the request could not be ${what === 'prepare' ? 'prepared' : what} for ${providerId}: ${reason}`, null, error));
}

/** The request body as JSON text; a body that cannot be serialised is the request's fault. */
export function serializeRequest(providerId: string, body: unknown): string {
  try {
    return JSON.stringify(body);
  } catch (error) {
    throw requestPreparationError(providerId, error, 'serialised as JSON');
  }
}
