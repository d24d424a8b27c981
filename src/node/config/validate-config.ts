import type { z } from 'zod';
import { presetPolicies } from '../../policy/presets.js';
import { closest, ConfigError } from './config-error.js';
import { configSchema, type SovrouteConfig } from './config-schema.js';
import { formatPath, type SubstitutedConfig } from './env-references.js';
import type { ConfigPath, ConfigSource } from './read-config-file.js';

type Issue = z.core.$ZodIssue;

/** Where the file's values came from the environment. */
type References = Pick<SubstitutedConfig, 'wholeReferences' | 'written'> & Partial<Pick<SubstitutedConfig, 'variableOf'>>;

/**
 * Validates the data of a configuration file; the first problem becomes a ConfigError naming its
 * line and fix. A value that was one `${ENV}` reference alone (`wholeReferences`) where a number or
 * true/false is wanted is read as one, since the environment holds only text. A value from the
 * environment is named by the reference the file wrote (`written`), never quoted.
 */
export function validateConfig(source: ConfigSource, data: unknown, references: References = { wholeReferences: new Set(), written: new Map() }): SovrouteConfig {
  const { wholeReferences } = references;
  // An empty YAML file (or one of comments only) is null: say what it lacks, not "received null".
  if (data === null || data === undefined) {
    throw new ConfigError(source.file, 'the file holds no settings: a configuration needs at least providers, such as "providers: [{ preset: mistralEU }]"');
  }
  let parsed = configSchema.safeParse(data);
  while (!parsed.success && readTyped(data, parsed.error.issues, wholeReferences)) parsed = configSchema.safeParse(data);
  if (!parsed.success) throw describeIssue(source, data, pickIssue(parsed.error.issues[0]!, data), references);
  const config = parsed.data;
  const policies = Object.keys(config.policies ?? {});
  const known = [...Object.keys(presetPolicies), ...policies];
  const checkPolicy = (name: string | undefined, path: ConfigPath) => {
    if (name === undefined || known.includes(name)) return;
    const suggestion = closest(name, known);
    const written = writtenFor(references, path, name);
    throw new ConfigError(source.file, `unknown policy ${written === undefined ? name : fromEnvironment(written)}: ${suggestion ? `did you mean ${suggestion}? ` : ''}use ${known.join(', ')}, or declare it under policies`, {
      line: source.lineOf(path),
      path: formatPath(path),
    });
  };
  checkPolicy(config.policy, ['policy']);
  config.keys?.forEach((key, index) => checkPolicy(key.policy, ['keys', index, 'policy']));
  for (const name of policies) {
    if (name in presetPolicies) {
      throw new ConfigError(source.file, `policy ${name} is a built-in name; give the custom policy another name`, { line: source.lineOf(['policies'], name), path: `policies.${name}` });
    }
  }
  return config;
}

/**
 * Turns each value that came from one reference alone, where an issue says a number or a boolean
 * was expected, into that type, in place; false when there was none to turn (the issues stand).
 * Text that is not a number (or not `true`/`false`) is left as it is, for the issue to name.
 */
function readTyped(data: unknown, issues: readonly Issue[], wholeReferences: ReadonlySet<string>): boolean {
  let changed = false;
  for (const issue of issues) {
    // A provider entry is a union of forms: what each form expected, at its paths inside the entry.
    if (issue.code === 'invalid_union') {
      for (const branch of issue.errors) {
        if (readTyped(data, branch.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }) as Issue), wholeReferences)) changed = true;
      }
      continue;
    }
    if (issue.code !== 'invalid_type' || (issue.expected !== 'number' && issue.expected !== 'boolean')) continue;
    const path = issue.path as PropertyKey[];
    const text = valueAt(data, path);
    if (typeof text !== 'string' || path.length === 0 || !wholeReferences.has(formatPath(path))) continue;
    const typed = issue.expected === 'number' ? numberIn(text) : booleanIn(text);
    if (typed === undefined) continue;
    (valueAt(data, path.slice(0, -1)) as Record<PropertyKey, unknown>)[path.at(-1)!] = typed;
    changed = true;
  }
  return changed;
}

/** The number `text` writes (`8080`, `0.5`), or undefined for any other text. */
function numberIn(text: string): number | undefined {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : undefined;
}

