/*
 * The core entry (`sovroute`) imports no `node:` built-in, so it bundles for edge runtimes
 * (Cloudflare Workers, Deno, Vercel Edge, browsers) with esbuild's `platform: 'neutral'`.
 * Capabilities only Node has load through here, at run time, when Node is present
 * (docs/architecture.md, "Node-only capabilities load lazily").
 */

type GetBuiltinModule = (id: string) => unknown;

/**
 * A Node built-in module (`node:crypto`, `node:fs`, …) through `process.getBuiltinModule`
 * (Node ≥ 20.16): synchronous and invisible to bundlers. Undefined outside Node, on older Node,
 * or when the runtime refuses the module.
 *
 * @example nodeBuiltin<typeof import('node:os')>('node:os')?.homedir()
 */
export function nodeBuiltin<T>(name: `node:${string}`): T | undefined {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process?.getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') return undefined;
  try {
    return (getBuiltinModule(name) ?? undefined) as T | undefined;
  } catch {
    return undefined;
  }
}
