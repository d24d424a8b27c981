import { quote } from './quote.js';

/** The most of a validation message a refusal carries: it may list the caller's keys. @unit characters */
const maxMessage = 1024;

/**
 * `['messages', 0, 'role']` → `messages[0].role`, the way OpenAI names a request field. A key
 * longer than 256 characters is cut there and followed by `…`: the caller chooses keys, and the
 * `param` reaches the caller, the logs and the audit record.
 */
export function paramPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') {
      out += `[${part}]`;
      continue;
    }
    const key = quote(part);
    out += out === '' ? key : `.${key}`;
  }
  return out;
}

/** A validation message cut at 1024 characters, then `…`, whatever it quotes of the request. */
export function boundedMessage(message: string): string {
  return message.length > maxMessage ? `${message.slice(0, maxMessage)}…` : message;
}
