import type { JurisdictionPolicy } from '../../policy/types.js';
import type { RouterOptions } from '../../router/options.js';
import type { ServeOptions } from '../serve-options.js';
import { buildRouterOptions } from './build-router-options.js';
import { substituteEnv } from './env-references.js';
import { readConfigFile } from './read-config-file.js';
import { validateConfig } from './validate-config.js';

/** A configuration file for the gateway: the router's options and `sovroute serve`'s settings. */
export interface GatewayConfig {
  /** The configuration file, as given. */
  file: string;
  /** What `createRouter` takes. */
  router: RouterOptions;
  /** What `serve()` takes, from the file's `serve` section. */
  serve: ServeOptions;
  /** How long a shutdown waits for requests and streams in flight. @unit milliseconds @default 30000 */
  shutdownTimeoutMs: number;
  /** The keys' labels (never the keys), in file order; unlabelled keys are counted as `(unlabelled)`. */
  keyLabels: string[];
  /** The router policy's name. */
  policy: string;
  /** The custom policies the file declares, by name. */
  policies: Record<string, JurisdictionPolicy>;
}

/**
 * Reads `sovroute.config.{json,yaml,mjs,ts}` and returns the options for `createRouter`.
 * `${ENV_VAR}` references are replaced from the environment. A problem throws a `ConfigError`
 * naming the file, the line (YAML, JSON) or the setting's path, and the fix.
 *
 * @example const router = createRouter(await loadConfig('sovroute.config.yaml'));
 */
export async function loadConfig(path: string, environment: NodeJS.ProcessEnv = process.env): Promise<RouterOptions> {
  return (await loadGatewayConfig(path, environment)).router;
}

/** Like {@link loadConfig}, with the `serve` settings and what the start-up banner shows. */
export async function loadGatewayConfig(path: string, environment: NodeJS.ProcessEnv = process.env): Promise<GatewayConfig> {
  const source = await readConfigFile(path);
  const { data, ...references } = substituteEnv(source, environment);
  const config = validateConfig(source, data, references);
  const router = await buildRouterOptions(source, config, references.hide);
  const { shutdownTimeoutMs = 30_000, ...serve } = config.serve ?? {};
  return {
    file: path,
    router,
    serve: serve as ServeOptions,
    shutdownTimeoutMs,
    keyLabels: (config.keys ?? []).map((key) => key.label ?? '(unlabelled)'),
    policy: config.policy ?? 'global',
    policies: Object.fromEntries(Object.entries(config.policies ?? {}).map(([name, policy]) => [name, { name, ...policy } as JurisdictionPolicy])),
  };
}