/** `true` or `false` as written, or undefined for any other text. */
function booleanIn(text: string): boolean | undefined {
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

/** A union's issue, replaced by the issues of the branch the entry meant (the one that got further). */
function pickIssue(issue: Issue, data: unknown): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const input = valueAt(data, issue.path);
  const keys = typeof input === 'object' && input !== null ? Object.keys(input) : [];
  // The branch whose distinguishing key the entry has: `preset`, `openaiCompatible`, `jsonl`, `postgres`.
  const absent = (inner: Issue) => inner.path.length === 1 && !keys.includes(String(inner.path[0]));
  // Ties on required keys go to the branch not asking for another absent key: `preset` missing is an
  // invalid_value (an enum), so an openaiCompatible entry with two mistakes deep inside is not read
  // as a preset entry lacking its preset.
  const ranked = issue.errors
    .map((branch) => ({
      branch,
      missing: branch.filter((inner) => inner.code === 'invalid_type' && absent(inner)).length,
      asks: branch.filter(absent).length,
    }))
    .sort((a, b) => a.missing - b.missing || a.asks - b.asks || a.branch.length - b.branch.length);
  const first = ranked[0]?.branch[0];
  if (first === undefined || ranked[0]!.missing > 0) return issue;
  return pickIssue({ ...first, path: [...issue.path, ...first.path] } as Issue, data);
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[segment];
  return value;
}

function describeIssue(source: ConfigSource, data: unknown, issue: Issue, references: References): ConfigError {
  const path = issue.path as PropertyKey[];
  const written = path.length > 0 ? writtenFor(references, path, valueAt(data, path)) : undefined;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const allowed = allowedKeys(path, data);
    const suggestion = closest(key, allowed);
    const fix = suggestion ? `did you mean ${suggestion}?` : `remove it${allowed.length > 0 ? `; the keys here are ${allowed.join(', ')}` : ''}`;
    return new ConfigError(source.file, `unknown key ${key}: ${fix}`, { line: source.lineOf(path, key), path: path.length > 0 ? formatPath(path) : undefined });
  }
  if (path.length > 0 && valueAt(data, path) === null && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    // `strategy:` with nothing after it (its value commented out) is YAML's null: not a value to quote.
    const optional = (schemaAt(path, data) as { def?: { type?: string } } | undefined)?.def?.type === 'optional';
    return new ConfigError(source.file, `has no value: give it one${optional ? ', or remove the line for the default' : ''}`, { line: source.lineOf(path), path: formatPath(path) });
  }
  if (issue.code === 'invalid_value' && path.at(-1) === 'preset' && valueAt(data, path) === undefined) {
    // An entry with neither distinguishing key: the union reports the preset branch's missing
    // preset, which would read "unknown preset undefined".
    const entry = path.slice(0, -1);
    const held = valueAt(data, entry);
    const keys = typeof held === 'object' && held !== null ? Object.keys(held) : [];
    return new ConfigError(
      source.file,
      `a provider is "preset: <name>" (one of ${(issue.values as string[]).join(', ')}) or "openaiCompatible: { id, baseURL, models, … }"; this one has neither${keys.length > 0 ? ` (its keys: ${keys.join(', ')})` : ''}`,
      { line: source.lineOf(entry), path: formatPath(entry) },
    );
  }
  if (issue.code === 'invalid_value' && issue.values.every((value) => typeof value === 'string')) {
    const given = valueAt(data, path);
    const values = issue.values as string[];
    const suggestion = typeof given === 'string' ? closest(given, values) : undefined;
    const what = path.at(-1) === 'preset' ? 'preset' : String(path.at(-1) ?? 'value');
    return new ConfigError(
      source.file,
      `unknown ${what} ${written === undefined ? JSON.stringify(given) : fromEnvironment(written)}: ${suggestion ? `did you mean ${suggestion}? ` : ''}use one of ${values.join(', ')}`,
      { line: source.lineOf(path), path: formatPath(path) },
    );
  }
  if (issue.code === 'invalid_type' && valueAt(data, path) === undefined) {
    const parent = path.slice(0, -1);
    return new ConfigError(source.file, `${String(path.at(-1))} is required (${issue.message.replace('Invalid input: expected', 'expected').replace(/, received undefined$/, '')})`, {
      line: source.lineOf(parent),
      path: parent.length > 0 ? formatPath(parent) : undefined,
    });
  }
  const given = valueAt(data, path);
  // An empty list is told by its own message; "got a list" adds nothing.
  if (issue.code === 'too_small' && Array.isArray(given) && given.length === 0) {
    return new ConfigError(source.file, issue.message, { line: source.lineOf(path), path: formatPath(path) });
  }
  // A mapping or a list may hold a key (a provider written without its `-`): named by its type only.
  const named = holdsSecret(path) || (typeof given === 'object' && given !== null);
  // A number or true/false in quotes is text in YAML and JSON: say how to write it.
  let hint = '';
  if (issue.code === 'invalid_type' && typeof given === 'string' && !named && written === undefined) {
    if (issue.expected === 'boolean') hint = ': write true or false, without quotes';
    else if (issue.expected === 'number' && numberIn(given) !== undefined) hint = `: write ${given.trim()} without quotes`;
  }
  return new ConfigError(source.file, `${issue.message}; got ${named ? typeOf(given) : written !== undefined ? fromEnvironment(written) : quoted(given)}${hint}`, { line: source.lineOf(path), path: formatPath(path) });
}

