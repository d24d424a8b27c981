import type { Attempt } from '../errors.js';
import type { AuditError } from './audit-error.js';

/**
 * How a request ended. `'dropped'` is not a request: it is a gap record, standing where records
 * were dropped because the audit queue was full (`audit.onFull: 'drop'`); see `AuditDropped`.
 */
export type AuditOutcome = 'success' | 'error' | 'denied' | 'invalid' | 'aborted' | 'dropped';

/**
 * What a gap record (outcome `'dropped'`) says about the records missing at its place in the
 * chain. The gap record is chained like any other, so the log still verifies, and a reviewer
 * sees where records are missing, how many, and which request ids they belonged to.
 */
export interface AuditDropped {
  /** How many records were dropped here. */
  count: number;
  /** Their ids, as their callers received them (`route.audit_id`, `x-request-id`). */
  ids: string[];
  /** Why: the audit queue held `audit.queueLimit` records and `audit.onFull` is `'drop'`. */
  reason: 'queue_full';
}

/** One candidate as the router judged it for this request. */
export interface AuditCandidate {
  provider: string;
  model: string;
  eligible: boolean;
  reasons: string[];
}

/** What an audit record keeps of the candidates: see `AuditOptions.candidates`. */
export type AuditCandidatesMode = 'summary' | 'all';

/**
 * Candidates a request excluded for the same reasons, counted: what a record keeps of the
 * excluded candidates with `audit.candidates: 'summary'` (the default).
 */
export interface AuditExclusion {
  /** The reasons, joined by `; ` in the order `explain()` lists them. */
  reason: string;
  /** How many candidates had exactly these reasons. */
  count: number;
  /** The first few of them (at most `auditExclusionExamples`), as `provider/model`. */
  examples: string[];
}

/**
 * What an audit record keeps of the text of a request: nothing (`'none'`, the default), the
 * SHA-256 of each message and of each answer (`'hash'`), or the text itself (`'full'`).
 */
export type AuditContentMode = 'none' | 'hash' | 'full';

/** One answer (one choice) as the caller received it; a stream's deltas joined. */
export interface AuditCompletion {
  /** The answer's text, or its list of parts when the upstream answered with parts (Mistral's Magistral: thinking, then text). */
  content: string | unknown[] | null;
  /** The calls it asks for: function calls, or calls of OpenAI's custom tools (`type: 'custom'`). */
  tool_calls?: ({ id: string; type: 'function'; function: { name: string; arguments: string } } | { id: string; type: 'custom'; custom: { name: string; input: string } })[];
}

/**
 * The request's text, present only when `audit.content` is `'hash'` or `'full'`. With `'hash'`
 * each entry is the hex SHA-256 of the item's canonical JSON, the value `contentHash(item)`
 * returns for it, so a known message can be matched without the log holding its text.
 */
export type AuditContent =
  | { mode: 'hash'; prompt: string[]; completion: string[] | null }
  | { mode: 'full'; prompt: unknown[]; completion: AuditCompletion[] | null };

