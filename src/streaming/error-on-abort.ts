interface Listening {
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * Abort listeners of bodies that were dropped unread: removed once their body is collected. Made
 * on first use: a registry made as the module loads is code no bundler can leave out of an app
 * that never calls `router.fetch`.
 */
let dropped: FinalizationRegistry<Listening> | undefined;

/**
 * Makes a response body end as a fetch body does when its request's signal aborts: it errors with
 * the signal's reason, chunks not yet read included. A client then sees the abort it caused (the
 * openai SDK and the AI SDK end a stream quietly on an `AbortError`) rather than an error event or
 * an exception of ours. Returns what stops listening, once the body has ended.
 *
 * The listener holds the body weakly: a signal the caller keeps for longer (one shared by many
 * calls) must not keep a body dropped unread alive, or the stream behind it would never be seen
 * as dropped (docs/audit.md) and the body would stay in memory as long as the signal.
 */
export function errorOnAbort(controller: ReadableStreamDefaultController<Uint8Array>, signal: AbortSignal | undefined): () => void {
  if (signal === undefined) return ignore;
  if (signal.aborted) {
    controller.error(signal.reason);
    return ignore;
  }
  const body = new WeakRef(controller);
  const onAbort = () => body.deref()?.error(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const registration = {};
  const registry = (dropped ??= new FinalizationRegistry<Listening>((listening) => listening.signal.removeEventListener('abort', listening.onAbort)));
  registry.register(controller, { signal, onAbort }, registration);
  return () => {
    signal.removeEventListener('abort', onAbort);
    registry.unregister(registration);
  };
}

function ignore(): void {}
