import type { FailingSink } from '../audit/audit-trail.js';
import type { AuditRecordBody } from '../audit/types.js';
import { RouterError } from '../errors.js';
import { errorResponse } from './http-response.js';
import { rejectUnread } from './request-record.js';
import type { RouterContext } from './router-context.js';
import type { IncomingTraceContext } from './trace-context.js';

/**
 * How `serve()` reaches into the router it serves, without a public API: a `Symbol.for` key
 * (so an ESM and a CommonJS copy of the package still find each other) on a non-enumerable
 * property. Not part of the contract; users never see it in types or in `Object.keys(router)`.
 */
export const routerInternals = Symbol.for('sovroute.router.internals');

/** A request refused before it reached an endpoint: what its audit record can say of it. */
export interface RefusedRequest {
  /** The URL path, which tells the endpoint the request was meant for. */
  path: string;
  /** The bearer token presented, '' when none. */
  apiKey: string;
  /** The W3C trace context it was sent with, if valid: the refusal's request span continues it. */
  trace?: IncomingTraceContext | undefined;
}

export interface RouterInternals {
  /** `limits.maxBodyBytes` as resolved. @unit bytes */
  readonly maxBodyBytes: number;
  /** Whether the router accepts only its configured `keys`. */
  readonly keyed: boolean;
  /** Writes the one audit record of a refused request and answers with its error envelope. */
  refuse(request: RefusedRequest, error: RouterError): Response | Promise<Response>;
  /** Why the router's `keys` refuse this bearer token (401), so a server refuses it before reading a body; undefined when it may call. */
  refusesKey?(apiKey: string): RouterError | undefined;
  /** The audit sinks that cannot store records now, for a readiness probe; empty while all can. */
  failingAuditSinks?(): FailingSink[];
}

/** The endpoint a path is meant for: the routed ones by name, anything else `other`. */
export function endpointOf(path: string): AuditRecordBody['endpoint'] {
  const trimmed = trimSlashes(path);
  if (trimmed.endsWith('/chat/completions')) return 'chat.completions';
  if (trimmed.endsWith('/completions')) return 'completions';
  if (trimmed.endsWith('/embeddings')) return 'embeddings';
  if (trimmed.endsWith('/responses')) return 'responses';
  return 'other';
}

/** Any URL the caller may pass, relative ones included; `undefined` for one that is not a URL at all. */
export function pathOf(input: string | URL | Request): string | undefined {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    return new URL(href, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/** Drops trailing slashes; a loop, since `/\/+$/` is quadratic on a long run of slashes. */
export function trimSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end -= 1;
  return end === path.length ? path : path.slice(0, end);
}

export function createRouterInternals(context: RouterContext): RouterInternals {
  return {
    maxBodyBytes: context.options.limits.maxBodyBytes,
    keyed: context.options.keys !== undefined,
    refuse: async (request, error) => {
      if (context.observerReady) await context.observerReady;
      return errorResponse(rejectUnread(context, endpointOf(request.path), request.apiKey, error, request.trace));
    },
    refusesKey: (apiKey) => {
      if (context.options.keys === undefined) return undefined;
      try {
        context.caller(apiKey);
        return undefined;
      } catch (error) {
        return RouterError.isInstance(error) ? error : undefined;
      }
    },
    failingAuditSinks: () => context.audit.failing(),
  };
}

/** The internals of a router made by this package (any copy of it); undefined for anything else. */
export function internalsOf(router: object): RouterInternals | undefined {
  const internals = (router as { [routerInternals]?: RouterInternals })[routerInternals];
  return typeof internals?.refuse === 'function' ? internals : undefined;
}
