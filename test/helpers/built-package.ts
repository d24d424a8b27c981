import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/*
 * The package as users get it: dist/, built by test/global-setup.ts before any test runs.
 * Typed from the sources, which the build is made from.
 */

const dist = join(import.meta.dirname, '..', '..', 'dist');

/** `import … from 'sovroute'`, from the built ESM entry. */
export function loadBuilt(): Promise<typeof import('../../src/index.js')> {
  return import(pathToFileURL(join(dist, 'index.js')).href) as Promise<typeof import('../../src/index.js')>;
}

/** `import … from 'sovroute/node'`, from the built ESM entry. */
export function loadBuiltNode(): Promise<typeof import('../../src/node/index.js')> {
  return import(pathToFileURL(join(dist, 'node', 'index.js')).href) as Promise<typeof import('../../src/node/index.js')>;
}

/** The built CLI, to run with `process.execPath`. */
export const builtCli = join(dist, 'node', 'cli.js');
