/**
 * Server throughput and memory with a 10,000-node topology: requests per second of
 * `GET /nodes`, of a cheap status (script `exit 0`) and of `/health`, measured by wrk from a
 * second process on loopback, beside a bare `Bun.serve` as the ceiling (one answering
 * "hello", one answering the same /nodes bytes pre-rendered); resident memory (VmRSS) idle
 * and at its peak under that load. Run with `bun bench/server.ts` (`--quick` for shorter
 * runs); it asserts nothing.
 *
 * "status, one node" asks for the same node every time: the server runs one action per node
 * at a time, so those requests queue behind each other by design. "status, spread" asks for a
 * different node on every request, which is what many clients at once look like.
 *
 * Memory (issue 14): before the throughput table, `MEMORY_RUNS` fresh servers of 10,000 nodes
 * each take a sustained status load (wrk, a different node per request) while VmRSS is sampled
 * every 50 ms; the median and the max of their peaks are reported. Then idle VmRSS per node
 * at 10, 10,000 and 100,000 nodes (the 10-node server is the base of the marginal figure).
 * `--memory-only` stops after these; `--memory-runs N` and `--memory-seconds S` change them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCeiling, type Ceiling } from './lib/ceiling.ts'
import { describeMachine, loadAverage } from './lib/machine.ts'
import { procStatusKb, sampleRss, timeCommand } from './lib/proc.ts'
import { quickMode, recordRow } from './lib/results.ts'
import { startBenchServer } from './lib/server.ts'
import { formatCount, formatKb, median, printTable, ratio } from './lib/stats.ts'
import { idleRssPerNode, sustainedStatusRuns } from './lib/memory.ts'
import { benchTopology } from './lib/topology.ts'
import { runWrk, spreadStatusScript } from './lib/wrk.ts'

const NODES = 10_000
const CONNECTIONS = 10
const SECONDS = quickMode() ? 2 : 4
const ROUNDS = quickMode() ? 1 : 3
/** The goal of issue 6, in kB as /proc reports it. */
const RSS_GOAL_KB = 150 * 1024
/** Issue 14's target of idle memory per node at 100,000 nodes, in bytes. */
const PER_NODE_GOAL_BYTES = 2048
const MEMORY_RUNS = numberFlag('--memory-runs', 3)
const MEMORY_SECONDS = numberFlag('--memory-seconds', quickMode() ? 4 : 10)
const IDLE_SIZES = quickMode() ? [10, 10_000] : [10, 10_000, 100_000]

/** The number after `flag` on the command line, or `fallback`. */
function numberFlag(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag)
  if (at < 0) return fallback
  const value = Number(process.argv[at + 1])
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${flag} needs a whole number of at least 1, not "${process.argv[at + 1]}"`)
  return value
}

interface Target {
  readonly label: string
  readonly url: () => string
  readonly auth: boolean
  readonly script?: () => string
  /** Which process's memory to sample while it runs. */
  readonly pid: () => number
}

/**
 * The ceiling of a status request: how many `bash -c 'exit 0'` per second xargs gets through
 * with `parallel` at once (every status runs one bash script).
 */
async function bashPerSecond(parallel: number, count: number): Promise<number> {
  const input = 'exit 0\0'.repeat(count)
  const run = await timeCommand(['xargs', '-0', '-P', String(parallel), '-n', '1', 'bash', '-c'], {
    stdin: input,
  })
  if (run.code !== 0) throw new Error(`xargs failed: exit ${run.code}`)
  return count / (run.ms / 1000)
}

const dir = mkdtempSync(join(tmpdir(), 'flight-power-bench-server-'))
console.log(
  `# Server: wrk -t1 -c${CONNECTIONS} on loopback, ${NODES.toLocaleString('en-US')}-node topology`,
)
console.log(`machine: ${describeMachine()}; load average at start: ${loadAverage()}`)

await memorySection()
if (process.argv.includes('--memory-only')) process.exit(0)

