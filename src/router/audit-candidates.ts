import { mergeExclusions, summariseExclusions } from '../audit/exclusion-summary.js';
import type { AuditCandidate, AuditCandidatesMode, AuditExclusion } from '../audit/types.js';
import type { Candidate } from '../catalog/candidate.js';
import type { Admission } from './admission.js';
import type { Ranked } from '../strategies/types.js';
import type { JudgedCandidates, Plan } from './plan.js';

/*
 * What an audit record keeps of the candidates a request weighed. Every eligible candidate is
 * kept, the ranked ones first in the order the call walks them; the excluded ones are counted
 * by their reasons, so a record's size follows the eligible candidates, not the catalogue. With
 * `audit.candidates: 'all'` every candidate is kept with its reasons, as explain() shows them.
 */

/**
 * The candidates part of a record: copies, since the plan's lists live on in the caller's route.
 * With the default summary, `candidates` may be a frozen list shared with earlier records.
 */
export function auditCandidates(plan: Plan | undefined, mode: AuditCandidatesMode): { candidates: AuditCandidate[]; excluded?: AuditExclusion[] } {
  if (plan === undefined) return { candidates: [] };
  const judged = plan.judged;
  if (mode === 'all' || judged === undefined) {
    const candidates = plan.candidates.map(({ provider, model, eligible, reasons }) => ({ provider, model, eligible, reasons: [...reasons] }));
    if (mode === 'all') return { candidates };
    return { candidates: candidates.filter((candidate) => candidate.eligible), excluded: summariseExclusions(candidates.filter((candidate) => !candidate.eligible)) };
  }
  const ranked = plan.ranked;
  const excluded = judged.excluded.length === 0 ? fixedExclusions(judged.admission) : undefined;
  // The usual call at scale: nothing said of any eligible candidate, nothing excluded beyond the
  // admission's fixed reasons, and the same ranking and eligible set as the last record of this
  // admission. Its list is that record's, found by comparing references, not by building it.
  if (excluded !== undefined && judged.reasons.size === 0) {
    const last = lastList.get(judged.admission);
    if (last !== undefined && sameWalk(last, ranked, judged.eligible)) return { candidates: last.list as AuditCandidate[], excluded: excluded as AuditExclusion[] };
  }
  const candidates: AuditCandidate[] = [];
  // Whether every entry is a shared frozen one, so the list can be shared too.
  let shareable = true;
  const shown = new Set<Candidate>();
  // By index: iterating the ranking would rank the candidates the call never walked to.
  for (let index = 0; index < ranked.length; index++) {
    const entry = ranked[index]!;
    const reasons = judged.reasons.get(entry.candidate);
    if (reasons === undefined && !entry.note) candidates.push(plainEligible(entry.candidate));
    else {
      shareable = false;
      const all = reasons === undefined ? [entry.note!] : entry.note ? [...reasons, entry.note] : [...reasons];
      candidates.push({ provider: entry.candidate.provider.id, model: entry.candidate.model, eligible: true, reasons: all });
    }
    shown.add(entry.candidate);
  }
  for (const candidate of judged.eligible) {
    if (shown.has(candidate)) continue;
    const reasons = judged.reasons.get(candidate);
    if (reasons === undefined) candidates.push(plainEligible(candidate));
    else {
      shareable = false;
      candidates.push({ provider: candidate.provider.id, model: candidate.model, eligible: true, reasons: [...reasons] });
    }
  }
  const summary =
    (excluded as AuditExclusion[] | undefined) ??
    mergeExclusions(
      fixedExclusions(judged.admission),
      summariseExclusions(judged.excluded.map(({ candidate, reasons }) => ({ provider: candidate.provider.id, model: candidate.model, reasons }))),
    );
  return { candidates: shareable ? reuseList(judged, ranked, candidates) : candidates, excluded: summary };
}

/** The last shared list of an admission, with the ranking and eligible set it was built from. */
interface LastList {
  list: readonly AuditCandidate[];
  ranked: readonly Candidate[];
  eligible: readonly Candidate[];
}

const lastList = new WeakMap<Admission, LastList>();

/** Whether a call ranked and judged eligible exactly the candidates the last list was built from. */
function sameWalk(last: LastList, ranked: readonly Ranked[], eligible: readonly Candidate[]): boolean {
  if (last.ranked.length !== ranked.length || last.eligible.length !== eligible.length) return false;
  for (let index = 0; index < ranked.length; index++) {
    const entry = ranked[index]!;
    if (entry.note !== undefined || last.ranked[index] !== entry.candidate) return false;
  }
  for (let index = 0; index < eligible.length; index++) if (last.eligible[index] !== eligible[index]) return false;
  return true;
}

/**
 * The previous record's list from the same admission when this one holds the same shared
 * frozen entries (the usual case: prices, circuits and limits rarely change between calls),
 * else this one, frozen and kept: so its canonical text is written once for all the records
 * that hold it (src/audit/canonical-record.ts).
 */
function reuseList(judged: JudgedCandidates, ranked: readonly Ranked[], candidates: AuditCandidate[]): AuditCandidate[] {
  const last = lastList.get(judged.admission);
  let list: readonly AuditCandidate[] | undefined;
  if (last !== undefined && last.list.length === candidates.length) {
    let same = true;
    for (let index = 0; index < candidates.length && same; index++) same = last.list[index] === candidates[index];
    if (same) list = last.list;
  }
  list ??= Object.freeze(candidates);
  // The call's lists are copied: a ranking a later walk completes grows in place.
  lastList.set(judged.admission, { list, ranked: ranked.map((entry) => entry.candidate), eligible: judged.eligible.slice() });
  return list as AuditCandidate[];
}

const plain = new WeakMap<Candidate, AuditCandidate>();

/**
 * An eligible candidate with nothing to say, as records keep it: one frozen entry per
 * candidate, shared by every record (a record is never changed once written), so a large
 * eligible set costs no allocation per request, and its canonical text is written once
 * (src/audit/canonical-record.ts caches it for frozen entries).
 */
function plainEligible(candidate: Candidate): AuditCandidate {
  let entry = plain.get(candidate);
  if (entry === undefined) {
    entry = Object.freeze({ provider: candidate.provider.id, model: candidate.model, eligible: true, reasons: Object.freeze([]) as unknown as string[] });
    plain.set(candidate, entry);
  }
  return entry;
}

const fixed = new WeakMap<Admission, readonly AuditExclusion[]>();

/** The summary of what an admission excludes for good: computed once per admission. */
function fixedExclusions(admission: Admission): readonly AuditExclusion[] {
  let summary = fixed.get(admission);
  if (summary === undefined) {
    const excluded = [];
    for (const entry of admission.entries) {
      if (entry.reasons.length > 0) excluded.push({ provider: entry.candidate.provider.id, model: entry.candidate.model, reasons: entry.reasons });
    }
    // Frozen, groups and examples too: records share it, as they share their frozen candidate lists.
    summary = Object.freeze(summariseExclusions(excluded).map((group) => Object.freeze({ ...group, examples: Object.freeze(group.examples) as string[] })));
    fixed.set(admission, summary);
  }
  return summary;
}
