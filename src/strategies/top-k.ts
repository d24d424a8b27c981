/**
 * The first `k` of `items` in the order `compare` gives, as a stable sort would list them (an
 * item ties after the items before it): `[...items].sort(compare).slice(0, k)` without sorting
 * everything. One pass; an item that cannot make the first `k` costs one comparison, so for the
 * few candidates a call walks this is linear in the catalogue.
 */
export function topK<T>(items: readonly T[], k: number, compare: (a: T, b: T) => number): T[] {
  const best: T[] = [];
  if (k <= 0) return best;
  for (const item of items) {
    if (best.length === k) {
      // Not strictly better than the k-th: a stable sort would list it after.
      if (!(compare(item, best[k - 1]!) < 0)) continue;
      best.pop();
    }
    insertStable(best, item, compare);
  }
  return best;
}

/** Inserts `item` into `sorted` after every entry it does not beat: equal ones stay ahead, as in a stable sort. */
export function insertStable<T>(sorted: T[], item: T, compare: (a: T, b: T) => number): void {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(item, sorted[middle]!) < 0) high = middle;
    else low = middle + 1;
  }
  sorted.splice(low, 0, item);
}
