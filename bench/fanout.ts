/**
 * Fan-out end to end: `flight-power status @all` (the real binary as client, a real server,
 * real bash scripts that sleep L) for N nodes at the default concurrency, beside (a) the ideal
 * ceil(N/C)·L and (b) `xargs -P C` running the same scripts. Run with `bun bench/fanout.ts`
 * (`--quick` for N ≤ 1,000 and L ≤ 100 ms, `--cells 10000:0,1000:0.1` for chosen cells); it
 * asserts nothing.
 *
 * Budget: the N=10,000, L=1 s cell alone is 200 s of ideal time, so long cells run once and
 * short cells several times (the plan is printed). xargs is skipped for that one cell: at
 * L=1 s xargs is the ideal plus spawn noise (the N=1,000 row shows it), and running it would
 * cost another 200 s of the 15-minute suite.
 */
import { buildBinary, clientEnv, lastServerMs, startBenchServer } from './lib/server.ts'
import { describeMachine, loadAverage } from './lib/machine.ts'
import { timeCommand } from './lib/proc.ts'
import { quickMode, recordRow } from './lib/results.ts'
import { formatCount, formatMs, median, printTable, ratio } from './lib/stats.ts'
import { benchTopology, nodeNames } from './lib/topology.ts'

/** The server's default `num_worker_commands`. */
const CONCURRENCY = 50

interface Cell {
  readonly nodes: number
  /** Script latency in seconds. */
  readonly latency: number
  /** Measured rounds of each contender. */
  readonly rounds: number
  readonly xargs: boolean
}

const FULL: readonly Cell[] = [
  { nodes: 100, latency: 0, rounds: 5, xargs: true },
  { nodes: 100, latency: 0.1, rounds: 5, xargs: true },
  { nodes: 100, latency: 1, rounds: 3, xargs: true },
  { nodes: 1000, latency: 0, rounds: 5, xargs: true },
  { nodes: 1000, latency: 0.1, rounds: 3, xargs: true },
  { nodes: 1000, latency: 1, rounds: 1, xargs: true },
  { nodes: 10_000, latency: 0, rounds: 3, xargs: true },
  { nodes: 10_000, latency: 0.1, rounds: 1, xargs: true },
  { nodes: 10_000, latency: 1, rounds: 1, xargs: false },
]
const QUICK: readonly Cell[] = FULL.filter((cell) => cell.nodes <= 1000 && cell.latency <= 0.1).map(
  (cell) => ({
    ...cell,
    rounds: Math.min(cell.rounds, 3),
  }),
)

/** The same script for both contenders: sleep L (unless 0), then a check that `name` arrived. */
function statusScript(latency: number): string {
  return latency > 0 ? `sleep ${latency}; test -n "$name"` : 'test -n "$name"'
}

function idealMs(cell: Cell): number {
  return Math.ceil(cell.nodes / CONCURRENCY) * cell.latency * 1000
}

/** `flight-power status @all` through the real binary; returns wall ms and the server's own ms. */
async function viaFlightPower(
  binary: string,
  env: Record<string, string>,
  cell: Cell,
  server: Parameters<typeof lastServerMs>[0],
) {
  // The client's HTTP timeout must outlast the whole action (200 s ideal at N=10,000, L=1 s).
  const timeoutSeconds = Math.max(300, Math.ceil((idealMs(cell) / 1000) * 3))
  const run = await timeCommand([binary, 'status', '@all', '--timeout', String(timeoutSeconds)], {
    env,
    timeoutMs: (timeoutSeconds + 30) * 1000,
  })
  const on = run.stdout.split('\n').filter((line) => / On$/.test(line)).length
  if (run.code !== 0 || on !== cell.nodes) {
    throw new Error(
      `flight-power status @all failed: exit ${run.code}, ${on} of ${cell.nodes} on\n${run.stderr.slice(0, 2000)}`,
    )
  }
  return { ms: run.ms, serverMs: lastServerMs(server, '/?') }
}

/** The same scripts through `xargs -0 -P C -n 1 bash -c`, variables set in the script text. */
async function viaXargs(cell: Cell): Promise<number> {
  const script = statusScript(cell.latency)
  const input = nodeNames(cell.nodes)
    .map(
      (name, i) =>
        `name=${name} rack=r${String(Math.floor(i / 40) + 1).padStart(3, '0')}; ${script}\0`,
    )
    .join('')
  const run = await timeCommand(
    ['xargs', '-0', '-P', String(CONCURRENCY), '-n', '1', 'bash', '-c'],
    { stdin: input },
  )
  if (run.code !== 0)
    throw new Error(`xargs failed: exit ${run.code}\n${run.stderr.slice(0, 2000)}`)
  return run.ms
}

