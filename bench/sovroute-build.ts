import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

/*
 * sovroute is measured as it ships: src/ is bundled like the package build (tsx's own transform
 * keeps function names, which costs a defineProperty per closure and skews results).
 * bench/run.ts builds once; bench/heap.ts, in its own process, loads what was built.
 */

const outDir = fileURLToPath(new URL('../node_modules/.cache/sovroute-bench', import.meta.url));

export interface Sovroute {
  core: typeof import('../src/index.js');
  redis: typeof import('../src/redis/index.js');
  node: typeof import('../src/node/index.js');
}

/** Bundles the root, `sovroute/redis` and `sovroute/node` entry points into node_modules/.cache. */
export async function buildSovroute(): Promise<void> {
  await build({
    entry: { index: 'src/index.ts', 'redis/index': 'src/redis/index.ts', 'node/index': 'src/node/index.ts' },
    format: ['esm'],
    target: 'node20',
    outDir,
    dts: false,
    sourcemap: false,
    splitting: false,
    silent: true,
    config: false,
  });
}

/** Loads what `buildSovroute()` bundled. */
export async function loadSovroute(): Promise<Sovroute> {
  return {
    core: (await import(`${outDir}/index.js`)) as Sovroute['core'],
    redis: (await import(`${outDir}/redis/index.js`)) as Sovroute['redis'],
    node: (await import(`${outDir}/node/index.js`)) as Sovroute['node'],
  };
}
