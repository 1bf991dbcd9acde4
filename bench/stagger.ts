/**
 * The power-on rate (SPEC §10) and what the engine costs:
 * 1. Staggered start: 40 nodes powered on through the engine and real bash scripts at
 *    600/min (a 100 ms interval): the actual spacing between starts against the scheduled one.
 * 2. The engine's own cost at 10,000 nodes with the rate off: status through the engine and a
 *    driver that answers at once, against calling that driver directly (the baseline), so the
 *    figure is what the global limit, per-node locks and result building add.
 * Run with `bun bench/stagger.ts [--quick]`; it asserts nothing.
 */
import { createEngine, type Attempt, type Driver } from '../src/engine/index.ts'
import { createRunner } from '../src/exec/index.ts'
import { parseTopology, type Topology } from '../src/topology/index.ts'
import { quickMode, recordRow } from './lib/results.ts'
import { formatMs, median, printTable, ratio } from './lib/stats.ts'

const quick = quickMode()
const ROUNDS = quick ? 2 : 5
const STAGGERED = quick ? 15 : 40
const RATE = 600
const NODES = quick ? 2_000 : 10_000
const quiet = { debug() {}, info() {}, warn() {} }

function topologyOf(count: number): Topology {
  const nodes = Array.from({ length: count }, (_, i) => `  n${i}: { platform: p }`).join('\n')
  return parseTopology(
    `static_nodes:\n${nodes}\nplatforms:\n  p: { power_on: exit 0, status: exit 0 }\n`,
  )
}

async function staggered(): Promise<{ median: number; max: number; min: number }> {
  const runner = createRunner({ concurrency: 50 })
  const engine = createEngine({ runner, logger: quiet, concurrency: 50, powerOnRate: RATE })
  const topology = topologyOf(STAGGERED)
  const results = await engine.run({
    action: 'power_on',
    names: [...topology.nodes.keys()],
    topology,
  })
  const times = results.map((result) => Date.parse(result.startedAt ?? '')).sort((a, b) => a - b)
  const gaps = times.slice(1).map((time, i) => time - times[i]!)
  return { median: median(gaps), max: Math.max(...gaps), min: Math.min(...gaps) }
}

const instant: Driver = {
  supports: () => true,
  attempt: (): Promise<Attempt> =>
    Promise.resolve({ exitCode: 0, timedOut: false, message: null, durationMs: 0 }),
}

async function throughEngine(topology: Topology): Promise<number> {
  const engine = createEngine({
    runner: createRunner({ concurrency: 50 }),
    logger: quiet,
    concurrency: 50,
    driver: instant,
  })
  const started = performance.now()
  await engine.run({ action: 'status', names: [...topology.nodes.keys()], topology })
  return performance.now() - started
}

async function direct(topology: Topology): Promise<number> {
  const started = performance.now()
  await Promise.all(
    [...topology.nodes.values()].map((node) =>
      instant.attempt({
        node,
        platform: topology.platforms.get(node.platform)!,
        key: 'status',
        env: {},
        timeoutMs: 1000,
      }),
    ),
  )
  return performance.now() - started
}

const spacing: { median: number; max: number; min: number }[] = []
for (let round = 0; round < ROUNDS; round++) spacing.push(await staggered())
const interval = 60_000 / RATE
const topology = topologyOf(NODES)
const engineMs: number[] = []
const directMs: number[] = []
for (let round = 0; round < ROUNDS; round++) {
  engineMs.push(await throughEngine(topology))
  directMs.push(await direct(topology))
}

const spacingMedian = median(spacing.map((s) => s.median))
const spacingMax = Math.max(...spacing.map((s) => s.max))
const spacingMin = Math.min(...spacing.map((s) => s.min))
printTable([
  ['measure', 'value', 'baseline', 'ratio'],
  [
    `staggered start: spacing of ${STAGGERED} power-ons at ${RATE}/min (median of ${ROUNDS})`,
    formatMs(spacingMedian),
    `scheduled ${formatMs(interval)}`,
    ratio(spacingMedian, interval),
  ],
  [
    '  smallest and largest spacing seen',
    `${formatMs(spacingMin)} / ${formatMs(spacingMax)}`,
    '',
    '',
  ],
  [
    `engine, rate off: status on ${NODES.toLocaleString('en-US')} nodes, instant driver`,
    formatMs(median(engineMs)),
    `direct ${formatMs(median(directMs))}`,
    ratio(median(engineMs), median(directMs)),
  ],
  ['  per node', `${((median(engineMs) / NODES) * 1000).toFixed(1)} µs`, '', ''],
])
recordRow({
  section: 'Power-on rate',
  what: `spacing of ${STAGGERED} power-ons at ${RATE}/min, real bash`,
  value: formatMs(spacingMedian),
  baseline: `scheduled ${formatMs(interval)}`,
  ratio: ratio(spacingMedian, interval),
  note: `median of ${ROUNDS} runs; min ${formatMs(spacingMin)}, max ${formatMs(spacingMax)}`,
})
recordRow({
  section: 'Power-on rate',
  what: `engine cost, rate off, status on ${NODES.toLocaleString('en-US')} nodes`,
  value: formatMs(median(engineMs)),
  baseline: `driver called directly ${formatMs(median(directMs))}`,
  ratio: ratio(median(engineMs), median(directMs)),
  note: `median of ${ROUNDS}; ${((median(engineMs) / NODES) * 1000).toFixed(1)} µs per node`,
})