/** `--cells 10000:0,1000:0.1` runs only those cells of the full plan (to re-measure one). */
function selectCells(): readonly Cell[] {
  const argv = process.argv
  if (!argv.includes('--cells')) return quickMode() ? QUICK : FULL
  const wanted = (argv[argv.indexOf('--cells') + 1] ?? '').split(',')
  return FULL.filter((cell) => wanted.includes(`${cell.nodes}:${cell.latency}`))
}

const cells = selectCells()
const binary = await buildBinary()
console.log(`# Fan-out: flight-power status @all vs ideal ceil(N/C)·L and xargs -P ${CONCURRENCY}`)
console.log(`machine: ${describeMachine()}; load average at start: ${loadAverage()}`)
console.log('plan (rounds per contender, alternating):')
for (const cell of cells) {
  const xargs = cell.xargs ? '' : ' (xargs skipped: budget; see header)'
  console.log(`  N=${formatCount(cell.nodes)} L=${cell.latency} s: ${cell.rounds} round(s)${xargs}`)
}
console.log()

const rows: string[][] = [
  ['cell', 'rounds', 'flight-power', 'server part', 'ideal', 'xargs', 'fp/ideal', 'fp/xargs'],
]
for (const size of [...new Set(cells.map((cell) => cell.nodes))]) {
  // One server per size; each latency is a reload of the same nodes with another script.
  const first = cells.find((cell) => cell.nodes === size)
  const server = await startBenchServer(
    benchTopology({ nodes: size, status: statusScript(first?.latency ?? 0) }),
  )
  const env = clientEnv(server)
  try {
    for (const cell of cells.filter((c) => c.nodes === size)) {
      await server.reload(benchTopology({ nodes: size, status: statusScript(cell.latency) }))
      // A warm-up round at L=0 pages in the binary and bash for both contenders.
      if (cell.latency === 0) {
        await viaFlightPower(binary, env, cell, server)
        await viaXargs(cell)
      }
      const fp: number[] = []
      const serverPart: number[] = []
      const xargs: number[] = []
      for (let round = 0; round < cell.rounds; round++) {
        const run = await viaFlightPower(binary, env, cell, server)
        fp.push(run.ms)
        serverPart.push(run.serverMs)
        if (cell.xargs) xargs.push(await viaXargs(cell))
      }
      const f = median(fp)
      const x = median(xargs)
      const ideal = idealMs(cell)
      const label = `N=${formatCount(cell.nodes)} L=${cell.latency * 1000} ms`
      rows.push([
        label,
        String(cell.rounds),
        formatMs(f),
        formatMs(median(serverPart)),
        ideal > 0 ? formatMs(ideal) : '-',
        cell.xargs ? formatMs(x) : 'skipped',
        ideal > 0 ? ratio(f, ideal) : '-',
        cell.xargs ? ratio(f, x) : '-',
      ])
      console.log(
        `${label}: flight-power ${fp.map((ms) => formatMs(ms)).join(', ')}; xargs ${xargs.map((ms) => formatMs(ms)).join(', ') || '-'}`,
      )
      const goal =
        cell.latency === 1
          ? { goal: '≤ 1.2× ideal', met: f / ideal <= 1.2 }
          : cell.latency === 0
            ? { goal: '≤ 1.5× xargs', met: f / x <= 1.5 }
            : {}
      recordRow({
        section: 'Fan-out',
        what: `status @all, ${label}`,
        value: formatMs(f),
        baseline: [
          ideal > 0 ? `ideal ${formatMs(ideal)}` : '',
          cell.xargs ? `xargs ${formatMs(x)}` : '',
        ]
          .filter(Boolean)
          .join('; '),
        ratio: [
          ideal > 0 ? `${ratio(f, ideal)} ideal` : '',
          cell.xargs ? `${ratio(f, x)} xargs` : '',
        ]
          .filter(Boolean)
          .join('; '),
        ...goal,
        note: `median of ${cell.rounds}${cell.xargs ? '' : '; xargs skipped (budget)'}`,
      })
    }
  } finally {
    await server.stop()
  }
}

console.log()
printTable(rows)
console.log(
  `\nconcurrency ${CONCURRENCY} (server default); "server part" is the server's own time for the request (access log)`,
)
console.log('goals: ≤ 1.2× ideal at L = 1 s; ≤ 1.5× xargs at L = 0')
console.log(`load average at end: ${loadAverage()}`)