/** An audit record's fields before it is chained (`prev`, `hash`). */
export interface AuditRecordBody {
  /** Also returned to the caller: `route.audit_id`, `stream.requestId`, `error.auditId`, `x-request-id`. */
  id: string;
  /** ISO timestamp of when the request arrived. */
  ts: string;
  /** The key's configured label, or a hash prefix of it; never the key. */
  key_id: string | null;
  requested_model: string | null;
  tier: string | null;
  /** The effective policy's name (router ∩ key ∩ model string). */
  policy: string | null;
  /** SHA-256 of the effective policies' content (see `policyHash`): a changed policy shows. */
  policy_hash: string | null;
  objective: string | null;
  outcome: AuditOutcome;
  /** The error code when the outcome is not `success`. */
  error_code?: string;
  error_message?: string;
  provider: string | null;
  model: string | null;
  /**
   * With a `test-` key: the answer came from the pseudo-LLM, and `cost` is what its tokens would
   * have cost on the deployment it stands for. Nothing was spent: leave such records out of a sum
   * of spend, as budgets and `sovroute audit report` do.
   */
  simulated: boolean;
  /**
   * The candidates weighed: with `audit.candidates: 'all'` (and in records written before the
   * summary existed) every one, eligible or not; by default the eligible ones only, the ranked
   * ones first in the order a call walks them, and the excluded ones summarised in `excluded`.
   */
  candidates: AuditCandidate[];
  /**
   * The excluded candidates, counted by their reasons (`audit.candidates: 'summary'`, the
   * default); absent when `candidates` lists every candidate, and when routing never started.
   */
  excluded?: AuditExclusion[];
  attempts: Attempt[];
  /** Whether a candidate other than the first one tried served (or last failed) the request. */
  fallback_used: boolean;
  /** Present when the first candidate was chosen to measure it (exploration), not as the best estimate. */
  explored?: true;
  /**
   * Tokens as reported, or estimated (marked) — for a cut or aborted stream, from what reached the
   * caller. `cached_tokens` (read from the provider's prompt cache) and `cache_write_tokens`
   * (written to it) are part of `prompt_tokens` and present when the provider reported any: the
   * counts `cost` priced at their own rates, so the cost can be recomputed from the record.
   */
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; cached_tokens?: number; cache_write_tokens?: number; estimated?: true } | null;
  /** Cost expected before the call, from prices and token estimates. */
  estimated_cost: number | null;
  /** Cost of the tokens in `usage` (for a `simulated` record, what they would have cost). */
  cost: number | null;
  /** Present when the actual cost went over the request's `route.max_cost`. */
  max_cost?: number;
  max_cost_exceeded?: true;
  currency: string;
  stream: boolean;
  /**
   * The endpoint the request was for; `other` for a request to none of them (such as
   * `GET /v1/models`) that `serve()` refused before it reached the router (wrong Host or Origin).
   */
  endpoint: 'chat.completions' | 'embeddings' | 'completions' | 'responses' | 'other';
  /** From the request's arrival to its end (a stream's end). @unit milliseconds */
  duration_ms: number;
  /** Time spent in the router itself, outside upstream calls. @unit milliseconds */
  overhead_ms: number;
  content?: AuditContent;
  /** Only on a gap record (outcome `'dropped'`): the records missing here. */
  dropped?: AuditDropped;
}

/**
 * One audit record: everything about how one request was routed and how it ended. It never
 * holds the API key, and holds prompt or completion text only when configured to.
 */
export interface AuditRecord extends AuditRecordBody {
  /** The hash of the record before this one in the chain; null for the first. */
  prev: string | null;
  /** SHA-256 of this record's canonical JSON without `hash` (so including `prev`). */
  hash: string;
  [extra: string]: unknown;
}

/**
 * Where audit records go. Records are queued per sink, delivered in chain order, and retried
 * when a write throws or rejects. A request waits for a sink only when the queue is full
 * (`audit.queueLimit`, with `audit.onFull: 'wait'`), and then at most `audit.maxWaitMs`.
 */
export interface AuditSink {
  /** Shown in error reports, e.g. `jsonl:/var/log/audit.jsonl`. */
  readonly name?: string;
  /** Stores one record. May be async; a throw or a rejection is retried. */
  write(record: AuditRecord): void | Promise<void>;
  /**
   * Stores several records at once, in order (used instead of `write` when present). After a
   * failure the same records are offered again, so a sink that may have stored some of them
   * must skip those (their `hash` identifies them).
   */
  writeBatch?(records: readonly AuditRecord[]): void | Promise<void>;
  /**
   * The hash of the last record this sink already holds, e.g. from an earlier process. The
   * router continues its chain from it, so one log verifies as one chain across restarts.
   */
  lastHash?(): Promise<string | null>;
  /** Waits until everything written so far is stored (and durable, as the sink defines it). */
  flush?(): Promise<void>;
  /**
   * Flushes and releases resources. Called by `router.close()` even while a write is under way:
   * the records that write stores before `close` resolves count as stored, the rest as lost.
   */
  close?(): Promise<void>;
}

