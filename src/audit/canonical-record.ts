import { canonicalJson } from './canonical-json.js';

/*
 * The canonical JSON of an audit record (what its hash covers) without sorting keys per record:
 * the router's records have fixed fields, so their sorted order is computed once, here. The
 * output is byte for byte `canonicalJson` of the record without `hash`; any field this file does
 * not know (a sink's own, a newer version's) sends the record down the generic path instead.
 */

type Write = (value: unknown) => string;

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

/** The fields as a shape's order has them; undefined when the object has a field the shape does not know. */
function writeObject(object: Record<string, unknown>, of: Shape): string | undefined {
  // Plain objects only (records as built or parsed): their keys are their own, and no `toJSON`.
  if (Object.getPrototypeOf(object) !== Object.prototype) return undefined;
  for (const key in object) if (!of.known.has(key)) return undefined;
  let out = '{';
  const { keys, prefixes, writers } = of;
  for (let index = 0; index < keys.length; index++) {
    const value = object[keys[index]!];
    if (value === undefined) continue;
    out += (out.length === 1 ? '' : ',') + prefixes[index]! + writers[index]!(value);
  }
  return `${out}}`;
}

function arrayOf(of: Shape): Write {
  return (value) => {
    if (!Array.isArray(value)) return canonicalJson(value);
    let out = '[';
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const written = item !== null && typeof item === 'object' && !Array.isArray(item) ? writeObject(item as Record<string, unknown>, of) : undefined;
      out += (index === 0 ? '' : ',') + (written ?? (item === undefined ? 'null' : canonicalJson(item)));
    }
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
const usage = shape({ prompt_tokens: scalar, completion_tokens: scalar, total_tokens: scalar, estimated: scalar });

/** Every field of `AuditRecord` but `hash`, which the hash does not cover. */
const record = shape(
  {
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
    candidates: arrayOf(candidate),
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
  },
  ['hash'],
);

/**
 * `canonicalJson` of an audit record without its `hash` (its `prev` included): the text its hash
 * covers. Fixed fields are written in their precomputed order; a record with other fields is
 * canonicalised generically, so the result is the same for any input.
 */
export function canonicalRecordJson(value: Readonly<Record<string, unknown>>): string {
  const written = writeObject(value, record);
  if (written !== undefined) return written;
  const { hash: _hash, ...content } = value;
  return canonicalJson(content);
}
