import { RouterError } from '../../errors.js';

/**
 * A configuration file that cannot be used: the message names the file, the line (YAML and
 * JSON) or the path of the setting, and what to change.
 */
export class ConfigError extends RouterError {
  override name = 'ConfigError';
  /** The configuration file. */
  readonly file: string;
  /** 1-based line of the failing setting, when the format tells positions. */
  readonly line: number | undefined;

  constructor(file: string, message: string, options: { line?: number | undefined; path?: string | undefined; cause?: unknown } = {}) {
    const where = options.line === undefined ? file : `${file}:${options.line}`;
    super(`${where}: ${options.path ? `${options.path}: ` : ''}${message}`, { code: 'invalid_request', status: 400, param: options.path ?? null, cause: options.cause });
    this.file = file;
    this.line = options.line;
  }
}

/** The closest of `names` to `name` (edit distance at most a third of its length), for "did you mean". */
export function closest(name: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.ceil(name.length / 3)) + 1;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
