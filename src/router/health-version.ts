import type { HealthTracker } from '../health/health-tracker.js';

/**
 * A health tracker that counts what it learns: every latency sample, answer length or outcome
 * bumps `version()`. Planning caches what it derives from many deployments' estimates at once
 * (the pool's latency prior, which models have learned answer lengths) under that version, so
 * a cached value is used only while nothing it depends on changed. With a store passed in
 * (`health.store`: a shared one, where other processes change estimates unseen, or one the
 * application writes), `version()` is undefined and nothing is cached.
 */
export function versionedHealth(tracker: HealthTracker, external: boolean): { health: HealthTracker; version: () => number | undefined } {
  let version = 0;
  // Every reading passes through; only what changes estimates is counted.
  const health: HealthTracker = {
    ...tracker,
    succeeded(...args) {
      version += 1;
      tracker.succeeded(...args);
    },
    failed(...args) {
      version += 1;
      tracker.failed(...args);
    },
    released(...args) {
      version += 1;
      tracker.released(...args);
    },
    completed(...args) {
      version += 1;
      tracker.completed(...args);
    },
    snapshot: tracker.snapshot,
  };
  return { health, version: external ? () => undefined : () => version };
}
