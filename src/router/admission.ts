import type { Candidate } from '../catalog/candidate.js';
import type { CompiledPolicy } from '../policy/evaluate.js';
import type { Capability } from '../providers/types.js';
import type { RouterContext } from './router-context.js';

/*
 * What planning can decide once instead of per request. Which candidates a set of policies
 * admits, and which models have the capabilities a request needs, never changes while the
 * router runs (jurisdiction facts, operators, hosting and offers are read once, at
 * createRouter). Health, limits, budgets, configuration and the request's own route filters
 * do change, so they are judged per request, over the admitted candidates only.
 *
 * One admission per pool (the candidates a model string draws on) × policies × capability set
 * × streaming, computed at first use and kept for the router's life. Nothing in it depends on
 * health, so no health change can make it stale. The number of entries is bounded by the
 * configuration, not by requests: pools are the catalogue's models and capabilities, policies
 * the configured ones, capability sets at most 2^6.
 */

/** One candidate of a pool with the reasons against it that never change at runtime. */
export interface AdmissionEntry {
  readonly candidate: Candidate;
  /** Policy reasons, then missing capabilities, then streaming; empty when admitted. */
  readonly reasons: readonly string[];
  /** Whether the policy is among the reasons (a tier-1 request for it is then a violation). */
  readonly byPolicy: boolean;
}

export interface Admission {
  /** Every candidate of the pool, in catalogue order. */
  readonly entries: readonly AdmissionEntry[];
  /** The entries with no fixed reason, in catalogue order: all a call has to judge. */
  readonly admitted: readonly AdmissionEntry[];
  /** Entries excluded by a policy. */
  readonly policyExcluded: number;
  /** The pool's candidates by model, for pooling what deployments of one model have learned. */
  readonly byModel: ReadonlyMap<string, readonly Candidate[]>;
}

const capabilityWords: Readonly<Record<Capability, string>> = {
  chat: 'chat',
  tools: 'tool calling',
  vision: 'image input',
  json: 'JSON output',
  embeddings: 'embeddings',
  completions: 'legacy completions',
};

/** The capability words of planning's reasons and errors. */
export function capabilityWord(capability: Capability): string {
  return capabilityWords[capability];
}

const admissions = new WeakMap<RouterContext, WeakMap<readonly Candidate[], Map<string, Admission>>>();

/** The admission of `pool` under `policies` for a request needing `capabilities` (and streaming). */
export function admissionFor(
  context: RouterContext,
  pool: readonly Candidate[],
  policies: readonly CompiledPolicy[],
  capabilities: readonly Capability[],
  stream: boolean,
): Admission {
  let byPool = admissions.get(context);
  if (byPool === undefined) admissions.set(context, (byPool = new WeakMap()));
  let byKey = byPool.get(pool);
  if (byKey === undefined) byPool.set(pool, (byKey = new Map()));
  // Policy names are unique within a router (createRouter refuses two policies of one name).
  let key = stream ? 's' : 'n';
  for (const capability of capabilities) key += `,${capability}`;
  for (const policy of policies) key += `\u0000${policy.name}`;
  let admission = byKey.get(key);
  if (admission === undefined) {
    admission = admit(context, pool, policies, capabilities, stream);
    byKey.set(key, admission);
  }
  return admission;
}

function admit(
  context: RouterContext,
  pool: readonly Candidate[],
  policies: readonly CompiledPolicy[],
  capabilities: readonly Capability[],
  stream: boolean,
): Admission {
  const entries: AdmissionEntry[] = [];
  const admitted: AdmissionEntry[] = [];
  const byModel = new Map<string, Candidate[]>();
  let policyExcluded = 0;
  let provider: Candidate['provider'] | undefined;
  let providerReasons: readonly string[] = [];
  for (const candidate of pool) {
    // Catalogue order lists a provider's candidates together: its policy reasons are read once.
    if (candidate.provider !== provider) {
      provider = candidate.provider;
      providerReasons = policyReasonsOf(context, policies, provider.id);
    }
    let reasons: string[] | undefined;
    for (const capability of capabilities) {
      if (!candidate.capabilities.has(capability)) (reasons ??= [...providerReasons]).push(`model does not support ${capabilityWords[capability]}`);
    }
    if (stream && candidate.offer.streaming === false) (reasons ??= [...providerReasons]).push('model does not support streaming here');
    const entry: AdmissionEntry = { candidate, reasons: reasons ?? providerReasons, byPolicy: providerReasons.length > 0 };
    entries.push(entry);
    if (entry.reasons.length === 0) admitted.push(entry);
    if (entry.byPolicy) policyExcluded += 1;
    const same = byModel.get(candidate.model);
    if (same === undefined) byModel.set(candidate.model, [candidate]);
    else same.push(candidate);
  }
  return { entries, admitted, policyExcluded, byModel };
}

/** The policy reasons against a provider under every policy that applies, each once. */
export function policyReasonsOf(context: RouterContext, policies: readonly CompiledPolicy[], providerId: string): readonly string[] {
  if (policies.length === 1) return context.reasonsFor(policies[0]!, providerId);
  const reasons = new Set<string>();
  for (const policy of policies) for (const reason of context.reasonsFor(policy, providerId)) reasons.add(reason);
  return [...reasons];
}

const pools = new WeakMap<RouterContext, Map<Candidate | Capability, readonly Candidate[]>>();

/**
 * The same array for the same pool every time (tier 1: one candidate; tier 3 and auto: the
 * candidates with a capability), so its admissions are found again. Model pools are already
 * stable: the catalogue index keeps one array per model.
 */
export function stablePool(context: RouterContext, key: Candidate | Capability, build: () => readonly Candidate[]): readonly Candidate[] {
  let byKey = pools.get(context);
  if (byKey === undefined) pools.set(context, (byKey = new Map()));
  let pool = byKey.get(key);
  if (pool === undefined) byKey.set(key, (pool = build()));
  return pool;
}
