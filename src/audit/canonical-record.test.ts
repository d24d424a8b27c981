import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { canonicalRecordJson, canonicalRecordParts } from './canonical-record.js';
import { hashRecord } from './hash-chain.js';
import { pureSha256Hex, sha256Hex } from '../internal/sha256.js';

/** The generic path: what every record's hash covered before the fixed-field writer existed. */
function generic(record: Record<string, unknown>): string {
  const { hash: _hash, ...content } = record;
  return canonicalJson(content);
}

const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', 'é€😀', '"\\\n\u2028', '__proto__'));
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, 1e21, 0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY));
const anything = fc.anything({ withNullPrototype: false, withBigInt: false, withBoxedValues: false, withDate: false, withMap: false, withSet: false, withTypedArray: false, withSparseArray: true });
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });

const attempt = fc.record(
  { provider: text, model: text, outcome: fc.constantFrom('ok', 'error'), status: maybe(fc.integer()), code: maybe(text), message: maybe(text), latency_ms: number },
  { requiredKeys: ['provider', 'model', 'outcome', 'latency_ms'] },
);
const candidate = fc.record({ provider: text, model: text, eligible: fc.boolean(), reasons: fc.array(text, { maxLength: 3 }) });
const usage = fc.record(
  { prompt_tokens: fc.nat(), completion_tokens: fc.nat(), total_tokens: fc.nat(), cached_tokens: fc.nat(), cache_write_tokens: fc.nat(), estimated: fc.constant(true as const) },
  { requiredKeys: ['prompt_tokens', 'completion_tokens', 'total_tokens'] },
);

/** Records shaped like the router's, with optional fields present or not, and odd values. */
const record = fc.record(
  {
    id: text,
    ts: text,
    key_id: nullable(text),
    requested_model: nullable(text),
    tier: nullable(text),
    policy: nullable(text),
    policy_hash: nullable(text),
    objective: nullable(text),
    outcome: fc.constantFrom('success', 'error', 'denied', 'invalid', 'aborted', 'dropped'),
    error_code: maybe(text),
    error_message: maybe(text),
    provider: nullable(text),
    model: nullable(text),
    simulated: fc.boolean(),
    candidates: fc.array(candidate, { maxLength: 4 }),
    excluded: fc.array(fc.record({ reason: text, count: fc.nat(), examples: fc.array(text, { maxLength: 3 }) }), { maxLength: 3 }),
    attempts: fc.array(attempt, { maxLength: 4 }),
    fallback_used: fc.boolean(),
    explored: fc.constant(true as const),
    usage: nullable(usage),
    estimated_cost: nullable(number),
    cost: nullable(number),
    max_cost: number,
    max_cost_exceeded: fc.constant(true as const),
    currency: text,
    stream: fc.boolean(),
    endpoint: fc.constantFrom('chat.completions', 'embeddings', 'completions', 'responses', 'other'),
    duration_ms: number,
    overhead_ms: number,
    content: anything,
    dropped: fc.record({ count: fc.nat(), ids: fc.array(text), reason: fc.constant('queue_full') }),
    prev: nullable(fc.stringMatching(/^[0-9a-f]{64}$/)),
    hash: fc.stringMatching(/^[0-9a-f]{64}$/),
  },
  { requiredKeys: ['id', 'ts', 'outcome', 'candidates', 'attempts', 'prev'] },
);

/** A field no record of this version has, at the top or inside a candidate, attempt or usage. */
const withExtra = fc.tuple(record, fc.constantFrom('top', 'attempt', 'candidate', 'usage', 'exclusion'), fc.string(), anything).map(([value, where, key, extra]) => {
  const copy = structuredClone(value) as Record<string, unknown> & { attempts: object[]; candidates: object[]; excluded?: object[]; usage: object | null };
  const target = where === 'top' ? copy : where === 'usage' ? copy.usage : (where === 'attempt' ? copy.attempts : where === 'exclusion' ? (copy.excluded ?? []) : copy.candidates)[0];
  if (target) Object.defineProperty(target, key, { value: extra, enumerable: true, writable: true, configurable: true });
  return copy;
});

