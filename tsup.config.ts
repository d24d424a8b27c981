import { defineConfig, type Options } from 'tsup';
import { emitDeclarations } from './scripts/emit-declarations.js';

const shared: Options = {
  entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts', 'postgres/index': 'src/postgres/index.ts', 'redis/index': 'src/redis/index.ts' },
  target: 'node20',
  // No source maps: the package ships no sources for them to point at, and they would more
  // than double the tarball (test/package.test.ts checks what `npm pack` ships).
  // Code both entry points use goes into shared chunks: one RouterError class behind `sovroute`
  // and `sovroute/node`, so `instanceof` holds across them (test/package.test.ts).
  splitting: true,
};

// One entry per public subpath, in both formats; the CLI is its own entry so it can carry a shebang.
// Type declarations come from tsc, module by module, not from tsup's bundler: bundled, the types
// both entries share land in a hashed chunk under one-letter names, which users' compiler errors
// then print (scripts/emit-declarations.ts).
export default defineConfig([
  { ...shared, format: ['esm'], onSuccess: async () => emitDeclarations(import.meta.dirname) },
  // p-retry (and its one dependency) ship as ESM only; the CommonJS build carries its own copy
  // so `require('sovroute')` works on every Node 20, with or without require(esm).
  // import.meta does not exist in CommonJS; code that reads it falls back to __filename there.
  { ...shared, format: ['cjs'], noExternal: ['p-retry', 'is-network-error'], define: { 'import.meta.url': 'undefined' } },
  { entry: { 'node/cli': 'src/node/cli.ts' }, format: ['esm'], target: 'node20', banner: { js: '#!/usr/bin/env node' } },
]);