/**
 * Settings whose value is a secret however it is written (a key typed as a number, a header as a
 * list, a caller's key written as the list entry itself).
 */
function holdsSecret(path: readonly PropertyKey[]): boolean {
  if (path[0] === 'keys' && path[2] !== 'label' && path[2] !== 'policy') return true;
  return path.some((segment) => segment === 'apiKey' || segment === 'headers' || segment === 'postgres');
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/**
 * A value as an error quotes it, without the user name and password a URL may carry, nor its
 * query and fragment (`?api_key=…`): the message goes to a terminal and the logs. Everything from
 * `://` to the last `@` goes, and after a URL's first `?` or `#` only `?…` is kept, valid URL or not.
 */
function quoted(value: unknown): string {
  return JSON.stringify(typeof value === 'string' ? value.replace(/:\/\/.*@/s, '://').replace(/(:\/\/[^?#]*)[?#].*$/s, '$1?…') : value) ?? String(value);
}

/**
 * What the file wrote for the value at `path` when it came from the environment: its `${NAME}`
 * text, or, for a value no reference marks (a `.mjs` file reading `process.env`), the variable
 * holding exactly that value.
 */
function writtenFor(references: References, path: readonly PropertyKey[], value: unknown): string | undefined {
  return references.written.get(formatPath(path)) ?? (typeof value === 'string' ? references.variableOf?.(value) : undefined);
}

/**
 * A value read from the environment, as an error names it: by the text the file wrote
 * (`"${OPENAI_URL}"`), never by its value, which may be a secret (a key in the variable meant for
 * the URL, a connection string) and the message goes to a terminal and the logs.
 */
function fromEnvironment(written: string): string {
  return `${quoted(written)} (from the environment; its value is not shown)`;
}

/** The keys the schema allows at `path`, for suggestions. */
function allowedKeys(path: readonly PropertyKey[], data: unknown): string[] {
  const shape = objectShape(schemaAt(path, data), valueAt(data, path));
  return shape ? Object.keys(shape) : [];
}

/** The schema of the setting at `path` (a union's member chosen by the keys the data has). */
function schemaAt(path: readonly PropertyKey[], data: unknown): unknown {
  let schema: unknown = configSchema;
  let value = data;
  for (const segment of path) {
    schema = childSchema(schema, segment, value);
    value = (value as Record<PropertyKey, unknown> | undefined)?.[segment];
  }
  return schema;
}

function unwrap(schema: unknown): unknown {
  let current = schema as { def?: { type?: string; innerType?: unknown } } | undefined;
  while (current?.def && (current.def.type === 'optional' || current.def.type === 'default' || current.def.type === 'nullable')) current = current.def.innerType as typeof current;
  return current;
}

function objectShape(schema: unknown, value: unknown): Record<string, unknown> | undefined {
  const inner = unwrap(schema) as { def?: { type?: string; shape?: Record<string, unknown>; options?: unknown[] } } | undefined;
  if (inner?.def?.type === 'object') return inner.def.shape;
  if (inner?.def?.type === 'union') {
    const keys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
    const shapes = (inner.def.options ?? []).map((option) => objectShape(option, value)).filter((shape) => shape !== undefined);
    return shapes.find((shape) => keys.some((key) => key in shape)) ?? shapes[0];
  }
  return undefined;
}

function childSchema(schema: unknown, segment: PropertyKey, value: unknown): unknown {
  const inner = unwrap(schema) as { def?: { type?: string; element?: unknown; valueType?: unknown } } | undefined;
  if (inner?.def?.type === 'array') return inner.def.element;
  if (inner?.def?.type === 'record') return inner.def.valueType;
  return objectShape(inner, value)?.[String(segment)];
}
