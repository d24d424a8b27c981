import type { Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Thrown for a command line that cannot run: exit code 2 with the command's usage. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The usage of the command at fault; the CLI's whole usage when absent. */
  usage: string | undefined;
  constructor(message: string, usage?: string) {
    super(message);
    this.usage = usage;
  }
}

/**
 * A comma-separated option value as a list. An empty one (an unset variable: `--provider "$P"`)
 * is refused: read as no item, it would select nothing and the command would quietly output nothing.
 */
export function commaList(value: string | undefined, option: string, noun: string, usage: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${option} needs ${noun} or a comma-separated list of them; got an empty value`, usage);
  return items;
}

/**
 * An option's value, refused when empty (an unset variable: `--config "$CONFIG"`), which would
 * otherwise be read as a file named '' or a model '' and fail as something else.
 */
export function nonEmpty(value: string | undefined, option: string, noun: string, usage: string): string | undefined {
  if (value === '') throw new UsageError(`${option} needs ${noun}; got an empty value`, usage);
  return value;
}

/** Where a command writes: results to stdout, messages to stderr; its environment. */
export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

/** `--help` or `-h` anywhere among the arguments. */
export const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into UsageErrors carrying `usage`. */
export function parseCommand<const T extends Options>(args: string[], options: T, usage: string, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new UsageError((error as Error).message, usage);
    throw error;
  }
}

/** Colour on a terminal only, and never with NO_COLOR (https://no-color.org). */
export function colours(stream: Writable, env: NodeJS.ProcessEnv) {
  const on = (stream as { isTTY?: boolean }).isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
  const paint = (code: number) => (text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { green: paint(32), red: paint(31), dim: paint(2), bold: paint(1), enabled: on };
}

/**
 * A progress line for long runs, on a terminal only and at most a few times a second: pipes and
 * logs get only the result.
 */
export function progress(stderr: Writable, label: string) {
  const tty = (stderr as { isTTY?: boolean }).isTTY === true;
  // Only runs that last: nothing for the first second, then at most four updates a second.
  let last = Date.now() + 750;
  let shown = false;
  return {
    update(count: number) {
      if (!tty || (count & 1023) !== 0) return;
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      shown = true;
      stderr.write(`\r${label}: ${count.toLocaleString('en')} lines`);
    },
    done() {
      if (shown) stderr.write('\r\u001b[2K');
    },
  };
}

/** The lines of a log, passed through, with a progress line on a terminal for long runs. */
export async function* withProgress<T>(lines: AsyncIterable<T>, stderr: Writable, label: string): AsyncGenerator<T> {
  const shown = progress(stderr, label);
  let count = 0;
  try {
    for await (const line of lines) {
      shown.update(++count);
      yield line;
    }
  } finally {
    shown.done();
  }
}
