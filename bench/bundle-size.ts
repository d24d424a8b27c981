import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { compared, type BenchRow } from './rows.js';

/*
 * What an app pays to ship and load sovroute, measured on the built package (dist/, `npm run
 * build` first):
 *
 *   - the bundle of `import { createRouter, openaiCompatible } from 'sovroute'`: esbuild, minified,
 *     ESM, `platform: 'neutral'` (no Node built-ins, as on an edge runtime), with code splitting so
 *     what the package loads on first use only (the Responses translation, legacy completions,
 *     embeddings, `router.fetch`, the pseudo-LLM, the OpenTelemetry API) stays in chunks the app
 *     fetches when it needs them; bytes are the gzipped sizes of the
 *     files loaded at start-up. Dependencies (zod, eventsource-parser, p-retry) are bundled too, each where it loads;
 *   - the openai SDK's bundle for `import OpenAI from 'openai'`, the same way, for comparison;
 *   - the time `import 'sovroute'` adds to starting Node: the median of interleaved spawns of
 *     `node -e ''` and a node that imports the built entry.
 *
 * `npx tsx bench/bundle-size.ts` prints them with the bytes of the start-up bundle by source
 * folder (built from src/ for that breakdown); bench/run.ts calls `measureBundle()`.
 */

const root = fileURLToPath(new URL('..', import.meta.url));

/** What `measureBundle()` measured. */
export interface BundleMeasurement {
  /** min+gz bytes loaded at start-up by an app that imports `createRouter` and `openaiCompatible`. */
  routerGzipBytes: number;
  /** The same, minified only. */
  routerMinifiedBytes: number;
  /** min+gz bytes of the chunks loaded on first use only (Responses, completions, embeddings, router.fetch, the pseudo-LLM, OpenTelemetry). */
  lazyGzipBytes: number;
  /** min+gz bytes of `import OpenAI from 'openai'`. */
  openaiSdkGzipBytes: number;
  /** Median milliseconds to start Node and import the built `sovroute`. */
  importMs: number;
  /** Median milliseconds to start Node bare (`node -e ''`). */
  bareNodeMs: number;
  /** Spawns per side behind the two medians. */
  spawns: number;
}

/** One bundle: gzipped and minified bytes of the files loaded at start-up and of the lazy ones. */
export interface BundleBytes {
  gzip: number;
  minified: number;
  lazyGzip: number;
  metafile: Metafile;
  /** The start-up files' source paths (as the metafile names them) and bytes in the output. */
  inputs: Map<string, number>;
}

