import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { AuditOutcome, AuditRecord } from '../../src/audit/types.js';
import { hashRecord } from '../../src/audit/hash-chain.js';

/** What a synthetic log holds, counted as it is written (not by the code under test). */
export interface SyntheticTotals {
  records: number;
  outcomes: Record<AuditOutcome, number>;
  /** Sum of `cost` of successful records, in EUR. */
  spend: number;
  spendByProvider: Record<string, number>;
  successByProvider: Record<string, number>;
  denials: number;
  fallbacks: number;
  firstHash: string;
  lastHash: string;
}

const providers = ['scaleway', 'mistral-eu', 'openai', 'ovhcloud'];
const keys = ['team-a', 'team-b', 'batch'];
const outcomes: AuditOutcome[] = ['success', 'success', 'success', 'success', 'success', 'success', 'error', 'denied', 'invalid', 'aborted'];
const policyHashes = ['a'.repeat(64), 'b'.repeat(64)];

/** Writes `count` chained records over 10 days, deterministic, in JSONL; returns what it wrote. */
export async function writeSyntheticLog(path: string, count: number): Promise<SyntheticTotals> {
  const out = createWriteStream(path);
  const totals: SyntheticTotals = {
    records: count,
    outcomes: { success: 0, error: 0, denied: 0, invalid: 0, aborted: 0, dropped: 0 },
    spend: 0,
    spendByProvider: {},
    successByProvider: {},
    denials: 0,
    fallbacks: 0,
    firstHash: '',
    lastHash: '',
  };
  const start = Date.parse('2026-11-01T00:00:00Z');
  let prev: string | null = null;
  let buffer = '';
  for (let index = 0; index < count; index++) {
    const outcome = outcomes[index % outcomes.length]!;
    const provider = outcome === 'denied' || outcome === 'invalid' ? null : providers[index % providers.length]!;
    const fallback = provider !== null && index % 13 === 0;
    const cost = outcome === 'success' ? ((index % 7) + 1) / 10_000 : null;
    const body: Omit<AuditRecord, 'hash'> = {
      id: `req_${index}`,
      ts: new Date(start + Math.floor((index / count) * 10 * 86_400_000)).toISOString(),
      key_id: keys[index % keys.length]!,
      requested_model: 'mistral-small-3.2-24b',
      tier: '1',
      policy: 'eu-hosted',
      policy_hash: policyHashes[index < count / 2 ? 0 : 1]!,
      objective: 'balanced',
      outcome,
      ...(outcome === 'success' ? {} : { error_code: outcome === 'denied' ? 'policy_violation' : 'upstream_error', error_message: `${outcome} #${index}: openai is US-controlled` }),
      provider,
      model: provider === null ? null : 'mistral-small-3.2-24b',
      simulated: false,
      candidates: [],
      attempts: fallback ? [{ provider: 'openai', model: 'mistral-small-3.2-24b', outcome: 'error', status: 503 }, { provider: provider!, model: 'mistral-small-3.2-24b', outcome: 'ok' }] : [],
      fallback_used: fallback,
      usage: null,
      estimated_cost: cost,
      cost,
      currency: 'EUR',
      stream: index % 2 === 0,
      endpoint: 'chat.completions',
      duration_ms: 100,
      overhead_ms: 1,
      prev,
    } as Omit<AuditRecord, 'hash'>;
    const hash = hashRecord(body);
    prev = hash;
    if (index === 0) totals.firstHash = hash;
    totals.lastHash = hash;
    totals.outcomes[outcome] += 1;
    if (outcome === 'denied') totals.denials += 1;
    if (fallback) totals.fallbacks += 1;
    if (cost !== null && provider !== null) {
      totals.spend += cost;
      totals.spendByProvider[provider] = (totals.spendByProvider[provider] ?? 0) + cost;
      totals.successByProvider[provider] = (totals.successByProvider[provider] ?? 0) + 1;
    }
    buffer += `${JSON.stringify({ ...body, hash })}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return totals;
}
