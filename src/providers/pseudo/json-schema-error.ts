import { InvalidRequestError } from '../../errors.js';

/*
 * The pseudo-LLM never answers with JSON that breaks the caller's schema: when it cannot build a
 * valid value it fails the request (400) and says where, so a test author can see which keyword
 * to change rather than chase a validation error in their own code.
 */

/** Which schema of the request is being sampled. */
export interface SchemaSource {
  /** For messages, e.g. `the parameters of tool "get_weather"`. */
  label: string;
  /** The request field at fault, reported as the error's `param`. */
  param: string | null;
}

/** Where the sampler is: the request's schema and a JSON pointer into it. */
export interface SchemaLocation {
  source: SchemaSource;
  /** @example '#/properties/items/items' */
  path: string;
}

/** Appends a key to a JSON pointer, escaped as RFC 6901 requires. */
export function childPath(path: string, ...keys: Array<string | number>): string {
  return keys.reduce<string>((pointer, key) => `${pointer}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`, path);
}

/**
 * The 400 for a schema the pseudo-LLM cannot satisfy. `what` names the value it could not
 * write, `why` the reason.
 */
export function unsatisfiableSchema(location: SchemaLocation, what: string, why?: string): InvalidRequestError {
  const reason = why === undefined ? '' : `: ${why}`;
  return new InvalidRequestError(
    `The pseudo-LLM (test- keys) cannot produce ${what} at ${location.path} of ${location.source.label}${reason}. ` +
      'Change that part of the schema, or test it with a real provider key.',
    location.source.param,
  );
}

/**
 * The 400 for a schema asking for more than `limits.simulation` lets the pseudo-LLM write:
 * `what` at that place would need more than `limit` (the option `limits.simulation.{option}`).
 */
export function beyondSimulationLimit(location: SchemaLocation, what: string, option: string, limit: number): InvalidRequestError {
  return new InvalidRequestError(
    `The pseudo-LLM (test- keys) cannot produce ${what} at ${location.path} of ${location.source.label}: ` +
      `the limit is ${limit} (limits.simulation.${option}). Ask for less in the schema, or raise that option.`,
    location.source.param,
  );
}

/** A caller's string quoted in a message, cut short: the message stays small whatever it quotes. */
export function quoted(text: string, length = 100): string {
  return `"${text.length > length ? `${text.slice(0, length)}…` : text}"`;
}
