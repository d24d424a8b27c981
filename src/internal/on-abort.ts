/**
 * Calls `callback` when `signal` aborts; returns the function that stops waiting.
 *
 * Every call waiting on one signal shares a single listener on it. Callers fan one request's
 * signal out to many concurrent calls; one listener each would make Node print a
 * MaxListenersExceededWarning past ten, for a signal the library does not own. The listener goes
 * when the last call stops waiting: a signal with an abort listener is kept alive by Node (one
 * from `AbortSignal.any` for as long as it has one), and so would be everything it references.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return ignore;
  }
  let waiters = waiting.get(signal);
  if (waiters === undefined) {
    const created: Waiters = {
      callbacks: new Set(),
      listener: () => {
        waiting.delete(signal);
        for (const each of created.callbacks) each();
      },
    };
    waiters = created;
    waiting.set(signal, created);
    signal.addEventListener('abort', created.listener, { once: true });
  }
  const entry = () => callback();
  const registered = waiters;
  registered.callbacks.add(entry);
  return () => {
    if (!registered.callbacks.delete(entry) || registered.callbacks.size > 0) return;
    signal.removeEventListener('abort', registered.listener);
    if (waiting.get(signal) === registered) waiting.delete(signal);
  };
}

interface Waiters {
  callbacks: Set<() => void>;
  listener: () => void;
}

/** The calls waiting on each signal; the signal's one listener calls them. */
const waiting = new WeakMap<AbortSignal, Waiters>();

function ignore(): void {}
