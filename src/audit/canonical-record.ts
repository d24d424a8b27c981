import { canonicalJson } from './canonical-json.js';

/*
 * The canonical JSON of an audit record (what its hash covers) without sorting keys per record:
 * the router's records have fixed fields, so their sorted order is computed once, here. The
 * output is byte for byte `canonicalJson` of the record without `hash`; any field this file does
 * not know (a sink's own, a newer version's) sends the record down the generic path instead.
 *
 * A record with thousands of eligible candidates is large (≈ 160 KiB at 2,100), so two more
 * savings, neither of which changes a byte:
 * - the text comes out in parts of at most `partLength` characters, which a hash takes one
 *   after the other: one string of more than 128 KiB lands in V8's large-object space, and
 *   allocating and collecting that costs more than hashing it;
 * - a frozen candidate entry (with frozen reasons) cannot change, so its text is written once
 *   and reused by every record that holds it, and so is the text of a frozen list of such
 *   entries (the router shares one frozen entry per plainly eligible candidate, and one frozen
 *   list across records while the list stays the same: src/router/audit-candidates.ts).
 */

/** Where canonical text goes: whole values are appended, and cut into parts between them. */
class Parts {
  readonly done: string[] = [];
  private current = '';

  add(text: string): void {
    this.current += text;
    if (this.current.length >= partLength) {
      this.done.push(this.current);
      this.current = '';
    }
  }

  /** Whole parts written elsewhere, after what is here so far. */
  addParts(parts: readonly string[]): void {
    if (this.current !== '') this.done.push(this.current);
    this.current = '';
    for (const part of parts) this.done.push(part);
  }

  end(): string[] {
    if (this.current !== '' || this.done.length === 0) this.done.push(this.current);
    return this.done;
  }
}

/**
 * A part is cut once it reaches this many UTF-16 code units, always between two values (never
 * inside a string, so never between a surrogate pair): ≤ 64 KiB as UTF-16, well under V8's
 * large-object threshold even with the last value that crossed the mark.
 */
const partLength = 16_384;

type Write = (value: unknown) => string;
type WriteInto = (value: unknown, out: Parts) => void;

/** A fixed-field object: its keys in canonical order, with each key's `"key":` prefix ready. */
interface Shape {
  keys: readonly string[];
  prefixes: readonly string[];
  writers: readonly Write[];
  known: ReadonlySet<string>;
}

function shape(fields: Record<string, Write>, skipped: readonly string[] = []): Shape {
  const keys = Object.keys(fields).sort();
  return {
    keys,
    prefixes: keys.map((key) => `${JSON.stringify(key)}:`),
    writers: keys.map((key) => fields[key]!),
    known: new Set([...keys, ...skipped]),
  };
}

/** A scalar (string, number, boolean, null) as `JSON.stringify` writes it; anything else generically. */
const scalar: Write = (value) => (value === null || typeof value !== 'object' ? (JSON.stringify(value) ?? 'null') : canonicalJson(value));

/** Whether a plain object (records as built or parsed: own keys, no `toJSON`) has only fields the shape knows. */
function fits(object: Record<string, unknown>, of: Shape): boolean {
  if (Object.getPrototypeOf(object) !== Object.prototype) return false;
  for (const key in object) if (!of.known.has(key)) return false;
  return true;
}

/** The fields as a shape's order has them; undefined when the object has a field the shape does not know. */
function writeObject(object: Record<string, unknown>, of: Shape): string | undefined {
  if (!fits(object, of)) return undefined;
  let out = '{';
  const { keys, prefixes, writers } = of;
  for (let index = 0; index < keys.length; index++) {
    const value = object[keys[index]!];
    if (value === undefined) continue;
    out += (out.length === 1 ? '' : ',') + prefixes[index]! + writers[index]!(value);
  }
  return `${out}}`;
}

/** One array item: by its shape when it fits, generically otherwise (as `canonicalJson` would write it). */
function writeItem(item: unknown, of: Shape): string {
  const written = item !== null && typeof item === 'object' && !Array.isArray(item) ? writeObject(item as Record<string, unknown>, of) : undefined;
  return written ?? (item === undefined ? 'null' : canonicalJson(item));
}

function arrayOf(of: Shape): Write {
  return (value) => {
    if (!Array.isArray(value)) return canonicalJson(value);
    let out = '[';
    for (let index = 0; index < value.length; index++) out += (index === 0 ? '' : ',') + writeItem(value[index], of);
    return `${out}]`;
  };
}

function objectOf(of: Shape): Write {
  return (value) =>
    (value !== null && typeof value === 'object' && !Array.isArray(value) ? writeObject(value as Record<string, unknown>, of) : undefined) ??
    canonicalJson(value);
}

