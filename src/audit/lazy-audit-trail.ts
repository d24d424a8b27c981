import type { AuditTrail, UnchainedRecord } from './audit-trail.js';
import type { ResolvedAuditOptions } from './types.js';

/*
 * The audit trail (chaining, sink queues, backpressure, gap records) is loaded at createRouter
 * when sinks are configured, from a chunk of its own: an app without audit sinks neither loads
 * nor bundles it (docs/performance.md, "Bundle size"). Records of requests that end before it is
 * in place — the first turns after createRouter — wait for it and go in first, in the order their
 * requests ended; those requests complete once their record is in, as under `onFull: 'wait'`.
 */

export function lazyAuditTrail(options: ResolvedAuditOptions): AuditTrail {
  if (options.sinks.length === 0) {
    return { enabled: false, content: options.content, append: () => undefined, depth: () => 0, flush: async () => {}, close: async () => {} };
  }
  let trail: AuditTrail | undefined;
  let early: { record: UnchainedRecord; resolve: (queued: Promise<void> | undefined) => void }[] = [];
  const loading = import('./audit-trail.js').then((module) => {
    const loaded = module.createAuditTrail(options);
    // In one turn, before anything else can append: the early records keep their order.
    for (const { record, resolve } of early) resolve(loaded.append(record));
    early = [];
    return (trail = loaded);
  });
  return {
    enabled: true,
    content: options.content,
    append(record) {
      if (trail) return trail.append(record);
      return new Promise((resolve) => early.push({ record, resolve }));
    },
    depth: () => trail?.depth() ?? early.length,
    flush: async () => (trail ?? (await loading)).flush(),
    close: async () => (trail ?? (await loading)).close(),
  };
}
