import { mergeExclusions, summariseExclusions } from '../audit/exclusion-summary.js';
import type { AuditCandidate, AuditCandidatesMode, AuditExclusion } from '../audit/types.js';
import type { Candidate } from '../catalog/candidate.js';
import type { Admission } from './admission.js';
import type { Plan } from './plan.js';

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
  const candidates: AuditCandidate[] = [];
  // Whether every entry is a shared frozen one, so the list can be shared too.
  let shareable = true;
  const ranked = plan.ranked;
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
  const excluded = judged.excluded.map(({ candidate, reasons }) => ({ provider: candidate.provider.id, model: candidate.model, reasons }));
  return { candidates: shareable ? reuseList(judged.admission, candidates) : candidates, excluded: mergeExclusions(fixedExclusions(judged.admission), summariseExclusions(excluded)) };
}

const lastList = new WeakMap<Admission, readonly AuditCandidate[]>();

/**
 * The previous record's list from the same admission when this one holds the same shared
 * frozen entries (the usual case: prices, circuits and limits rarely change between calls),
 * else this one, frozen and kept: so its canonical text is written once for all the records
 * that hold it (src/audit/canonical-record.ts).
 */
function reuseList(admission: Admission, candidates: AuditCandidate[]): AuditCandidate[] {
  const last = lastList.get(admission);
  if (last !== undefined && last.length === candidates.length) {
    let same = true;
    for (let index = 0; index < candidates.length && same; index++) same = last[index] === candidates[index];
    if (same) return last as AuditCandidate[];
  }
  Object.freeze(candidates);
  lastList.set(admission, candidates);
  return candidates;
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
    summary = summariseExclusions(excluded);
    fixed.set(admission, summary);
  }
  return summary;
}
