import type { AuditCompletion, AuditRecordBody } from '../audit/types.js';
import type { Candidate } from '../catalog/candidate.js';
import type { Attempt, RouterError } from '../errors.js';
import type { IncomingTraceContext } from './trace-context.js';

/*
 * The request path tells what happened to whoever listens: telemetry, the debug log. A new
 * observer is a new file implementing this contract, never a branch across the path. Observers
 * are called synchronously and must not throw (a throw is caught and ignored).
 */

/** What is known of a request when it arrives. */
export interface RequestStart {
  id: string;
  endpoint: AuditRecordBody['endpoint'];
  stream: boolean;
  requested: string | null;
  /**
   * The trace context the request arrived with over HTTP (`router.fetch`, `serve()`), already
   * checked; undefined for an in-process call, which runs under the active context.
   */
  trace?: IncomingTraceContext | undefined;
}

/** The request's generation parameters, once it is valid. */
export interface RequestParameters {
  max_tokens?: number | null | undefined;
  max_completion_tokens?: number | null | undefined;
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
  n?: number | null | undefined;
  seed?: number | null | undefined;
}

/** What the answer said about itself, for the successful attempt. */
export interface ResponseDetails {
  id?: string | undefined;
  model?: string | undefined;
  finishReasons?: string[] | undefined;
}

/** How the request ended: the same facts as its audit record (built once for both). */
export interface RequestEnd {
  record: AuditRecordBody;
  error: RouterError | undefined;
  chosen: Candidate | undefined;
  response: ResponseDetails | undefined;
  /** The request's messages (or inputs), when an observer asked for content. */
  prompt: readonly unknown[] | undefined;
  completion: AuditCompletion[] | undefined;
  /** Candidates the jurisdiction policy alone excluded. */
  policyExcluded: number | undefined;
}

export interface RequestObserver {
  /** Whether observations need the request's text (`captured` prompts and completions). */
  readonly wantsContent: boolean;
  /** A request arrived; returns what follows it, or undefined to ignore it. */
  request(start: RequestStart): RequestObservation | undefined;
  /** The router closed: release what the observer registered outside it (a meter's gauge callbacks). */
  close?(): void;
}

export interface RequestObservation {
  /** The body is valid: its generation parameters. */
  validated(parameters: RequestParameters): void;
  /** An attempt is about to call `candidate` (the pseudo-LLM when `simulated`). */
  attempt(candidate: Candidate, index: number, simulated: boolean): AttemptObservation;
  /** The same candidate is tried again after `waitMs`. */
  retry(candidate: Candidate, error: RouterError, waitMs: number): void;
  /**
   * A stream's first chunk of substance (content, a tool call, a finish reason) is in: its chunks
   * go to the caller, the ones with the role alone that came before it first.
   */
  firstChunk(): void;
  /** The request ended, whichever way. Called once. */
  end(end: RequestEnd): void;
}

export interface AttemptObservation {
  /** Headers to add to the upstream request (trace context), if any. */
  readonly headers: Record<string, string> | undefined;
  /**
   * Runs the upstream call in the attempt's context (telemetry: its span active), so what the
   * call does (an HTTP instrumentation's span, a fetch wrapper's) nests under the attempt.
   */
  run?<T>(call: () => T): T;
  /** The attempt failed. */
  failed(attempt: Attempt, error: RouterError): void;
  /** The attempt answered; it lasts until the request ends (a stream's last chunk). */
  succeeded(attempt: Attempt): void;
}

/** Calls `call` on each item; one that throws is ignored and the rest are still called. */
function eachGuarded<T, R>(items: readonly T[], call: (item: T) => R): (R | undefined)[] {
  return items.map((item) => {
    try {
      return call(item);
    } catch {
      // An observer never keeps another from hearing what happened (a logger that throws must not leave a span open).
      return undefined;
    }
  });
}

/** Several observers as one; each is called on its own, so one that throws does not silence the others. */
export function combineObservers(observers: readonly RequestObserver[]): RequestObserver | undefined {
  if (observers.length === 0) return undefined;
  if (observers.length === 1) return observers[0];
  return {
    wantsContent: observers.some((observer) => observer.wantsContent),
    close: () => void eachGuarded(observers, (observer) => observer.close?.()),
    request(start) {
      const observations = eachGuarded(observers, (observer) => observer.request(start)).filter((observation) => observation !== undefined);
      if (observations.length === 0) return undefined;
      return {
        validated: (parameters) => void eachGuarded(observations, (observation) => observation.validated(parameters)),
        attempt(candidate, index, simulated) {
          const attempts = eachGuarded(observations, (observation) => observation.attempt(candidate, index, simulated)).filter((attempt) => attempt !== undefined);
          const headers = attempts.reduce<Record<string, string> | undefined>((all, attempt) => (attempt.headers ? { ...all, ...attempt.headers } : all), undefined);
          const runners = attempts.filter((attempt) => attempt.run !== undefined);
          return {
            headers,
            ...(runners.length === 0
              ? {}
              : { run: <T>(call: () => T): T => runners.reduce<() => T>((inner, attempt) => () => attempt.run!(inner), call)() }),
            failed: (attempt, error) => void eachGuarded(attempts, (observed) => observed.failed(attempt, error)),
            succeeded: (attempt) => void eachGuarded(attempts, (observed) => observed.succeeded(attempt)),
          };
        },
        retry: (candidate, error, waitMs) => void eachGuarded(observations, (observation) => observation.retry(candidate, error, waitMs)),
        firstChunk: () => void eachGuarded(observations, (observation) => observation.firstChunk()),
        end: (end) => void eachGuarded(observations, (observation) => observation.end(end)),
      };
    },
  };
}
