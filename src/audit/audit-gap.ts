import { randomUuidHex } from '../internal/random-id.js';
import type { AuditRecordBody } from './types.js';

/** Ids one gap record names at most; further drops open the next gap record. */
const maxIds = 1000;

/**
 * Records dropped one after another (`audit.onFull: 'drop'`), collected until they are chained:
 * then they become one gap record in the place where they would have been, so the log says
 * where records are missing and how many, and its chain still verifies.
 */
export class AuditGap {
  readonly #ids: string[] = [];
  readonly #first: AuditRecordBody;
  readonly #queueLimit: number;

  constructor(first: AuditRecordBody, queueLimit: number) {
    this.#first = first;
    this.#queueLimit = queueLimit;
    this.#ids.push(first.id);
  }

  /** Whether another dropped record may be named here. */
  get open(): boolean {
    return this.#ids.length < maxIds;
  }

  add(record: AuditRecordBody): void {
    this.#ids.push(record.id);
  }

  /** The gap record, shaped like a request's record so that every reader of a log can read it. */
  record(): AuditRecordBody {
    const count = this.#ids.length;
    const first = this.#first;
    return {
      id: `gap_${randomUuidHex()}`,
      // When the first dropped request arrived.
      ts: first.ts,
      key_id: null,
      requested_model: null,
      tier: null,
      policy: null,
      policy_hash: null,
      objective: null,
      outcome: 'dropped',
      error_code: 'queue_full',
      error_message: `${count} audit record${count === 1 ? ' was' : 's were'} dropped here: ${this.#queueLimit} records were waiting to be stored (audit.queueLimit) and audit.onFull is 'drop'; ids: ${this.#ids.join(' ')}`,
      provider: null,
      model: null,
      simulated: false,
      candidates: [],
      attempts: [],
      fallback_used: false,
      usage: null,
      estimated_cost: null,
      cost: null,
      currency: first.currency,
      stream: false,
      endpoint: first.endpoint,
      duration_ms: 0,
      overhead_ms: 0,
      dropped: { count, ids: [...this.#ids], reason: 'queue_full' },
    };
  }
}
