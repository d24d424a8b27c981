import { asRouterError } from './request-record.js';

const jsonHeaders = { 'content-type': 'application/json' };

export function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...jsonHeaders, ...headers } });
}

/** The waits an error asks for, passed on as the error carries them (`retry-after-ms` is OpenAI's and Azure's, in ms). */
const waitHeaders = ['retry-after', 'retry-after-ms'] as const;

/**
 * An error as a real HTTP status with the OpenAI envelope. Error answers carry
 * `x-should-retry: false`: the router has already retried and fallen back, and the openai SDK
 * obeys this header, so it does not run the whole routing again (and multiply the upstream
 * attempts). Clients that ignore the header are told in docs/serve.md how to turn their retries off.
 * The one exception is an error that says `true` itself: a budget refusal that only requests in
 * flight caused, where nothing was sent and a retry after them may fit (errors.ts).
 */
export function errorResponse(error: unknown): Response {
  const routerError = asRouterError(error);
  const headers: Record<string, string> = { 'x-should-retry': routerError.headers['x-should-retry'] === 'true' ? 'true' : 'false' };
  for (const name of waitHeaders) {
    const value = routerError.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  // A 405 names the methods the path takes (RFC 9110).
  const allow = routerError.headers.allow;
  if (allow !== undefined) headers.allow = allow;
  const auditId = routerError.route?.audit_id ?? routerError.auditId;
  if (auditId) headers['x-request-id'] = auditId;
  return json(routerError.toJSON(), routerError.status, headers);
}