/** Peak RSS under a sustained status load (several fresh servers), then idle RSS per node. */
async function memorySection(): Promise<void> {
  console.log(
    `\n## Memory: ${MEMORY_RUNS} run(s) of ${MEMORY_SECONDS} s of status load (wrk -c${CONNECTIONS}, a different node per request), fresh ${formatCount(NODES)}-node server each`,
  )
  const runs = await sustainedStatusRuns({
    nodes: NODES,
    runs: MEMORY_RUNS,
    seconds: MEMORY_SECONDS,
    connections: CONNECTIONS,
    onRun: (run, index) =>
      console.log(
        `run ${index + 1}: idle ${formatKb(run.idleKb)}, peak ${formatKb(run.peakKb)}, ${formatCount(run.requestsPerSecond)} req/s, ${run.errors} errors; load average ${run.loadBefore} → ${run.loadAfter}`,
      ),
  })
  const peaks = runs.map((run) => run.peakKb)
  const medianPeak = median(peaks)
  const maxPeak = Math.max(...peaks)
  const allUnder = peaks.every((kb) => kb <= RSS_GOAL_KB)
  console.log(
    `peak RSS under status load: median ${formatKb(medianPeak)}, max ${formatKb(maxPeak)} (goal ≤ 150 MB in every run: ${allUnder ? 'met' : 'missed'})`,
  )
  recordRow({
    section: 'Server',
    what: `peak RSS under status load, ${formatCount(NODES)} nodes, ${MEMORY_RUNS} fresh servers`,
    value: `median ${formatKb(medianPeak)}, max ${formatKb(maxPeak)}`,
    baseline: `idle ${formatKb(median(runs.map((run) => run.idleKb)))}`,
    ratio: `${ratio(maxPeak, RSS_GOAL_KB)} of goal (max)`,
    goal: '≤ 150 MB every run',
    met: allUnder,
    note: `wrk -c${CONNECTIONS} ${MEMORY_SECONDS} s per run, VmRSS every 50 ms; peaks ${peaks.map(formatKb).join(', ')}`,
  })

  console.log('\n## Idle RSS per node')
  const sizes = await idleRssPerNode(IDLE_SIZES)
  for (const size of sizes) {
    console.log(
      `${formatCount(size.nodes)} nodes: VmRSS ${formatKb(size.rssKb)}, ${formatBytes(size.bytesPerNode)} per node${Number.isFinite(size.marginalBytesPerNode) ? `, marginal ${formatBytes(size.marginalBytesPerNode)} per node` : ''}; load average ${size.load}`,
    )
    if (size.nodes < 10_000) continue
    const goal = size.nodes >= 100_000
    recordRow({
      section: 'Server',
      what: `idle RSS per node, ${formatCount(size.nodes)} nodes`,
      value: `${formatBytes(size.bytesPerNode)} (VmRSS ${formatKb(size.rssKb)})`,
      baseline: `marginal ${formatBytes(size.marginalBytesPerNode)} over a ${formatCount(sizes[0]?.nodes ?? 0)}-node server`,
      ratio: goal ? `${ratio(size.bytesPerNode, PER_NODE_GOAL_BYTES)} of goal` : '-',
      ...(goal ? { goal: '≤ 2 KB', met: size.bytesPerNode <= PER_NODE_GOAL_BYTES } : {}),
      note: 'VmRSS 3 s after start-up',
    })
  }
}