const attempt = shape({ provider: scalar, model: scalar, outcome: scalar, status: scalar, code: scalar, message: scalar, latency_ms: scalar });
const candidate = shape({ provider: scalar, model: scalar, eligible: scalar, reasons: canonicalJson });
const exclusion = shape({ reason: scalar, count: scalar, examples: canonicalJson });
const usage = shape({ prompt_tokens: scalar, completion_tokens: scalar, total_tokens: scalar, cached_tokens: scalar, cache_write_tokens: scalar, estimated: scalar });

/** The text of frozen candidate entries, by entry: they cannot change, so it is written once. */
const frozenText = new WeakMap<object, string>();

/** A candidate entry's text, from the cache when the entry (and its reasons) are frozen. */
function candidateText(item: unknown): string {
  if (item === null || typeof item !== 'object') return writeItem(item, candidate);
  let text = frozenText.get(item);
  if (text !== undefined) return text;
  text = writeItem(item, candidate);
  const reasons = (item as { reasons?: unknown }).reasons;
  if (Object.isFrozen(item) && (reasons === null || typeof reasons !== 'object' || Object.isFrozen(reasons))) frozenText.set(item, text);
  return text;
}

/** The text of frozen candidate lists (of frozen entries), by list, in parts: written once. */
const frozenListText = new WeakMap<object, readonly string[]>();

/** The candidates, one entry at a time into the parts: the one field that grows with the catalogue. */
const candidates: WriteInto = (value, out) => {
  if (!Array.isArray(value)) {
    out.add(canonicalJson(value));
    return;
  }
  const cached = frozenListText.get(value);
  if (cached !== undefined) {
    out.addParts(cached);
    return;
  }
  // A frozen list of frozen entries cannot change: written into parts of its own, kept.
  const list = Object.isFrozen(value) ? new Parts() : out;
  let frozen = list !== out;
  list.add('[');
  for (let index = 0; index < value.length; index++) {
    if (index > 0) list.add(',');
    const item: unknown = value[index];
    list.add(candidateText(item));
    if (frozen && (item === null || typeof item !== 'object' || !frozenText.has(item))) frozen = false;
  }
  list.add(']');
  if (list === out) return;
  const parts = list.end();
  if (frozen) frozenListText.set(value, parts);
  out.addParts(parts);
};

/** Every field of `AuditRecord` but `hash`, which the hash does not cover. */
const recordFields: Record<string, Write | WriteInto> = {
  id: scalar,
  ts: scalar,
  key_id: scalar,
  requested_model: scalar,
  tier: scalar,
  policy: scalar,
  policy_hash: scalar,
  objective: scalar,
  outcome: scalar,
  error_code: scalar,
  error_message: scalar,
  provider: scalar,
  model: scalar,
  simulated: scalar,
  candidates,
  excluded: arrayOf(exclusion),
  attempts: arrayOf(attempt),
  fallback_used: scalar,
  explored: scalar,
  usage: objectOf(usage),
  estimated_cost: scalar,
  cost: scalar,
  max_cost: scalar,
  max_cost_exceeded: scalar,
  currency: scalar,
  stream: scalar,
  endpoint: scalar,
  duration_ms: scalar,
  overhead_ms: scalar,
  content: canonicalJson,
  dropped: canonicalJson,
  prev: scalar,
};
const record = shape(recordFields as Record<string, Write>, ['hash']);
/** Which record fields write into the parts themselves, by index in `record.keys`. */
const writesInto = record.keys.map((key) => recordFields[key] === candidates);

/**
 * `canonicalJson` of an audit record without its `hash` (its `prev` included), in parts whose
 * concatenation is the text its hash covers. Fixed fields are written in their precomputed
 * order; a record with other fields is canonicalised generically, so the text is the same for
 * any input.
 */
export function canonicalRecordParts(value: Readonly<Record<string, unknown>>): string[] {
  if (!fits(value, record)) {
    const { hash: _hash, ...content } = value;
    return [canonicalJson(content)];
  }
  const out = new Parts();
  const { keys, prefixes, writers } = record;
  let first = true;
  out.add('{');
  for (let index = 0; index < keys.length; index++) {
    const field = value[keys[index]!];
    if (field === undefined) continue;
    out.add(first ? prefixes[index]! : `,${prefixes[index]!}`);
    first = false;
    if (writesInto[index]) (writers[index] as unknown as WriteInto)(field, out);
    else out.add(writers[index]!(field));
  }
  out.add('}');
  return out.end();
}

/** `canonicalJson` of an audit record without its `hash` (its `prev` included): the text its hash covers. */
export function canonicalRecordJson(value: Readonly<Record<string, unknown>>): string {
  return canonicalRecordParts(value).join('');
}
