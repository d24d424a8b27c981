import type { Attempt } from '../errors.js';

/** How a request ended. */
export type AuditOutcome = 'success' | 'error' | 'denied' | 'invalid' | 'aborted';

/** One candidate as the router judged it for this request. */
export interface AuditCandidate {
  provider: string;
  model: string;
  eligible: boolean;
  reasons: string[];
}

/**
 * One audit record: everything about how one request was routed and how it ended. It never
 * holds the API key, and holds prompt or completion text only when configured to.
 */
export interface AuditRecord {
  /** Also returned to the caller as `route.audit_id`. */
  id: string;
  /** ISO timestamp of when the request arrived. */
  ts: string;
  /** The key's configured label, or a hash prefix of it; never the key. */
  key_id: string | null;
  requested_model: string | null;
  tier: string | null;
  policy: string | null;
  objective: string | null;
  outcome: AuditOutcome;
  /** The error code when the outcome is not `success`. */
  error_code?: string;
  error_message?: string;
  provider: string | null;
  model: string | null;
  /** With a `test-` key: the answer came from the pseudo-LLM. */
  simulated: boolean;
  candidates: AuditCandidate[];
  attempts: Attempt[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; estimated?: true } | null;
  estimated_cost: number | null;
  cost: number | null;
  /** Present when the actual cost went over the request's `route.max_cost`. */
  max_cost?: number;
  max_cost_exceeded?: true;
  currency: string;
  stream: boolean;
  endpoint: 'chat.completions' | 'embeddings' | 'completions';
  duration_ms: number;
  /** Time spent in the router itself, outside upstream calls. @unit milliseconds */
  overhead_ms: number;
  prev: string | null;
  hash: string;
  [extra: string]: unknown;
}

/** Where audit records go. `write` may be async; the router never waits for it on the response path. */
export interface AuditSink {
  write(record: AuditRecord): void | Promise<void>;
  /** Waits until everything written so far is stored. */
  flush?(): Promise<void>;
  /** Flushes and releases resources. */
  close?(): Promise<void>;
}