/** Bytes as "1.23 KB" (KB = 1024 bytes, as VmRSS counts). */
function formatBytes(bytes: number): string {
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(2)} KB` : `${bytes.toFixed(0)} B`
}

const server = await startBenchServer(benchTopology({ nodes: NODES, status: 'exit 0' }))
const ceilings: Ceiling[] = []
try {
  // Let start-up garbage settle before reading idle memory.
  await Bun.sleep(2000)
  const idleKb = procStatusKb(server.pid, 'VmRSS')
  const response = await fetch(`${server.url}/nodes`, {
    headers: { authorization: `Bearer ${server.readToken}` },
  })
  const nodesBody = await response.bytes()
  if (!response.ok) throw new Error(`GET /nodes answered ${response.status}`)
  const bodyFile = join(dir, 'nodes.json')
  writeFileSync(bodyFile, nodesBody)
  const hello = await startCeiling()
  ceilings.push(hello)
  const nodesCeiling = await startCeiling(bodyFile)
  ceilings.push(nodesCeiling)
  const spread = spreadStatusScript(dir, { token: server.readToken, prefix: 'node', count: NODES })

  const targets: Target[] = [
    {
      label: 'ceiling: Bun.serve "hello"',
      url: () => `${hello.url}/`,
      auth: false,
      pid: () => hello.pid,
    },
    {
      label: 'ceiling: Bun.serve, /nodes bytes',
      url: () => `${nodesCeiling.url}/`,
      auth: false,
      pid: () => nodesCeiling.pid,
    },
    {
      label: 'GET /health (no auth)',
      url: () => `${server.url}/health`,
      auth: false,
      pid: () => server.pid,
    },
    {
      label: `GET /nodes (${NODES.toLocaleString('en-US')} nodes)`,
      url: () => `${server.url}/nodes`,
      auth: true,
      pid: () => server.pid,
    },
    {
      label: 'status, one node (exit 0)',
      url: () => `${server.url}/?nodes=node00001`,
      auth: true,
      pid: () => server.pid,
    },
    {
      label: 'status, spread (exit 0)',
      url: () => `${server.url}/`,
      auth: false,
      script: () => spread,
      pid: () => server.pid,
    },
  ]
  const rps = new Map<string, number[]>()
  const p99 = new Map<string, number[]>()
  const peak = new Map<string, number>()
  const errors = new Map<string, number>()
  const bashParallel: number[] = []
  const bashSerial: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    bashParallel.push(await bashPerSecond(CONNECTIONS, 2000))
    bashSerial.push(await bashPerSecond(1, 500))
    for (const target of targets) {
      const sampler = sampleRss(target.pid())
      const result = await runWrk({
        url: target.url(),
        connections: CONNECTIONS,
        seconds: SECONDS,
        headers: target.auth ? { Authorization: `Bearer ${server.readToken}` } : {},
        script: target.script?.(),
      })
      const top = sampler.stop()
      rps.set(target.label, [...(rps.get(target.label) ?? []), result.requestsPerSecond])
      p99.set(target.label, [...(p99.get(target.label) ?? []), result.p99Ms])
      peak.set(target.label, Math.max(peak.get(target.label) ?? 0, top))
      errors.set(target.label, (errors.get(target.label) ?? 0) + result.errors)
    }
  }
  await Bun.sleep(1000)
  const afterKb = procStatusKb(server.pid, 'VmRSS')
  const hwmKb = procStatusKb(server.pid, 'VmHWM')

  const helloRps = median(rps.get(targets[0]?.label ?? '') ?? [])
  const nodesCeilingRps = median(rps.get(targets[1]?.label ?? '') ?? [])
  const rows = [['endpoint', 'req/s', 'vs hello', 'p99', 'errors', 'peak RSS']]
  for (const target of targets) {
    const r = median(rps.get(target.label) ?? [])
    rows.push([
      target.label,
      formatCount(r),
      ratio(r, helloRps),
      `${median(p99.get(target.label) ?? []).toFixed(1)} ms`,
      String(errors.get(target.label) ?? 0),
      formatKb(peak.get(target.label) ?? Number.NaN),
    ])
  }
  console.log(
    `\n${ROUNDS} round(s) of ${SECONDS} s per endpoint, medians; /nodes body ${(nodesBody.length / 1024).toFixed(0)} KiB\n`,
  )
  printTable(rows)
  const parallelBash = median(bashParallel)
  const serialBash = median(bashSerial)
  console.log(
    `\nbash ceiling for status (xargs bash -c 'exit 0'): ${formatCount(parallelBash)}/s with ${CONNECTIONS} at once, ${formatCount(serialBash)}/s one at a time`,
  )
  const loadPeakKb = Math.max(
    ...targets.filter((t) => t.pid() === server.pid).map((t) => peak.get(t.label) ?? 0),
  )
  console.log(
    `\nflight-power RSS: idle ${formatKb(idleKb)}, peak under load ${formatKb(loadPeakKb)}, after load ${formatKb(afterKb)}, high-water mark ${formatKb(hwmKb)} (goal < 150 MB)`,
  )
  console.log(`load average at end: ${loadAverage()}`)

  const nodesRps = median(rps.get(targets[3]?.label ?? '') ?? [])
  const oneRps = median(rps.get(targets[4]?.label ?? '') ?? [])
  const spreadRps = median(rps.get(targets[5]?.label ?? '') ?? [])
  const healthRps = median(rps.get(targets[2]?.label ?? '') ?? [])
  const note = `wrk -c${CONNECTIONS}, median of ${ROUNDS} × ${SECONDS} s`
  recordRow({
    section: 'Server',
    what: `GET /nodes, ${formatCount(NODES)} nodes (${(nodesBody.length / 1024).toFixed(0)} KiB)`,
    value: `${formatCount(nodesRps)} req/s`,
    baseline: `Bun.serve same bytes ${formatCount(nodesCeilingRps)} req/s; hello ${formatCount(helloRps)} req/s`,
    ratio: `${ratio(nodesRps, nodesCeilingRps)} same bytes`,
    note,
  })
  recordRow({
    section: 'Server',
    what: 'status of one node (exit 0), same node each time',
    value: `${formatCount(oneRps)} req/s`,
    baseline: `xargs -P 1 bash -c 'exit 0' ${formatCount(serialBash)}/s`,
    ratio: `${ratio(oneRps, serialBash)} serial bash`,
    note: `${note}; one action per node at a time`,
  })
  recordRow({
    section: 'Server',
    what: 'status of one node (exit 0), a different node each time',
    value: `${formatCount(spreadRps)} req/s`,
    baseline: `xargs -P ${CONNECTIONS} bash -c 'exit 0' ${formatCount(parallelBash)}/s`,
    ratio: `${ratio(spreadRps, parallelBash)} parallel bash`,
    note,
  })
  recordRow({
    section: 'Server',
    what: 'GET /health (no auth, no script)',
    value: `${formatCount(healthRps)} req/s`,
    baseline: `Bun.serve hello ${formatCount(helloRps)} req/s`,
    ratio: ratio(healthRps, helloRps),
    note,
  })
  recordRow({
    section: 'Server',
    what: `RSS, ${formatCount(NODES)} nodes: idle / peak under load`,
    value: `${formatKb(idleKb)} / ${formatKb(loadPeakKb)}`,
    baseline: 'goal < 150 MB',
    ratio: ratio(loadPeakKb, RSS_GOAL_KB) + ' of goal',
    goal: '< 150 MB',
    met: loadPeakKb < RSS_GOAL_KB,
    note: `VmRSS; high-water mark ${formatKb(hwmKb)}`,
  })
} finally {
  await Promise.all(ceilings.map((ceiling) => ceiling.stop()))
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
}
