/**
 * "Did you mean …?" for names a user typed: columns in a CHECK expression, fields in an annotation,
 * rule ids in a suppression. Pure and deterministic (ties keep the candidates' order).
 */

/** Levenshtein distance, case-sensitive; `limit` stops early once every cell exceeds it. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Up to `max` candidates close to `name`: equal ignoring case, or within an edit distance of
 * max(2, length / 3) ignoring case, or sharing a prefix/suffix relation of 3+ characters.
 * Nearest first.
 */
export function closeMatches(name: string, candidates: readonly string[], max = 3): string[] {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(lower.length / 3));
  const scored: { candidate: string; score: number; index: number }[] = [];
  const seen = new Set<string>();
  candidates.forEach((candidate, index) => {
    if (seen.has(candidate) || candidate === name) return;
    seen.add(candidate);
    const other = candidate.toLowerCase();
    let score = editDistance(lower, other, limit);
    if (score > limit && lower.length >= 3 && (other.includes(lower) || lower.includes(other)) && other.length >= 3) {
      score = limit;
    }
    if (score <= limit) scored.push({ candidate, score, index });
  });
  scored.sort((x, y) => x.score - y.score || x.index - y.index);
  return scored.slice(0, max).map((s) => s.candidate);
}

/** ` (did you mean "a" or "b"?)` or an empty string. */
export function didYouMean(
  name: string,
  candidates: readonly string[],
  quote = (s: string) => JSON.stringify(s),
): string {
  const matches = closeMatches(name, candidates);
  if (matches.length === 0) return '';
  const list = matches.map(quote);
  const text = list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]!}`;
  return ` (did you mean ${text}?)`;
}
