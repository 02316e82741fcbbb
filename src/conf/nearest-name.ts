/**
 * "Did you mean …?" for unknown config sections and options: the known name with the smallest
 * edit distance, if it is close enough to be a plausible typo, else a known name that starts the
 * unknown one (`[ml2_typo]` → `ml2`). oslo.config ignores unknown names silently; an operator
 * who wrote `mechanism_driver` deserves to hear `mechanism_drivers`.
 */

/** Levenshtein distance (insert, delete, substitute cost 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known name nearest to `name`, or undefined when none is plausibly meant. */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  // A quarter of the name: `mechanism_driver` → `mechanism_drivers`, but not `ml2_typo` → `ml2_odl`
  // (4 edits in 8 characters is another name, not a typo; the prefix rule below answers `ml2`).
  const limit = Math.max(1, Math.floor(lower.length / 4));
  let best: { name: string; d: number } | undefined;
  let prefix: string | undefined;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d <= limit && (best === undefined || d < best.d)) best = { name: k, d };
    if (k.length >= 3 && lower.startsWith(k.toLowerCase()) && (prefix === undefined || k.length > prefix.length)) prefix = k;
  }
  return best?.name ?? prefix;
}
