import { AuditError } from './audit-error.js';
import type { AuditTrail, UnchainedRecord } from './audit-trail.js';
import type { ResolvedAuditOptions } from './types.js';

/*
 * The audit trail (chaining, sink queues, backpressure, gap records) is loaded at createRouter
 * when sinks are configured, from a chunk of its own: an app without audit sinks neither loads
 * nor bundles it (docs/performance.md, "Bundle size"). Records of requests that end before it is
 * in place — the first turns after createRouter — wait for it and go in first, in the order their
 * requests ended; those requests complete once their record is in, as under `onFull: 'wait'`.
 *
 * If the chunk cannot be loaded (a deployment that left it out), no record can be stored: each
 * one is reported to `audit.onError` (reason `not_stored`), as a sink that cannot store it would
 * be, and no request waits for it; `flush()` rejects with that error, and every sink counts as
 * failing (`failing()`, which `serve()`'s `/readyz` reports).
 */

export function lazyAuditTrail(options: ResolvedAuditOptions): AuditTrail {
  if (options.sinks.length === 0) {
    return { enabled: false, content: options.content, append: () => undefined, depth: () => 0, failing: () => [], flush: async () => {}, close: async () => {} };
  }
  let trail: AuditTrail | undefined;
  let failure: AuditError | undefined;
  // When the trail failed to load: from then on no sink can store a record. @unit epoch milliseconds
  let failedAt = 0;
  let early: { record: UnchainedRecord; resolve: (queued: Promise<void> | undefined) => void }[] = [];
  const notStored = (record: UnchainedRecord) => {
    try {
      options.onError(new AuditError(`${failure!.message}; record ${record.id} is not stored`, 'not_stored', failure!.cause), null, null);
    } catch {
      // A handler that throws changes nothing for the request.
    }
  };
  const loading = import('./audit-trail.js').then(
    (module) => {
      const loaded = module.createAuditTrail(options);
      // In one turn, before anything else can append: the early records keep their order.
      for (const { record, resolve } of early) resolve(loaded.append(record));
      early = [];
      return (trail = loaded);
    },
    (error: unknown) => {
      failedAt = Date.now();
      failure = new AuditError(`the audit trail could not be loaded (${error instanceof Error ? error.message : String(error)})`, 'not_stored', error);
      for (const { record, resolve } of early) {
        notStored(record);
        resolve(undefined);
      }
      early = [];
      return undefined;
    },
  );
  const loaded = async (): Promise<AuditTrail> => {
    const ready = trail ?? (await loading);
    if (ready === undefined) throw failure!;
    return ready;
  };
  return {
    enabled: true,
    content: options.content,
    append(record) {
      if (trail) return trail.append(record);
      if (failure) {
        notStored(record);
        return undefined;
      }
      return new Promise((resolve) => early.push({ record, resolve }));
    },
    depth: () => trail?.depth() ?? early.length,
    failing: () => trail?.failing() ?? (failure ? options.sinks.map((sink, index) => ({ sink: sink.name ?? `#${index}`, since: failedAt, waiting: 0 })) : []),
    flush: async () => (await loaded()).flush(),
    close: async () => {
      const ready = trail ?? (await loading);
      await ready?.close();
    },
  };
}
