/**
 * Suggests the known configuration key nearest to a misspelled one (Levenshtein distance), so
 * CONFIG_UNKNOWN_KEY errors can say "did you mean …?".
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate and its distance; ties go to the first candidate. */
export function nearestKey(key: string, candidates: Iterable<string>): { key: string; distance: number } | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (!best || d < best.distance) best = { key: c, distance: d };
  }
  return best;
}
