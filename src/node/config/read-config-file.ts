import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { ConfigError } from './config-error.js';

export type ConfigPath = readonly PropertyKey[];

/** A configuration file's data, and where each setting sits in it (YAML and JSON only). */
export interface ConfigSource {
  file: string;
  data: unknown;
  /** The 1-based line of the value at `path` (or of `key` in the mapping at `path`). */
  lineOf(path: ConfigPath, key?: string): number | undefined;
}

const noLines = () => undefined;

/** Reads `sovroute.config.{json,yaml,yml,mjs,js,ts}`; the format is the extension's. */
export async function readConfigFile(file: string): Promise<ConfigSource> {
  // `--config .` or a folder: said as such, not as a format without extension or Node's EISDIR.
  if ((await stat(file).catch(() => undefined))?.isDirectory()) {
    throw new ConfigError(file, `is a directory; give the configuration file's path, such as ${join(file, 'sovroute.config.yaml')}`);
  }
  const extension = extname(file).toLowerCase();
  if (extension === '.mjs' || extension === '.js' || extension === '.ts' || extension === '.mts') return importConfig(file, extension);
  if (extension !== '.json' && extension !== '.yaml' && extension !== '.yml') {
    throw new ConfigError(file, `unknown configuration format "${extension || 'none'}": name the file sovroute.config.yaml, .json, .mjs or .ts`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, `cannot read the configuration: ${(error as Error).message}`, { cause: error });
  }
  // A byte order mark (Windows editors write one) is no JSON; YAML ignores it, and so does JSON here.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineCounter = new LineCounter();
  // JSON is YAML 1.2: one parser gives positions for both, and JSON keeps its own strictness.
  // Merge keys (`<<: *anchor`) as YAML 1.1 and Docker Compose read them: one entry's settings shared with another.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (extension === '.json') {
    try {
      JSON.parse(text);
    } catch (error) {
      const { reason, offset } = jsonSyntaxError((error as Error).message, text);
      // Node 20 does not always tell the position; the YAML parser's first error usually does.
      const position = offset ?? document.errors[0]?.pos[0];
      const line = position === undefined ? undefined : lineCounter.linePos(position).line;
      // Not V8's error as the cause: its message quotes the text.
      throw new ConfigError(file, `not valid JSON: ${reason}`, { line, cause: new SyntaxError(reason) });
    }
  }
  const problem = document.errors[0];
  if (problem) throw documentError(file, text, document, lineCounter, problem);
  const unknownTag = document.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (unknownTag) {
    // Read as plain text, `apiKey: !env NAME` would send the text NAME as the key.
    throw new ConfigError(file, `${unknownTag.message.split('\n')[0]}: the configuration knows no YAML tags; write \${NAME} to read the environment variable NAME`, {
      line: lineCounter.linePos(unknownTag.pos[0]).line,
    });
  }
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    throw aliasError(file, document, lineCounter, error);
  }
  return {
    file,
    data,
    lineOf: (path, key) => {
      const offset = offsetOf(document, path, key);
      return offset === undefined ? undefined : lineCounter.linePos(offset).line;
    },
  };
}

/**
 * What the parser found wrong, as the user reads it: a key set twice is named, with both its
 * lines; a second document is not told to call the parser's parseAllDocuments().
 */
