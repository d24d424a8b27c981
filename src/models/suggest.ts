/** The longest name a hint is looked for. @unit characters */
const maxHintedLength = 256;

/**
 * The known name closest to a misspelt one, for "did you mean" hints in errors: within a few
 * edits (more for longer names), case aside. Undefined when nothing is that close.
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  // No hint for a name this long: nothing configured is within a few edits of it, and the
  // distance costs the product of both lengths.
  if (name.length > maxHintedLength) return undefined;
  const wanted = name.toLowerCase();
  const limit = wanted.length <= 4 ? 1 : wanted.length <= 12 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    if (candidate.length > maxHintedLength) continue;
    const distance = editDistance(wanted, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `ceiling`) once it cannot be below `ceiling`. */
function editDistance(a: string, b: string, ceiling: number): number {
  if (Math.abs(a.length - b.length) >= ceiling) return ceiling;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      current.push(value);
      if (value < rowMinimum) rowMinimum = value;
    }
    if (rowMinimum >= ceiling) return ceiling;
    previous = current;
  }
  return Math.min(previous[b.length]!, ceiling);
}