/**
 * Called when a record could not be stored yet: a write failed (it will be retried), the queue
 * was full (with `onFull: 'drop'` the record is dropped and given here; with `'wait'`, requests
 * waited `maxWaitMs` and their records are queued beyond the limit, reported once per batch with
 * `record` null), the router was closed with records still queued, or a sink could not report
 * its last hash (`record` null).
 */
export type AuditErrorHandler = (error: AuditError, record: AuditRecord | null, sink: AuditSink | null) => void;

/** The audit configuration: `RouterOptions.audit` also accepts just the sinks. */
export interface AuditOptions {
  /** Where records go; several sinks each get every record. */
  sinks: AuditSink[];
  /**
   * What is kept of the request's text: `'none'`, `'hash'` (SHA-256 of each message and each
   * answer) or `'full'` (the messages and answers themselves).
   * @default 'none'
   */
  content?: AuditContentMode;
  /**
   * What a record keeps of the candidates a request weighed. `'summary'`: every eligible
   * candidate, and the excluded ones counted by their reasons (`excluded`: reasons, count and a
   * few examples), so a record stays small however large the catalogue. `'all'`: every
   * candidate with its reasons, as `explain()` lists them (the request then judges every
   * candidate, which costs time on large catalogues).
   * @default 'summary'
   */
  candidates?: AuditCandidatesMode;
  /**
   * Told about every record not stored yet, with the sink. Never called on the response path.
   * @default writes the error's message to the router's `logger` (stderr without one)
   */
  onError?: AuditErrorHandler;
  /**
   * Records waiting to be stored: not yet hashed, or not yet written by the slowest sink. What
   * happens to a request whose record finds the queue full is `onFull`'s choice.
   * @default 10000
   */
  queueLimit?: number;
  /**
   * When a finished request's record finds `queueLimit` records waiting:
   * - `'wait'`: nothing is lost. The request waits for room before it completes: `create()`
   *   resolves (or rejects), and a stream delivers its last chunk, only once its record is
   *   queued. A request waits at most `maxWaitMs`; then its record is queued beyond the limit
   *   (in memory, reported once to `onError`), so a sink that keeps failing slows requests
   *   down but never hangs them.
   * - `'drop'`: availability first. The record is dropped and handed to `onError` (reason
   *   `queue_full`); a gap record (outcome `'dropped'`) takes its place in the chain, naming
   *   the dropped ids, so the log says where and how many records are missing and still verifies.
   * @default 'wait'
   */
  onFull?: 'wait' | 'drop';
  /**
   * With `onFull: 'wait'`, the longest a request waits for room in a full queue.
   * @unit milliseconds @default 30000
   */
  maxWaitMs?: number;
  /** Backoff between retries of a failed write: doubles from `minDelayMs` up to `maxDelayMs`. */
  retry?: {
    /** @unit milliseconds @default 100 */
    minDelayMs?: number;
    /** @unit milliseconds @default 30000 */
    maxDelayMs?: number;
  };
  /**
   * The longest `router.flush()` and `router.close()` wait for queued records and retries.
   * `flush()` then rejects (the records stay queued); `close()` hands what is left to `onError`,
   * except what a write still under way stores before its sink has closed.
   * `close()` first waits as long, at most, for the requests under way to end.
   * @unit milliseconds @default 10000
   */
  drainTimeoutMs?: number;
}

/** Audit options after validation and defaults. */
export interface ResolvedAuditOptions {
  sinks: AuditSink[];
  content: AuditContentMode;
  candidates: AuditCandidatesMode;
  onError: AuditErrorHandler;
  queueLimit: number;
  onFull: 'wait' | 'drop';
  maxWaitMs: number;
  retry: { minDelayMs: number; maxDelayMs: number };
  drainTimeoutMs: number;
}