/** Bundles `source` (resolved from `resolveDir`) the way an edge app's bundler would. */
export async function bundleBytes(source: string, resolveDir: string): Promise<BundleBytes> {
  const result = await build({
    stdin: { contents: source, resolveDir, loader: 'ts', sourcefile: 'app.ts' },
    // Paths in the metafile are relative to the checkout, whatever the working directory.
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    // An app bundled for the edge resolves packages' ESM builds; `neutral` alone names no fields.
    mainFields: ['module', 'main'],
    splitting: true,
    outdir: join(root, 'node_modules', '.cache', 'sovroute-bundle-size'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const contents = new Map(result.outputFiles.map((file) => [file.path, file.contents]));
  const outputs = result.metafile.outputs;
  const absolute = (path: string) => join(root, path);
  // The app's own file: chunks the package loads on first use are entry points of their own.
  const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint !== undefined && resolve(root, outputs[path]!.entryPoint!) === join(resolveDir, 'app.ts'))!;
  const startup = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (startup.has(path)) continue;
    startup.add(path);
    for (const imported of outputs[path]!.imports) if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
  }
  let gzip = 0;
  let minified = 0;
  let lazyGzip = 0;
  const inputs = new Map<string, number>();
  for (const path of Object.keys(outputs)) {
    const code = contents.get(absolute(path));
    if (code === undefined) continue;
    if (!startup.has(path)) {
      lazyGzip += gzipSync(code, { level: 9 }).length;
      continue;
    }
    gzip += gzipSync(code, { level: 9 }).length;
    minified += code.length;
    for (const [input, { bytesInOutput }] of Object.entries(outputs[path]!.inputs)) inputs.set(input, (inputs.get(input) ?? 0) + bytesInOutput);
  }
  return { gzip, minified, lazyGzip, metafile: result.metafile, inputs };
}

const routerProgram = (from: string) => `import { createRouter, openaiCompatible } from '${from}';\nexport const app = [createRouter, openaiCompatible];\n`;

/** Median milliseconds of `args` run by Node, interleaved with the other contenders. */
function spawnMedians(contenders: readonly (readonly string[])[], spawns: number): number[] {
  const samples = contenders.map(() => [] as number[]);
  for (let round = 0; round < spawns; round++) {
    contenders.forEach((args, index) => {
      const started = performance.now();
      const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
      if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
      samples[index]!.push(performance.now() - started);
    });
  }
  return samples.map((values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  });
}

/** Measures the built package (dist/ of this checkout). */
export async function measureBundle(options: { dist?: string; spawns?: number } = {}): Promise<BundleMeasurement> {
  const dist = options.dist ?? join(root, 'dist');
  const entry = join(dist, 'index.js');
  if (!existsSync(entry)) throw new Error(`bench/bundle-size: ${entry} is missing; run npm run build first`);
  const spawns = options.spawns ?? 11;
  const router = await bundleBytes(routerProgram('./index.js'), dist);
  const sdk = await bundleBytes(`import OpenAI from 'openai';\nexport const app = OpenAI;\n`, root);
  const [bareNodeMs, importMs] = spawnMedians([['-e', ''], ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(entry).href)});`]], spawns);
  return {
    routerGzipBytes: router.gzip,
    routerMinifiedBytes: router.minified,
    lazyGzipBytes: router.lazyGzip,
    openaiSdkGzipBytes: sdk.gzip,
    importMs: importMs!,
    bareNodeMs: bareNodeMs!,
    spawns,
  };
}

/**
 * The bundle measurement as `npm run bench` rows (bench/rows.ts): the start-up bundle against the
 * openai SDK's, checked against the 40 KB target, and import time against a bare Node start.
 * Needs a build (`npm run build`); bench/run.ts builds first.
 */
export async function bundleRows(): Promise<BenchRow[]> {
  const measured = await measureBundle({ spawns: 7 });
  const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;
  const sdk = { label: 'openai SDK', value: kb(measured.openaiSdkGzipBytes) };
  return [
    { ...compared('bundle', 'createRouter + openaiCompatible, start-up bundle', 'KB min+gz', kb(measured.routerGzipBytes), sdk), target: '≤ 40 KB min+gz', pass: measured.routerGzipBytes <= 40 * 1024 },
    { label: 'loaded on first use only', value: kb(measured.lazyGzipBytes), unit: 'KB min+gz', section: 'bundle' },
    compared('bundle', "import 'sovroute'", 'ms', Math.round(measured.importMs), { label: "node -e ''", value: Math.round(measured.bareNodeMs) }),
  ];
}

/** Bytes of the start-up bundle by source folder (`src/router`, `zod/v4/core`, …), built from src/. */
export async function bundleBreakdown(): Promise<[string, number][]> {
  const { inputs } = await bundleBytes(routerProgram('./src/index.ts'), root);
  const folders = new Map<string, number>();
  for (const [input, bytes] of inputs) {
    const folder = input.startsWith('src/')
      ? input.split('/').slice(0, input.startsWith('src/providers/') ? 3 : 2).join('/').replace(/\.ts$/, '')
      : input.replace(/^.*node_modules\/((?:zod\/v4\/[^/]+)|(?:@[^/]+\/)?[^/]+).*$/, '$1');
    folders.set(folder, (folders.get(folder) ?? 0) + bytes);
  }
  return [...folders].sort((a, b) => b[1] - a[1]);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const measured = await measureBundle();
  console.log(`createRouter + openaiCompatible, min+gz at start-up  ${kb(measured.routerGzipBytes)} (${kb(measured.routerMinifiedBytes)} minified)   budget ≤ 40 KB`);
  console.log(`  loaded on first use only (Responses, completions, embeddings, router.fetch, test keys, OpenTelemetry, retries, streams)  ${kb(measured.lazyGzipBytes)}`);
  console.log(`openai SDK (import OpenAI from 'openai'), min+gz        ${kb(measured.openaiSdkGzipBytes)}`);
  console.log(
    `import 'sovroute': ${measured.importMs.toFixed(1)} ms vs bare node ${measured.bareNodeMs.toFixed(1)} ms ` +
      `(+${(measured.importMs - measured.bareNodeMs).toFixed(1)} ms, medians of ${measured.spawns} interleaved spawns)`,
  );
  console.log('\nstart-up bundle by source folder (minified bytes, before gzip):');
  for (const [folder, bytes] of await bundleBreakdown()) console.log(`  ${String(bytes).padStart(7)}  ${folder}`);
}
