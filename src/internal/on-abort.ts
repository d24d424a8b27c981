/**
 * Calls `callback` when `signal` aborts; returns the function that stops waiting.
 *
 * Every call waiting on one signal shares a single listener on it. Callers fan one request's
 * signal out to many concurrent calls; one listener each would make Node print a
 * MaxListenersExceededWarning past ten, for a signal the library does not own.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return ignore;
  }
  let callbacks = waiting.get(signal);
  if (callbacks === undefined) {
    const created = new Set<() => void>();
    callbacks = created;
    waiting.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal);
        for (const each of created) each();
      },
      { once: true },
    );
  }
  const entry = () => callback();
  callbacks.add(entry);
  const registered = callbacks;
  return () => void registered.delete(entry);
}

/** The callbacks waiting on each signal; the signal's one listener calls them. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

function ignore(): void {}