function documentError(file: string, text: string, document: Document, lineCounter: LineCounter, problem: YAMLError): ConfigError {
  const line = lineCounter.linePos(problem.pos[0]).line;
  if (problem.code === 'DUPLICATE_KEY') {
    // The error is at the second key; the first is in the same mapping (JSON allows this, and a
    // later value silently winning is what the error spares the user).
    let twice: { key: unknown; first: number | undefined } | undefined;
    visit(document, {
      Map(_, map) {
        const pair = map.items.find((item) => isScalar(item.key) && item.key.range?.[0] === problem.pos[0]);
        if (pair === undefined) return undefined;
        const key = (pair.key as { value: unknown }).value;
        const first = map.items.find((item) => isScalar(item.key) && item.key.value === key)?.key as { range?: [number] } | undefined;
        twice = { key, first: first?.range === undefined ? undefined : lineCounter.linePos(first.range[0]).line };
        return visit.BREAK;
      },
    });
    if (twice !== undefined) {
      return new ConfigError(file, `${String(twice.key)} is set twice in the same mapping${twice.first === undefined ? '' : ` (first on line ${twice.first})`}: keep one`, { line });
    }
  }
  if (problem.code === 'MULTIPLE_DOCS') {
    return new ConfigError(file, 'the file holds a second YAML document here (after ---): a configuration is one document; remove this --- to keep its settings', { line });
  }
  // `{ apiKey: ${KEY} }`: in a flow collection the reference's braces open a mapping, and the
  // parser's words ("Unexpected flow-map-start at node end") do not say that quotes fix it.
  const row = text.slice(lineCounter.lineStarts[line - 1] ?? 0, lineCounter.lineStarts[line] ?? text.length);
  if (/[{[][^'"]*\$\{/.test(row)) {
    return new ConfigError(file, "not valid YAML: inside { } or [ ], quote a ${NAME} reference ('${NAME}'), or YAML reads its braces as a mapping", { line, cause: problem });
  }
  return new ConfigError(file, `not valid YAML: ${problem.message.split('\n')[0]}`, { line, cause: problem });
}

/**
 * Why the document's aliases could not be resolved: one naming no anchor (a value starting with
 * `*`, which may be a key: never quoted), or too many (YAML's "billion laughs").
 */
function aliasError(file: string, document: Document, lineCounter: LineCounter, error: unknown): ConfigError {
  let line: number | undefined;
  visit(document, {
    Alias(_, node) {
      if (node.resolve(document) !== undefined || node.range === undefined || node.range === null) return undefined;
      line = lineCounter.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  if (line !== undefined) {
    return new ConfigError(file, "not valid YAML: an alias (*name) names no anchor (&name) set before it; quote a value that starts with * ('*…')", { line });
  }
  return new ConfigError(file, `not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
}

/** V8's message for a token it did not expect quotes up to 10 characters of the text either side of it. */
const quotedContext = /^(?:(Unexpected token '.+?'), )?(\.\.\.)?"(.*)"(\.\.\.)? is not valid JSON$/su;

/**
 * Why JSON.parse refused the file, without the text V8 quotes around the error (the value next
 * to it may be a key the file holds), and where, when that can be told.
 */
function jsonSyntaxError(message: string, text: string): { reason: string; offset: number | undefined } {
  const quoted = quotedContext.exec(message);
  if (quoted === null) {
    const position = /position (\d+)/.exec(message)?.[1];
    return { reason: message.split('\n')[0]!, offset: position === undefined ? undefined : Number(position) };
  }
  const [, token, cutBefore, context = '', cutAfter] = quoted;
  const reason = token ?? 'Unexpected text';
  // The context is text.slice(offset - 10, offset + 10), cut at the text's ends.
  if (cutBefore !== undefined) {
    const start = text.indexOf(context);
    return { reason, offset: start === -1 ? undefined : start + 10 };
  }
  if (cutAfter !== undefined) return { reason, offset: Math.max(0, context.length - 10) };
  return { reason, offset: undefined };
}

function offsetOf(document: Document, path: ConfigPath, key: string | undefined): number | undefined {
  // The deepest node of the path that exists: a missing setting points at its parent.
  let node: unknown = document.contents;
  let offset = (node as { range?: [number] } | null)?.range?.[0];
  for (const segment of [...path, ...(key === undefined ? [] : [key])]) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === segment);
      if (!pair) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      offset = (node as { range?: [number] } | undefined)?.range?.[0] ?? offset;
    } else break;
  }
  return offset;
}

async function importConfig(file: string, extension: string): Promise<ConfigSource> {
  const url = pathToFileURL(resolve(file)).href;
  let module: { default?: unknown };
  try {
    if (extension === '.ts' || extension === '.mts') {
      // TypeScript needs a loader; tsx's is used when the project has it, and nothing is bundled for it.
      let tsx: { tsImport(specifier: string, parent: string): Promise<unknown> };
      try {
        // A variable specifier: the bundler must leave tsx to the user's project, never bundle it.
        const loader: string = 'tsx/esm/api';
        tsx = (await import(loader)) as typeof tsx;
      } catch (error) {
        throw new ConfigError(file, 'a .ts configuration needs tsx (npm install --save-dev tsx); or write sovroute.config.mjs or .yaml instead', { cause: error });
      }
      module = (await tsx.tsImport(url, url)) as { default?: unknown };
    } else module = (await import(url)) as { default?: unknown };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(file, `cannot load the configuration: ${(error as Error).message}`, { cause: error });
  }
  // A .ts file outside an ESM package is compiled to CommonJS: its default export sits one level down.
  const value = module.default as { default?: unknown } | undefined;
  if (value !== null && typeof value === 'object' && 'default' in value && Object.keys(value).every((key) => key === 'default' || key === '__esModule')) {
    module = { default: value.default };
  }
  if (module.default === undefined) throw new ConfigError(file, 'the module has no default export: end it with `export default { providers: [...] }`');
  return { file, data: module.default, lineOf: noLines };
}
