import { presetPolicies } from '../policy/presets.js';
import { createRouter } from '../router/create-router.js';
import { missingConfiguration } from '../router/plan.js';
import type { ModelEntry } from '../wire/models.js';
import { closest } from './config/config-error.js';
import { loadGatewayConfig } from './config/load-config.js';
import { table } from './cli-table.js';
import { nonEmpty, parseCommand, UsageError, type CommandIo } from './cli-usage.js';

export const modelsUsage = `Usage: sovroute models --config <file> [--policy <policy>] [--json]

  The models reachable under the router's policy (or --policy), each with the provider serving
  it, its jurisdiction tier, hosting countries, price and context: what GET /v1/models lists.
  Providers left out because they lack configuration here (an API key not set) are named below
  the table.

Options:
  --config <file>     sovroute.config.yaml, .json, .mjs or .ts (required)
  --policy <policy>   eu-sovereign, eu-hosted, global, or a policy the file declares
  --json              print the list as JSON
  -h, --help          print this help
`;

const options = {
  config: { type: 'string' },
  policy: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `sovroute models`; resolves to the exit code. */
export async function modelsCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommand(args, options, modelsUsage);
  nonEmpty(values.config, '--config', 'the path of a configuration file', modelsUsage);
  if (values.config === undefined) throw new UsageError('models needs --config <file>', modelsUsage);
  const config = await loadGatewayConfig(values.config, io.env);
  // It routes nothing, so it keeps no audit trail: the gateway's log and its writer lock are not its own.
  const { keys: _keys, audit: _audit, ...routerOptions } = config.router;
  if (values.policy !== undefined) {
    const name = values.policy;
    if (name in presetPolicies) routerOptions.policy = name as keyof typeof presetPolicies;
    else if (config.policies[name]) routerOptions.policy = config.policies[name];
    else {
      const known = [...Object.keys(presetPolicies), ...Object.keys(config.policies)];
      const suggestion = closest(name, known);
      throw new UsageError(`unknown policy "${name}": ${suggestion ? `did you mean ${suggestion}? ` : ''}use ${known.join(', ')}`, modelsUsage);
    }
  }
  const list = await createRouter(routerOptions).models.list();
  if (values.json) {
    io.stdout.write(`${JSON.stringify(list.data, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(formatModels(list.data, values.policy ?? config.policy));
  const unconfigured = routerOptions.providers.flatMap((provider) => {
    const missing = missingConfiguration(provider);
    return missing === undefined ? [] : [`  ${provider.id}: ${missing}`];
  });
  // The list is what this machine's configuration reaches: say what a missing setting hides.
  if (unconfigured.length > 0) io.stdout.write(`\nleft out, not configured here:\n${unconfigured.join('\n')}\n`);
  return 0;
}

export function formatModels(entries: readonly ModelEntry[], policy: string): string {
  const sorted = [...entries].sort((a, b) => a.canonical.localeCompare(b.canonical) || a.provider.localeCompare(b.provider));
  const rows = sorted.map((entry) => [
    entry.canonical,
    entry.provider,
    entry.jurisdiction.tier,
    entry.jurisdiction.hosting.join(',') || 'unknown',
    entry.price ? `${entry.price.input}/${entry.price.output} ${entry.price.currency}` : '',
    entry.context === undefined ? '' : String(entry.context),
    (entry.capabilities ?? []).join(','),
  ]);
  const count = `${sorted.length} deployment${sorted.length === 1 ? '' : 's'} reachable under ${policy}\n\n`;
  return count + table(['model', 'provider', 'tier', 'hosting', 'price /1M in/out', 'context', 'capabilities'], rows);
}
