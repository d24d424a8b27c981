import type { AuditRecord, AuditOutcome } from '../../audit/types.js';
import { createAuditVerifier, type AuditVerification, type VerifyAuditOptions } from '../../audit/verify-audit.js';
import type { JurisdictionFacts } from '../../providers/types.js';
import { euCountries } from '../../policy/countries.js';
import { strictestTier } from '../../policy/tier.js';

/** What a report knows of each provider: where it hosts and its tier, from the catalogue or a configuration. */
export type ProviderFacts = ReadonlyMap<string, JurisdictionFacts | undefined>;

/** Sums of money, one per currency (amounts in different currencies are never added up). */
export type Amounts = Map<string, number>;

/**
 * Counts and sums, per label. Among `count`, `simulated` counts the test-key calls (which cost
 * nothing) and `unfinished` the streams cut or aborted part-way that were paid for what they delivered.
 */
export type Tally = Map<string, { count: number; simulated: number; unfinished: number; cost: Amounts }>;

export interface ReportData {
  /** Records read (all of them, whatever the filters). */
  total: number;
  /** Records the filters kept, which the tables and charts count. */
  kept: number;
  from: string | null;
  to: string | null;
  /** Per hour (`YYYY-MM-DDTHH`), the count of each outcome. */
  timeline: Map<string, Record<AuditOutcome, number>>;
  outcomes: Record<AuditOutcome, number>;
  /** Requests made with a test key (`simulated`): counted as requests, never as spend. */
  simulated: number;
  spend: { provider: Tally; model: Tally; key: Tally; total: Amounts };
  tiers: Tally;
  countries: Tally;
  denials: { ts: string; id: string; key: string; model: string; reason: string }[];
  /** Denials beyond the listed ones (the list is bounded so memory stays constant). */
  denialsNotListed: number;
  /** `first tried → served` with how often. */
  fallbacks: Map<string, number>;
  policies: Map<string, { name: string; first: string; last: string; count: number }>;
  /**
   * Records whose policy hash differed from the previous record's with the same key and the same
   * policy name: the content of a policy the key used changed. A model string that narrows the
   * key's policy names another policy (`eu-hosted + eu-sovereign`), which is no change.
   */
  policyChanges: { ts: string; key: string; policy: string; from: string; to: string }[];
  /** `firstPrev`: the hash the first record follows, when the log continues an earlier one (null when it starts a chain). */
  verification: AuditVerification & { firstHash: string | null; lastHash: string | null; firstPrev: string | null; torn: number };
}

export const outcomeNames: readonly AuditOutcome[] = ['success', 'error', 'denied', 'invalid', 'aborted', 'dropped'];
const zeroOutcomes = (): Record<AuditOutcome, number> => ({ success: 0, error: 0, denied: 0, invalid: 0, aborted: 0, dropped: 0 });
const maxDenialsListed = 10_000;
const maxPolicyChangesListed = 1_000;
/** Groups of (key, model string segment) whose policy the report follows: bounds its memory. */
const maxPolicyGroups = 10_000;

function addAmount(amounts: Amounts, currency: string, cost: number): void {
  amounts.set(currency, (amounts.get(currency) ?? 0) + cost);
}

function add(tally: Tally, label: string, currency: string, cost: number, kind: 'simulated' | 'unfinished' | undefined): void {
  let entry = tally.get(label);
  if (!entry) tally.set(label, (entry = { count: 0, simulated: 0, unfinished: 0, cost: new Map() }));
  entry.count += 1;
  if (kind !== undefined) entry[kind] += 1;
  addAmount(entry.cost, currency, cost);
}

const isText = (value: unknown) => typeof value === 'string';
const isOptionalText = (value: unknown) => value === null || value === undefined || typeof value === 'string';

/**
 * Why an object read from a log cannot be counted as a record (a line written or edited by hand),
 * or undefined: the report then says the chain breaks there instead of failing on it.
 */
function unreadable(record: AuditRecord): string | undefined {
  if (!isText(record.hash) || !isOptionalText(record.prev)) return 'it has no hash and prev';
  if (!isText(record.ts) || Number.isNaN(Date.parse(record.ts))) return 'its ts is not an ISO 8601 time';
  if (!outcomeNames.includes(record.outcome)) return `its outcome ${JSON.stringify(record.outcome) ?? 'undefined'} is none of ${outcomeNames.join(', ')}`;
  for (const field of ['id', 'key_id', 'provider', 'model', 'requested_model', 'policy', 'policy_hash', 'currency', 'error_code', 'error_message'] as const) {
    if (!isOptionalText(record[field])) return `its ${field} is not text`;
  }
  if (record.cost !== null && record.cost !== undefined && !Number.isFinite(record.cost)) return 'its cost is not a number';
  if (record.attempts !== undefined && !Array.isArray(record.attempts)) return 'its attempts are not a list';
  if (record.dropped !== undefined && !Number.isInteger(record.dropped?.count)) return 'its dropped count is not a whole number';
  return undefined;
}

/** Where a provider hosts, as one label: a country, "EU (any member state)", a list, or unknown. */
export function hostingLabel(facts: JurisdictionFacts | undefined): string {
  const hosting = facts?.hosting ?? [];
  if (hosting.length === 0) return 'unknown';
  if (hosting.length === euCountries.size && hosting.every((country) => euCountries.has(country))) return 'EU (any member state)';
  return [...hosting].sort().join(', ');
}

/** Folds records, one at a time, into a report; memory does not grow with the log's length. */
/**
 * `chain`: where the log's chain must start, as `audit verify` takes it: `expectedFirstPrev` null
 * (the default) for a log that starts a chain, a hash for one that continues an earlier log
 * (rotated), absent for a segment that may follow any record.
 */
