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
import { benchTopology } from './lib/topology.ts'
import { runWrk, spreadStatusScript } from './lib/wrk.ts'

const NODES = 10_000
const CONNECTIONS = 10
const SECONDS = quickMode() ? 2 : 4
const ROUNDS = quickMode() ? 1 : 3
/** The goal of issue 6, in kB as /proc reports it. */
const RSS_GOAL_KB = 150 * 1024

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
