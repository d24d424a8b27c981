import { RouterError } from '../errors.js';
import { onAbort } from './on-abort.js';

/*
 * Code loaded on first use (docs/architecture.md, "The core entry runs anywhere"): one import shared
 * by every caller. An import that failed (a chunk a deployment left out, a file system hiccup) is
 * not kept: the next call tries again, so one failure does not fail every later call.
 */

/** `load`, called once and shared while it succeeds; called again after it failed. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}

/** What `loading` gives, or a rejection with `signal`'s reason when it aborts first: a slow import keeps no abort waiting. */
export function unlessAborted<T>(loading: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return loading;
  return new Promise((resolve, reject) => {
    const stopWaiting = onAbort(signal, () => reject(signal.reason));
    loading.then(resolve, reject).finally(stopWaiting);
  });
}

/**
 * The error for code that could not be loaded (a chunk a deployment left out, a file system
 * hiccup): the library's fault, not an upstream's, so it names what was missing and why.
 * `consequence` says what the call did without it (", so the attempt was not retried").
 */
export function notLoaded(what: string, cause: unknown, consequence = ''): RouterError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new RouterError(`internal error: ${what} could not be loaded${consequence}: ${reason}`, { code: 'upstream_error', status: 500, cause });
}