export function createReportBuilder(facts: ProviderFacts, keep: (record: AuditRecord) => boolean, chain: VerifyAuditOptions = { expectedFirstPrev: null }) {
  const verifier = createAuditVerifier(chain);
  let failure: AuditVerification | undefined;
  let firstHash: string | null = null;
  let torn = 0;
  const lastPolicyByGroup = new Map<string, string>();
  const data: ReportData = {
    total: 0,
    kept: 0,
    from: null,
    to: null,
    timeline: new Map(),
    outcomes: zeroOutcomes(),
    simulated: 0,
    spend: { provider: new Map(), model: new Map(), key: new Map(), total: new Map() },
    tiers: new Map(),
    countries: new Map(),
    denials: [],
    denialsNotListed: 0,
    fallbacks: new Map(),
    policies: new Map(),
    policyChanges: [],
    verification: { ok: true, count: 0, firstHash: null, lastHash: null, firstPrev: null, torn: 0 } as ReportData['verification'],
  };

  return {
    /** Records added so far. */
    count: () => data.total,
    torn() {
      torn += 1;
    },
    reject(reason: string) {
      failure ??= verifier.reject(reason);
    },
    add(record: AuditRecord) {
      data.total += 1;
      const problem = unreadable(record);
      if (problem !== undefined) {
        failure ??= verifier.reject(`record ${verifier.count} is not an audit record: ${problem}`);
        return;
      }
      firstHash ??= record.hash;
      failure ??= verifier.add(record);
      if (!keep(record)) return;
      data.kept += 1;
      if (data.from === null || record.ts < data.from) data.from = record.ts;
      if (data.to === null || record.ts > data.to) data.to = record.ts;
      const hour = record.ts.slice(0, 13);
      let bucket = data.timeline.get(hour);
      if (!bucket) data.timeline.set(hour, (bucket = zeroOutcomes()));
      // A gap record (audit.onFull 'drop') stands for the requests whose records were dropped there.
      const requests = record.outcome === 'dropped' ? (record.dropped?.count ?? 1) : 1;
      bucket[record.outcome] += requests;
      data.outcomes[record.outcome] += requests;
      const key = record.key_id ?? '(no key)';
      // A test key's call is answered by the pseudo-LLM: its record prices what a real key would
      // have cost, but nothing was spent.
      const simulated = record.simulated === true;
      if (simulated && record.outcome !== 'dropped') data.simulated += 1;
      const cost = simulated ? 0 : (record.cost ?? 0);
      // Each record's cost is in its own currency (a router's currency can change between runs).
      const currency = typeof record.currency === 'string' && record.currency !== '' ? record.currency : 'unknown currency';
      // A stream cut or aborted part-way is paid for what it delivered (budgets count it so too).
      const unfinished = record.outcome !== 'success' && cost > 0;
      if (record.provider !== null && (record.outcome === 'success' || unfinished)) {
        const kind = simulated ? 'simulated' : unfinished ? 'unfinished' : undefined;
        add(data.spend.provider, record.provider, currency, cost, kind);
        add(data.spend.model, record.model ?? record.requested_model ?? 'unknown', currency, cost, kind);
        add(data.spend.key, key, currency, cost, kind);
        addAmount(data.spend.total, currency, cost);
        const providerFacts = facts.get(record.provider);
        add(data.tiers, facts.has(record.provider) ? strictestTier(record.provider, providerFacts) : 'unknown provider', currency, cost, kind);
        add(data.countries, facts.has(record.provider) ? hostingLabel(providerFacts) : 'unknown', currency, cost, kind);
      }
      if (record.outcome === 'denied') {
        if (data.denials.length < maxDenialsListed) {
          data.denials.push({ ts: record.ts, id: record.id, key, model: record.requested_model ?? '', reason: record.error_message ?? record.error_code ?? 'denied' });
        } else data.denialsNotListed += 1;
      }
      if (record.fallback_used) {
        const first = record.attempts?.[0]?.provider ?? '?';
        const route = `${first} → ${record.provider ?? `none (${record.outcome})`}`;
        data.fallbacks.set(route, (data.fallbacks.get(route) ?? 0) + 1);
      }
      if (record.policy_hash !== null) {
        const policy = data.policies.get(record.policy_hash);
        if (policy) {
          policy.last = record.ts;
          policy.count += 1;
        } else data.policies.set(record.policy_hash, { name: record.policy ?? '', first: record.ts, last: record.ts, count: 1 });
        const name = record.policy ?? '';
        // Compared within what a key asked for (its model string's first segment: `auto`,
        // `eu-sovereign`, a provider…): a model string that narrows the key's policy gets another
        // one, which is no change, while the key's own policy changing is one, whatever its name.
        const model = record.requested_model ?? '';
        const slash = model.indexOf('/');
        const group = `${key}\u0000${slash === -1 ? model : model.slice(0, slash)}`;
        const before = lastPolicyByGroup.get(group);
        if (before !== undefined && before !== record.policy_hash && data.policyChanges.length < maxPolicyChangesListed) {
          data.policyChanges.push({ ts: record.ts, key, policy: name, from: before, to: record.policy_hash });
        }
        // Model strings are the callers': past this many groups, new ones are not followed.
        if (before !== undefined || lastPolicyByGroup.size < maxPolicyGroups) lastPolicyByGroup.set(group, record.policy_hash);
      }
    },
    finish(): ReportData {
      const result = failure ?? verifier.end();
      data.verification = { ...result, firstHash, lastHash: verifier.lastHash, firstPrev: verifier.firstPrev, torn };
      return data;
    },
  };
}
