/**
 * Where the router reports what it does: sink failures (errors), start-up warnings, and each
 * routing decision at debug level. Any object with these four methods works: `console`, a pino
 * or winston logger. Nothing logged ever holds an API key, and never request or answer text.
 */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** The logger in use and whether decisions are logged at debug level. */
export interface ResolvedLogger {
  logger: Logger;
  /** Routing decisions go to `logger.debug`. */
  debug: boolean;
}

/** The names of `DEBUG` that mean the decision log. */
const decisionLogName = /^(sovroute(:\*|\*|:.*)?|\*)$/;

/**
 * `DEBUG=sovroute*` (or `sovroute`, `sovroute:*`, `*`, in a comma-separated list) turns the
 * decision log on; as with the `debug` package, a name with a leading `-` (`DEBUG=*,-sovroute*`)
 * leaves it out, wherever it stands in the list.
 */
export function debugFromEnvironment(value: string | undefined): boolean {
  if (!value) return false;
  const names = value.split(/[\s,]+/);
  if (names.some((name) => name.startsWith('-') && decisionLogName.test(name.slice(1)))) return false;
  return names.some((name) => decisionLogName.test(name));
}

const stderrLogger: Logger = {
  // The decision log goes to stderr like other debug output (the `debug` package's convention).
  debug: (message) => console.error(message),
  info: (message) => console.error(`sovroute: ${message}`),
  warn: (message) => console.error(`sovroute: warning: ${message}`),
  error: (message) => console.error(`sovroute: ${message}`),
};

/**
 * The given logger, with decisions at debug level unless it says debug is off (pino's and
 * winston's `isLevelEnabled('debug')`, or a `level` above debug); without one, errors and
 * warnings go to stderr as before, and decisions only when `DEBUG=sovroute*`.
 */
export function resolveLogger(logger: Logger | undefined): ResolvedLogger {
  const environment = typeof process === 'undefined' ? undefined : process.env?.DEBUG;
  if (logger === undefined) return { logger: stderrLogger, debug: debugFromEnvironment(environment) };
  return { logger, debug: debugFromEnvironment(environment) || debugEnabled(logger) };
}

function debugEnabled(logger: Logger): boolean {
  const candidate = logger as Logger & { isLevelEnabled?: (level: string) => boolean; level?: unknown };
  if (typeof candidate.isLevelEnabled === 'function') return candidate.isLevelEnabled('debug');
  if (typeof candidate.level === 'string') return ['debug', 'trace', 'silly', 'verbose'].includes(candidate.level);
  // console and plain objects: debug is whatever their debug method does.
  return true;
}
