/**
 * Memory of the last known state (SPEC §12): what 100,000 nodes' states cost the server, as
 * RSS and heap after a full collection, beside the goal of under 30 MB; and what one scrape
 * of /metrics costs at that size (time, bytes). Names are built afresh for the state, as
 * hostlist expansion builds them for a request, so the map's keys are counted too. Run with
 * `bun bench/state.ts [--quick]`; it asserts nothing.
 */
import { createEngine } from '../src/engine/index.ts'
import type { Runner } from '../src/exec/index.ts'
import { createMetrics } from '../src/metrics/index.ts'
import { parseTopology } from '../src/topology/index.ts'
import { describeMachine } from './lib/machine.ts'
import { quickMode, recordRow } from './lib/results.ts'
import { formatMs, printTable } from './lib/stats.ts'

const NODES = quickMode() ? 10_000 : 100_000
const GOAL_MB = 30
const quiet = { debug() {}, info() {}, warn() {} }

const name = (i: number) => `node${String(i).padStart(6, '0')}`
const memory = () => {
  Bun.gc(true)
  const { rss, heapUsed } = process.memoryUsage()
  return { rss, heap: heapUsed }
}
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`

console.log(`# Last known state: ${NODES.toLocaleString('en')} nodes`)
console.log(`machine: ${describeMachine()}\n`)

const yaml = `static_nodes:\n${Array.from({ length: NODES }, (_, i) => `  ${name(i)}: { platform: p }`).join('\n')}\nplatforms:\n  p: { status: x }\n`
const topology = parseTopology(yaml)
const engine = createEngine({ runner: {} as Runner, logger: quiet, concurrency: 50 })
// The engine's state store, written as the engine writes it.
const state = engine.lastState as unknown as import('../src/engine/index.ts').LastState
const before = memory()
for (let i = 0; i < NODES; i++) {
  state.saw(`node${String(i).padStart(6, '0')}`, i % 7 === 0 ? 'off' : 'on', 'status')
  if (i % 3 === 0) state.acted(`node${String(i).padStart(6, '0')}`, 'power_on', true)
}
const after = memory()

const metrics = createMetrics({ engine, getTopology: () => topology })
const scrapes: number[] = []
let bytes = 0
for (let i = 0; i < 3; i++) {
  const started = performance.now()
  bytes = (await metrics.render()).length
  scrapes.push(performance.now() - started)
}
const scraped = memory()

const rss = after.rss - before.rss
const heap = after.heap - before.heap
printTable([
  ['what', 'value'],
  ['state: RSS added', mb(rss)],
  ['state: heap added', mb(heap)],
  ['goal', `under ${GOAL_MB} MB`],
  ['GET /metrics body', mb(bytes)],
  ['GET /metrics render (median of 3)', formatMs(scrapes.sort((a, b) => a - b)[1]!)],
  ['RSS added after 3 scrapes', mb(scraped.rss - before.rss)],
])
recordRow({
  section: 'State',
  what: `last known state of ${NODES.toLocaleString('en')} nodes`,
  value: `RSS +${mb(rss)}, heap +${mb(heap)}`,
  baseline: '-',
  ratio: '-',
  goal: `< ${GOAL_MB} MB`,
  met: Math.max(rss, heap) < GOAL_MB * 1048576,
  note: `one /metrics scrape: ${mb(bytes)} in ${formatMs(scrapes[1]!)}`,
})
