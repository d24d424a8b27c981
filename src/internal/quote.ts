/** The most of a caller's string (an id, a type, a role, a key in a `param`) a refusal quotes. @unit characters */
const maxQuoted = 256;

/**
 * A string the caller sent, as a refusal quotes it: its first 256 characters, then `…`. The
 * message reaches the caller and the audit record, whose size the caller must not set.
 */
export function quote(value: unknown): string {
  const text = String(value);
  return text.length > maxQuoted ? `${text.slice(0, maxQuoted)}…` : text;
}
