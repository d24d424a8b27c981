import { RouterError } from '../errors.js';
import type { Explanation } from '../router/explain.js';
import { redactCredentialShapes } from '../providers/redact.js';
import { createRouter } from '../router/create-router.js';
import type { RouterOptions } from '../router/options.js';
import { closest } from './config/config-error.js';
import { loadGatewayConfig } from './config/load-config.js';
import { table } from './cli-table.js';
import { colours, nonEmpty, parseCommand, UsageError, type CommandIo } from './cli-usage.js';

export const explainUsage = `Usage: sovroute explain --config <file> --model <model> [--key <label>] [--json]

  How a chat request for <model> would be routed, calling nobody: every candidate with its
  reasons (eligible first, in rank order) and the choice; what router.explain() returns.
  Exit 0 when a candidate is eligible, 1 when none is.

Options:
  --config <file>   sovroute.config.yaml, .json, .mjs or .ts (required)
  --model <model>   a model string: 'mistral-small-3.2-24b', 'eu-sovereign/cheapest', 'scaleway/…' (required)
  --key <label>     explain for the configured key with this label (its policy narrows the router's)
  --json            print router.explain()'s result as JSON
  -h, --help        print this help
`;

const options = {
  config: { type: 'string' },
  model: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The router options and key to explain with: the labelled key's, or the router's own policy. */
export function explainTarget(router: RouterOptions, label: string | undefined, usage: string): { options: RouterOptions; apiKey: string | undefined } {
  const keys = router.keys ?? {};
  if (label === undefined) {
    // Without a key, the router's own policy: keys only ever narrow it.
    const { keys: _keys, ...unkeyed } = router;
    return { options: unkeyed, apiKey: undefined };
  }
  const found = Object.entries(keys).find(([, key]) => key.label === label);
  if (found === undefined && Object.hasOwn(keys, label)) {
    // The key itself, typed where its label goes: never printed back (terminals and CI logs keep it).
    const own = keys[label]!.label;
    throw new UsageError(
      `--key takes a key's label, not the key itself: ${own === undefined ? 'this key has no label; give it one (label:) in the configuration file' : `give --key ${own}`}`,
      usage,
    );
  }
  if (found === undefined) {
    const labels = Object.values(keys).flatMap((key) => (key.label === undefined ? [] : [key.label]));
    if (redactCredentialShapes(label) !== label) {
      // Shaped like a key (sk-…), though not one of this file's: not printed back either.
      throw new UsageError(`--key takes a key's label, not a key (and this one is no key of the file); the labels are ${labels.length > 0 ? labels.join(', ') : 'none (the file has no labelled keys)'}`, usage);
    }
    const suggestion = closest(label, labels);
    throw new UsageError(
      `no key is labelled "${label}"${suggestion ? `: did you mean ${suggestion}?` : ';'} the labels are ${labels.length > 0 ? labels.join(', ') : 'none (the file has no labelled keys)'}`,
      usage,
    );
  }
  return { options: router, apiKey: found[0] };
}

/** `sovroute explain`; resolves to the exit code. */
export async function explainCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommand(args, options, explainUsage);
  nonEmpty(values.config, '--config', 'the path of a configuration file', explainUsage);
  nonEmpty(values.model, '--model', 'a model string', explainUsage);
  if (values.config === undefined || values.model === undefined) throw new UsageError('explain needs --config <file> and --model <model>', explainUsage);
  const config = await loadGatewayConfig(values.config, io.env);
  const target = explainTarget(config.router, values.key, explainUsage);
  // It routes nothing, so it keeps no audit trail: the gateway's log and its writer lock are not its own.
  const { audit: _audit, ...unaudited } = target.options;
  const router = createRouter(unaudited);
  let explanation: Explanation;
  try {
    explanation = router.explain({ model: values.model, messages: [{ role: 'user', content: '' }] }, target.apiKey === undefined ? {} : { apiKey: target.apiKey });
  } catch (error) {
    // A model no provider serves: the answer to "where would this go" is nowhere.
    if (!RouterError.isInstance(error)) throw error;
    if (values.json) io.stdout.write(`${JSON.stringify(error, null, 2)}\n`);
    io.stderr.write(`sovroute: ${error.message}\n`);
    return 1;
  }
  io.stdout.write(values.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation, colours(io.stdout, io.env)));
  return explanation.chosen ? 0 : 1;
}

/** The explanation as a person reads it in a terminal. */
export function formatExplanation(explanation: Explanation, paint: ReturnType<typeof colours>): string {
  const chosen = explanation.chosen ? paint.green(`${explanation.chosen.provider} / ${explanation.chosen.model}`) : paint.red('none: no candidate is eligible');
  const head = [
    `requested  ${explanation.requested}`,
    `policy     ${explanation.policy}   tier ${explanation.tier}   objective ${explanation.objective}`,
    `chosen     ${chosen}`,
    '',
  ].join('\n');
  let rank = 0;
  const rows = explanation.candidates.map((candidate) => [
    candidate.eligible ? String(++rank) : '-',
    candidate.provider,
    candidate.model,
    candidate.eligible ? 'yes' : 'no',
    candidate.est_cost === undefined ? '' : candidate.est_cost.toPrecision(3),
    candidate.reasons.join('; '),
  ]);
  const body = table(['#', 'provider', 'model', 'eligible', 'est. cost', 'reasons'], rows, (index, text) =>
    explanation.candidates[index]!.eligible ? text : paint.dim(text),
  );
  return `${head}\n${body}`;
}
