import { ConfigError } from './config-error.js';
import type { ConfigPath, ConfigSource } from './read-config-file.js';

/**
 * A reference (group 1 the name, group 2 the default; a default holds no other reference), or
 * else text that starts like one (`${ NAME }`, `${NAME:default}`, unclosed): the second is refused,
 * since kept as text it would be sent as the key.
 */
const reference = /\$\{(?:([A-Za-z_][A-Za-z0-9_]*)(?::-((?:(?!\$\{)[^}])*))?\}|[^}]*\}?)/g;

/** `$NAME` alone, the shell's and Docker Compose's form: read as text, it would be sent as the key. */
const bareReference = /^\$[A-Za-z_][A-Za-z0-9_]*$/;

/** Where a path reads as `providers[0].apiKey`. */
export function formatPath(path: ConfigPath): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : `${text ? '.' : ''}${String(segment)}`;
  return text;
}

/** A string that is one reference and nothing else: `${PORT}`, `${PORT:-8787}`. */
const wholeReference = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/** The file's data with the environment substituted, and where a value was one reference alone. */
export interface SubstitutedConfig {
  data: unknown;
  /**
   * The paths (as `formatPath` writes them) of values that were a reference alone: where the
   * file wants a number or true/false, such a value is read as one (`port: ${PORT}`).
   */
  wholeReferences: ReadonlySet<string>;
  /**
   * The text the file wrote (`${OPENAI_URL}`, `https://${HOST}/v1`) for each string holding a
   * reference, by path: an error about such a value quotes this, never the value, which may be a
   * secret (a key in the variable meant for the URL).
   */
  written: ReadonlyMap<string, string>;
  /**
   * Replaces in a text (an error's message from a factory the file's settings went to) each value
   * read from the environment by the reference that read it (and each setting that is exactly a
   * variable's value, as a module reading `process.env` gives), so a message that quotes a
   * setting never quotes a secret. Values shorter than 6 characters are left, as the redaction of
   * upstream text leaves them: replacing "80" everywhere would garble the text.
   */
  hide: (text: string) => string;
  /**
   * The variable (`${NAME}`) of the environment whose value is exactly `value` (6 characters or
   * more), if any: a file that reads `process.env` itself (`.mjs`, `.ts`) holds values no
   * reference marks, and an error names such a value by its variable, never quotes it.
   */
  variableOf: (value: string) => string | undefined;
}

/**
 * Replaces `${NAME}` (and `${NAME:-default}`) in every string with the environment variable, so
 * secrets stay out of the file. An unset variable without a default fails, naming it, and so does
 * text that looks like a reference but is none (`${ NAME }`, `${NAME-default}`, `$NAME` alone).
 */
export function substituteEnv(source: ConfigSource, environment: NodeJS.ProcessEnv): SubstitutedConfig {
  const wholeReferences = new Set<string>();
  const written = new Map<string, string>();
  const values = new Map<string, string>();
  const visit = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      if (wholeReference.test(value)) wholeReferences.add(formatPath(path));
      const notReference = (text: string) =>
        new ConfigError(
          source.file,
          `${text.slice(0, 80)} is not an environment reference: write \${NAME} or \${NAME:-default}, NAME of letters, digits and _ (a default holds no } and no other reference)`,
          { line: source.lineOf(path), path: formatPath(path) },
        );
      if (bareReference.test(value)) throw notReference(value);
      let referenced = false;
      const substituted = value.replace(reference, (text: string, name: string | undefined, fallback: string | undefined) => {
        if (name === undefined) throw notReference(text);
        referenced = true;
        const found = environment[name];
        if (found !== undefined && found !== '') {
          values.set(found, `\${${name}}`);
          return found;
        }
        if (fallback !== undefined) return fallback;
        // Set but empty (export KEY=$UNSET_ONE) is told apart: "not set" would send the user to look in the wrong place.
        const problem = found === '' ? 'is set but empty: give it a value before starting, or' : `is not set: export ${name}=… before starting, or give`;
        throw new ConfigError(source.file, `\${${name}} ${problem} a default as \${${name}:-value}`, {
          line: source.lineOf(path),
          path: formatPath(path),
        });
      });
      if (referenced) written.set(formatPath(path), value);
      return substituted;
    }
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]));
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]));
    }
    return value;
  };
  const data = visit(source.data, []);
  // Only a module (.mjs, .js, .ts) reads process.env itself; a YAML or JSON file's unmarked value is
  // its own text, which an error quotes as written even when a variable happens to hold the same.
  const readsEnvironment = /\.(?:mjs|js|ts|mts)$/i.test(source.file);
  let byValue: Map<string, string> | undefined;
  const variableOf = (value: string) => {
    if (!readsEnvironment || value.length < 6) return undefined;
    if (byValue === undefined) {
      byValue = new Map();
      for (const [name, found] of Object.entries(environment)) if (found !== undefined && found.length >= 6 && !byValue.has(found)) byValue.set(found, `\${${name}}`);
    }
    return byValue.get(value);
  };
  // A value no reference marks (a module reading process.env itself) that is a variable's value
  // is hidden too, as its variable.
  const collect = (value: unknown): void => {
    if (typeof value === 'string') {
      const name = variableOf(value);
      if (name !== undefined && !values.has(value)) values.set(value, name);
    } else if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) Object.values(value).forEach(collect);
  };
  collect(data);
  // Longest first: a value inside another is replaced within it only after the longer one is gone.
  const hidden = [...values].filter(([value]) => value.length >= 6).sort(([a], [b]) => b.length - a.length);
  const hide = (text: string) => hidden.reduce((result, [value, name]) => result.split(value).join(name), text);
  return { data, wholeReferences, written, hide, variableOf };
}