describe('canonicalRecordJson', () => {
  it('is byte for byte the generic canonical JSON of any record shaped like the router’s', () => {
    fc.assert(fc.property(record, (value) => {
        expect(canonicalRecordJson(value)).toBe(generic(value));
      }), { numRuns: 3000 });
  });

  it('is the generic canonical JSON too when a record carries fields it does not know, at any level', () => {
    fc.assert(fc.property(withExtra, (value) => {
        expect(canonicalRecordJson(value)).toBe(generic(value));
      }), { numRuns: 2000 });
  });

  it('keeps the hash of a record as written before: a known record hashes to its known hash', () => {
    const known = {
      id: 'req_0123456789abcdef0123456789abcdef',
      ts: '2026-01-02T03:04:05.678Z',
      key_id: 'team-a',
      requested_model: 'eu-cheapest',
      tier: null,
      policy: 'eu-sovereign',
      policy_hash: 'aa'.repeat(32),
      objective: 'cost',
      outcome: 'success',
      provider: 'mistral',
      model: 'mistral-small',
      simulated: false,
      candidates: [{ provider: 'mistral', model: 'mistral-small', eligible: true, reasons: [] }],
      attempts: [{ provider: 'mistral', model: 'mistral-small', outcome: 'ok', latency_ms: 12.34 }],
      fallback_used: false,
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      estimated_cost: 0.0001,
      cost: 0.00009,
      currency: 'EUR',
      stream: false,
      endpoint: 'chat.completions',
      duration_ms: 13.5,
      overhead_ms: 0.042,
      prev: null,
      hash: 'ignored',
    };
    expect(canonicalRecordJson(known)).toBe(generic(known));
    // SHA-256 of its canonical JSON, as computed by the generic canonicaliser.
    expect(hashRecord(known)).toBe('c03bc42eadbb4183200f86102bb818513eb12f99c4ebf1269d1bdc8b7f74f3c1');
  });

  it('writes shared frozen candidate entries and lists from their cached text, the same as fresh copies, and hashes the same', () => {
    // Entries and lists as the router shares them (frozen, in many records), mixed with fresh
    // ones; long enough lists that the text is cut into several parts.
    const entry = candidate.map((value) => Object.freeze({ ...value, reasons: Object.freeze([...value.reasons]) as unknown as string[] }));
    const shared = fc.array(entry, { minLength: 1, maxLength: 40 });
    const scenario = fc.tuple(record, shared, fc.integer({ min: 1, max: 600 }), fc.array(candidate, { maxLength: 3 }), fc.boolean());
    fc.assert(fc.property(scenario, ([value, entries, repeat, fresh, freezeList]) => {
        const list = Array.from({ length: repeat }, (_, index) => entries[index % entries.length]!);
        const candidates = freezeList ? Object.freeze(list) : [...list, ...fresh];
        // Twice each: the first write fills the caches, the second reads them.
        for (const holder of [{ ...value, candidates }, { ...value, id: `${String(value.id)}-2`, candidates }, { ...value, candidates }]) {
          const copy = structuredClone(holder);
          const parts = canonicalRecordParts(holder);
          expect(parts.join('')).toBe(generic(copy));
          expect(canonicalRecordJson(holder)).toBe(generic(copy));
          expect(hashRecord(holder)).toBe(sha256Hex(generic(copy)));
          expect(hashRecord(holder)).toBe(pureSha256Hex(generic(copy)));
        }
      }), { numRuns: 150 });
  });

  it('cuts a large record into parts small enough to stay out of the large-object heap, never inside a value', () => {
    const entries = Array.from({ length: 2100 }, (_, index) => Object.freeze({ provider: `provider-${index % 50}`, model: `model-${index}`, eligible: true, reasons: Object.freeze([]) as unknown as string[] }));
    const value = { id: 'req_1', ts: '2026-01-02T03:04:05.678Z', outcome: 'success', candidates: Object.freeze(entries), attempts: [], prev: null };
    const parts = canonicalRecordParts(value);
    expect(parts.length).toBeGreaterThan(4);
    for (const part of parts) expect(part.length).toBeLessThan(64 * 1024);
    // Every cut falls between two candidates' texts, or around the list's brackets.
    for (const part of parts.slice(1, -1)) expect(part).toMatch(/^(,|\{|\[)/);
    expect(parts.join('')).toBe(generic(structuredClone(value)));
  });
});
