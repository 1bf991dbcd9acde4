/** Words farther apart than this are not offered as "did you mean". */
const MAX_DISTANCE = 2

/**
 * The entry of `known` nearest to `word` within `maxDistance` edits (case-insensitive), if
 * any. A swap of two neighbouring letters (`prot`) is one edit.
 */
export function nearest(
  word: string,
  known: Iterable<string>,
  maxDistance = MAX_DISTANCE,
): string | undefined {
  let best: string | undefined
  let bestDistance = maxDistance + 1
  for (const candidate of known) {
    if (candidate === word) continue
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  return best
}

/** `: did you mean "power_on"?` when a near miss is in `known`, else nothing. */
export function suggest(word: string, known: Iterable<string>): string {
  const best = nearest(word, known)
  return best ? `: did you mean ${JSON.stringify(best)}?` : ''
}

/** Edit distance: insertions, deletions, substitutions and swaps of neighbours, one each. */
export function editDistance(a: string, b: string): number {
  let before: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        current[j] = Math.min(current[j]!, (before[j - 2] ?? 0) + 1)
    }
    before = previous
    previous = current
  }
  return previous[b.length] ?? 0
}
