/**
 * The hostlist grammar at cluster scale: expanding and folding 100,000 names, and refusing
 * expressions that would expand past the limit (counted before anything is materialised).
 * Run with `bun bench/hostlist.ts`; it asserts nothing.
 */
import { expandHostlist, foldHostlist, HostlistError } from '../src/topology/index.ts'
import { recordRow } from './lib/results.ts'
import { formatMs, median, printTable } from './lib/stats.ts'

const ROUNDS = 7
function time(work: () => void): number {
  const samples: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now()
    work()
    samples.push(performance.now() - started)
  }
  return median(samples)
}

const expand = time(() => expandHostlist('rack[01-100]n[0001-1000]'))
const names = expandHostlist('rack[01-100]n[0001-1000]').reverse()
const fold = time(() => foldHostlist(names))
const refuse = time(() => {
  try {
    expandHostlist('a[1-999999999999999]b[1-999999999999999]c[1-999999999999999]')
  } catch (error) {
    if (!(error instanceof HostlistError)) throw error
  }
})
printTable([
  ['measure', `median of ${ROUNDS}`],
  ['expand rack[01-100]n[0001-1000] (100,000 names)', formatMs(expand)],
  ['fold 100,000 names given in reverse', formatMs(fold)],
  ['refuse a 10^45-name expression', formatMs(refuse)],
])
recordRow({
  section: 'Hostlists',
  what: 'expand / fold 100,000 names; refuse 10^45',
  value: `${formatMs(expand)} / ${formatMs(fold)}; ${formatMs(refuse)}`,
  baseline: '-',
  ratio: '-',
  note: `median of ${ROUNDS}`,
})
