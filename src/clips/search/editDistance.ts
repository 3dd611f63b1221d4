/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), by code point. Typos are
 * mostly one slip of a finger — a swapped pair ("clucth"), a missing, extra or wrong letter — which this
 * counts as one edit each, where trigram similarity scores a swap in a short word as badly as an
 * unrelated word that shares its first letters.
 */
export function editDistance(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j]!;
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/** Edits a correction may need: one for short words, two from four characters, three from eight. */
export function maxEdits(word: string): number {
  const length = Array.from(word).length;
  return length < 4 ? 1 : length < 8 ? 2 : 3;
}
