/**
 * Live results (SPEC §12, issue 13): `status @all` on N = 2,000 nodes whose status script
 * sleeps L = 1 s, at concurrency 50, asked for as a result stream. Measures, from the request,
 * the time to the first node line and to the last line (the summary); the ideal end is
 * N / 50 × L = 40 s. Median of 3 runs; asserts nothing.
 *
 *   bun bench/stream.ts [--quick]      (--quick: 200 nodes, one run)
 */
import { startBenchServer } from './lib/server.ts'
import { quickMode, recordRow } from './lib/results.ts'
import { formatMs, median, printTable } from './lib/stats.ts'
import { benchTopology } from './lib/topology.ts'

const NODES = quickMode() ? 200 : 2000
const RUNS = quickMode() ? 1 : 3
const CONCURRENCY = 50
const SLEEP_S = 1
const GOAL_FIRST_MS = 2000

const server = await startBenchServer(benchTopology({ nodes: NODES, status: `sleep ${SLEEP_S}` }), {
  config: { num_worker_commands: String(CONCURRENCY) },
})

/** One streamed `status @all`: ms to the first node line and to the last line. */
async function run(): Promise<{ first: number; last: number; lines: number }> {
  const started = performance.now()
  const response = await fetch(`${server.url}/?groups=all`, {
    headers: { authorization: `Bearer ${server.readToken}`, accept: 'application/x-ndjson' },
  })
  if (!response.ok || !response.body) throw new Error(`status @all answered ${response.status}`)
  const decoder = new TextDecoder()
  let buffer = ''
  let first = Number.NaN
  let nodes = 0
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true })
    let end: number
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, end)) as { type: string }
      buffer = buffer.slice(end + 1)
      if (line.type !== 'commands') continue
      if (nodes++ === 0) first = performance.now() - started
    }
  }
  const last = performance.now() - started
  if (nodes !== NODES) throw new Error(`expected ${NODES} node lines, got ${nodes}`)
  return { first, last, lines: nodes }
}

try {
  console.log(
    `status @all as a stream: ${NODES} nodes, status = sleep ${SLEEP_S}, concurrency ${CONCURRENCY}, ${RUNS} run(s)`,
  )
  const runs: { first: number; last: number }[] = []
  for (let i = 0; i < RUNS; i++) runs.push(await run())
  const first = median(runs.map((r) => r.first))
  const last = median(runs.map((r) => r.last))
  const ideal = (NODES / CONCURRENCY) * SLEEP_S * 1000
  printTable([
    ['run', 'first node line', 'last line'],
    ...runs.map((r, i) => [String(i + 1), formatMs(r.first), formatMs(r.last)]),
    ['median', formatMs(first), formatMs(last)],
  ])
  console.log(`first line: ${formatMs(first)} (goal <= ${formatMs(GOAL_FIRST_MS)})`)
  console.log(`last line: ${formatMs(last)} (ideal ${formatMs(ideal)})`)
  const what = `status @all streamed, N=${NODES.toLocaleString('en-US')}, L=${SLEEP_S} s, C=${CONCURRENCY}`
  recordRow({
    section: 'Stream',
    what: `${what}: first line`,
    value: formatMs(first),
    baseline: '-',
    ratio: '-',
    goal: `≤ ${formatMs(GOAL_FIRST_MS)}`,
    met: first <= GOAL_FIRST_MS,
    note: `bench/stream.ts, median of ${RUNS}`,
  })
  recordRow({
    section: 'Stream',
    what: `${what}: last line`,
    value: formatMs(last),
    baseline: `ideal ${formatMs(ideal)}`,
    ratio: `${(last / ideal).toFixed(2)}× ideal`,
    note: `bench/stream.ts, median of ${RUNS}`,
  })
} finally {
  await server.stop()
}
