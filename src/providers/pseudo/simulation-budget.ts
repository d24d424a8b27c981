import { InvalidRequestError } from '../../errors.js';
import { defaultRequestLimits, type ResolvedRequestLimits } from '../../router/options.js';

/*
 * What one simulated answer may still write. Every size the pseudo-LLM generates comes from the
 * request (a schema's minItems, a pattern's repeat, n, dimensions), so each is held to
 * `limits.simulation`: a request that asks for more is refused with a 400 naming the option that
 * raises it, never answered by exhausting the heap. The budget is charged as values are written,
 * so the work done on any request is bounded by `maxAnswerBytes`, not by what it asks for.
 */

export type ResolvedSimulationLimits = ResolvedRequestLimits['simulation'];

export class SimulationBudget {
  /** Bytes of JSON or text written so far, across all choices of the answer. */
  private spent = 0;
  /** Parsed patterns and compiled expressions by source: a schema may use one in every item. */
  private readonly memo = new Map<string, unknown>();

  constructor(readonly limits: ResolvedSimulationLimits = defaultRequestLimits.simulation) {}

  /**
   * Counts `bytes` more of the answer. Throws a 400 naming `limits.simulation.maxAnswerBytes`
   * once the answer passes it; `where` says what was being written, `param` the field at fault.
   */
  spend(bytes: number, where: string, param: string | null): void {
    this.spent += bytes;
    if (this.spent <= this.limits.maxAnswerBytes) return;
    const limit = this.limits.maxAnswerBytes;
    throw new InvalidRequestError(
      `The pseudo-LLM (test- keys) answer would be larger than ${limit} bytes (writing ${where}); the limit is ${limit} ` +
        '(limits.simulation.maxAnswerBytes). Ask for a smaller answer, or raise that option.',
      param,
    );
  }

  /** Counts a value copied from the request (`const`, `enum`, `default`) as its JSON size. */
  spendValue(value: unknown, where: string, param: string | null): void {
    this.spend(jsonSize(value), where, param);
  }

  /** The value made by `make` for `key`, made once per answer. Failures are not kept. */
  remember<T>(key: string, make: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = make();
    this.memo.set(key, value);
    return value;
  }
}

/** Bytes of `value` as JSON; a container is measured once, already bounded by the request's size. */
export function jsonSize(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  if (value === null || value === undefined) return 4;
  return JSON.stringify(value)?.length ?? 4;
}
