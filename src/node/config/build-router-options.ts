import { dirname, isAbsolute, resolve } from 'node:path';
import type { AuditOptions, AuditSink } from '../../audit/types.js';
import type { PostgresAuditOptions } from '../../postgres/postgres-audit.js';
import type { JsonlAuditOptions } from '../jsonl-audit-options.js';
import { catalogPresets } from '../../catalog/default-catalog.js';
import { presetPolicies, type PresetPolicyName } from '../../policy/presets.js';
import type { JurisdictionPolicy } from '../../policy/types.js';
import { openaiCompatible } from '../../providers/openai-compatible.js';
import type { Provider } from '../../providers/types.js';
import type { KeyOptions, RouterOptions } from '../../router/options.js';
import { createRouter } from '../../router/create-router.js';
import { InvalidRequestError } from '../../errors.js';
import { jsonlAudit } from '../jsonl-audit.js';
import { ConfigError } from './config-error.js';
import type { SovrouteConfig } from './config-schema.js';
import type { ConfigSource } from './read-config-file.js';

type PolicyOption = PresetPolicyName | JurisdictionPolicy;

/** A factory's refusal as a ConfigError at a place in the file. */
type Refused = (error: unknown, at: { line: number | undefined; path: string | undefined }, message?: string) => ConfigError;

/**
 * Turns a validated configuration into the options `createRouter` takes. What a factory refuses is
 * told as a ConfigError whose message has each value read from the environment replaced by its
 * reference (`hide`), and whose cause, quoting the value, is then not kept.
 */
export async function buildRouterOptions(source: ConfigSource, config: SovrouteConfig, hide: (text: string) => string = (text) => text): Promise<RouterOptions> {
  const refused = (error: unknown, at: { line: number | undefined; path: string | undefined }, message = (error as Error).message) => {
    const shown = hide(message);
    return new ConfigError(source.file, shown, { ...at, cause: shown === message ? error : undefined });
  };
  const policyNamed = (name: string): PolicyOption => {
    if (name in presetPolicies) return name as PresetPolicyName;
    return { name, ...config.policies![name] } as JurisdictionPolicy;
  };
  const options: RouterOptions = { providers: config.providers.map((entry, index) => buildProvider(source, entry, index, refused)) };
  checkProviderIds(source, options.providers);
  if (config.policy !== undefined) options.policy = policyNamed(config.policy);
  if (config.strategy !== undefined) options.strategy = config.strategy;
  if (config.keys !== undefined) {
    const keys: Record<string, KeyOptions> = {};
    for (const [index, entry] of config.keys.entries()) {
      if (entry.key in keys) throw new ConfigError(source.file, 'the same key is listed twice; give each caller its own key', { line: source.lineOf(['keys', index]), path: `keys[${index}].key` });
      const key: KeyOptions = {};
      if (entry.label !== undefined) key.label = entry.label;
      if (entry.policy !== undefined) key.policy = policyNamed(entry.policy);
      keys[entry.key] = key;
    }
    options.keys = keys;
  }
  for (const name of ['health', 'retry', 'limits', 'timeoutMs', 'deadlineMs', 'streamIdleTimeoutMs', 'currency'] as const) {
    if (config[name] !== undefined) (options as unknown as Record<string, unknown>)[name] = config[name];
  }
  checkRouterAccepts(source, config, options, refused);
  // Last: a sink may open a file or a pool, which a refused file should not leave behind.
  if (config.audit !== undefined) {
    const { sinks, ...rest } = config.audit;
    options.audit = { ...rest, sinks: await Promise.all(sinks.map((sink, index) => buildSink(source, sink, index, refused))) } as AuditOptions;
  }
  return options;
}

/**
 * What createRouter refuses in options the schema lets through (a custom policy named like a
 * provider or a strategy, or holding a `/`), told as a ConfigError with the line of the name it
 * quotes: said by createRouter at start-up, it names neither the file nor the line.
 */
function checkRouterAccepts(source: ConfigSource, config: SovrouteConfig, options: RouterOptions, refused: Refused): void {
  try {
    createRouter(options);
  } catch (error) {
    if (!InvalidRequestError.isInstance(error)) throw error;
    const name = /"([^"]*)"/.exec(error.message)?.[1];
    const provider = options.providers.findIndex((entry) => entry.id === name);
    // The second key with a label is where the clash shows.
    const key = (config.keys ?? []).findLastIndex((entry) => entry.label === name);
    const at: { line: number | undefined; path: string | undefined } =
      error.param === 'providers' && provider !== -1
        ? { line: source.lineOf(['providers', provider]), path: `providers[${provider}]` }
        : name !== undefined && config.policies?.[name] !== undefined
          ? { line: source.lineOf(['policies'], name), path: `policies.${name}` }
          : error.param === 'keys' && key !== -1
            ? { line: source.lineOf(['keys', key]), path: `keys[${key}]` }
            : { line: undefined, path: undefined };
    throw refused(error, at, error.message.replace(/^createRouter: /, ''));
  }
}

/**
 * A provider id used twice, which createRouter would refuse naming neither the file nor the entry,
 * told with its line here: the same preset twice without an `id` is the usual way to get one.
 */
function checkProviderIds(source: ConfigSource, providers: readonly Provider[]): void {
  const seen = new Map<string, number>();
  for (const [index, provider] of providers.entries()) {
    const first = seen.get(provider.id);
    if (first !== undefined) {
      const firstLine = source.lineOf(['providers', first]);
      throw new ConfigError(
        source.file,
        `provider id "${provider.id}" is already used by providers[${first}]${firstLine === undefined ? '' : ` (line ${firstLine})`}; give this one another id (id: ${provider.id}-2)`,
        { line: source.lineOf(['providers', index]), path: `providers[${index}]` },
      );
    }
    seen.set(provider.id, index);
  }
}

function buildProvider(source: ConfigSource, entry: SovrouteConfig['providers'][number], index: number, refused: Refused): Provider {
  try {
    if ('openaiCompatible' in entry) return openaiCompatible(entry.openaiCompatible as Parameters<typeof openaiCompatible>[0]);
    const { preset, ...options } = entry;
    const factory = catalogPresets[preset as keyof typeof catalogPresets] as (options: object) => Provider;
    return factory(options);
  } catch (error) {
    throw refused(error, { line: source.lineOf(['providers', index]), path: `providers[${index}]` });
  }
}

async function buildSink(source: ConfigSource, sink: NonNullable<SovrouteConfig['audit']>['sinks'][number], index: number, refused: Refused): Promise<AuditSink> {
  try {
    return await createSink(source, sink);
  } catch (error) {
    // The sink's own check (a table name it cannot use), told like every other mistake in the file.
    throw refused(error, { line: source.lineOf(['audit', 'sinks', index]), path: `audit.sinks[${index}]` });
  }
}

async function createSink(source: ConfigSource, sink: NonNullable<SovrouteConfig['audit']>['sinks'][number]): Promise<AuditSink> {
  if ('jsonl' in sink) {
    const { jsonl, ...options } = sink;
    // Relative to the configuration file, so the same file works from any directory.
    return jsonlAudit(isAbsolute(jsonl) ? jsonl : resolve(dirname(source.file), jsonl), options as JsonlAuditOptions);
  }
  const { postgres, ...options } = sink;
  // The PostgreSQL room (and pg) loads only for a configuration that uses it.
  const { postgresAudit } = await import('../../postgres/index.js');
  return postgresAudit({ connectionString: postgres, ...options } as PostgresAuditOptions);
}
