import type { AuditCandidate, AuditExclusion } from './types.js';

/** Examples an exclusion group keeps (`AuditExclusion.examples`), whatever its count. */
export const auditExclusionExamples = 3;

/** One excluded candidate as a summary reads it. */
export interface ExcludedCandidate {
  provider: string;
  model: string;
  reasons: readonly string[];
}

/**
 * Excluded candidates counted by their reasons: one group per distinct set of reasons, in the
 * order each set first appears, with the first `auditExclusionExamples` candidates as
 * `provider/model`. The counts add up to the candidates given.
 *
 * @example summariseExclusions(record.candidates.filter((c) => !c.eligible)) // an old record's full list, summarised
 */
export function summariseExclusions(excluded: Iterable<ExcludedCandidate | AuditCandidate>): AuditExclusion[] {
  const groups = new Map<string, AuditExclusion>();
  for (const candidate of excluded) {
    const reason = candidate.reasons.join('; ');
    const group = groups.get(reason);
    const example = `${candidate.provider}/${candidate.model}`;
    if (group === undefined) groups.set(reason, { reason, count: 1, examples: [example] });
    else {
      group.count += 1;
      if (group.examples.length < auditExclusionExamples) group.examples.push(example);
    }
  }
  return [...groups.values()];
}

/** Two summaries as one: groups of the same reasons merged (counts added, examples topped up), `first`'s order first. */
export function mergeExclusions(first: readonly AuditExclusion[], second: readonly AuditExclusion[]): AuditExclusion[] {
  const groups = new Map<string, AuditExclusion>();
  for (const group of [...first, ...second]) {
    const existing = groups.get(group.reason);
    if (existing === undefined) groups.set(group.reason, { reason: group.reason, count: group.count, examples: group.examples.slice(0, auditExclusionExamples) });
    else {
      existing.count += group.count;
      for (const example of group.examples) if (existing.examples.length < auditExclusionExamples) existing.examples.push(example);
    }
  }
  return [...groups.values()];
}

/** How many candidates a record weighed, and how many it excluded, whichever shape it has. */
export function countCandidates(record: { candidates?: readonly AuditCandidate[] | undefined; excluded?: readonly AuditExclusion[] | undefined }): {
  considered: number;
  excluded: number;
} {
  let excluded = 0;
  for (const candidate of record.candidates ?? []) if (!candidate.eligible) excluded += 1;
  for (const group of record.excluded ?? []) excluded += group.count;
  return { considered: (record.candidates?.length ?? 0) + (record.excluded ?? []).reduce((sum, group) => sum + group.count, 0), excluded };
}
