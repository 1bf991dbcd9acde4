/**
 * Server memory the way issue 14 asks for it: peak RSS under a sustained status load in
 * several runs, each on a fresh server (so no run inherits another's heap), and idle RSS per
 * node at several topology sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadAverage } from './machine.ts'
import { procStatusKb, sampleRss } from './proc.ts'
import { startBenchServer } from './server.ts'
import { benchTopology } from './topology.ts'
import { runWrk, spreadStatusScript } from './wrk.ts'

/** One sustained-load run on a fresh server. */
export interface LoadRun {
  /** VmRSS in kB after start-up settled, before the load. */
  readonly idleKb: number
  /** Highest VmRSS sampled during the load, kB. */
  readonly peakKb: number
  readonly requestsPerSecond: number
  readonly errors: number
  /** /proc/loadavg before and after the run. */
  readonly loadBefore: string
  readonly loadAfter: string
}

/** Options of `sustainedStatusRuns`. */
export interface SustainedOptions {
  readonly nodes: number
  readonly runs: number
  readonly seconds: number
  readonly connections: number
  /** Called after each run, to print progress. */
  readonly onRun?: (run: LoadRun, index: number) => void
}

/**
 * `runs` times: start a server on `nodes` nodes (status `exit 0`), let it settle, then load it
 * with wrk asking for the status of a different node on every request for `seconds`,
 * sampling VmRSS every 50 ms.
 */
export async function sustainedStatusRuns(options: SustainedOptions): Promise<LoadRun[]> {
  const dir = mkdtempSync(join(tmpdir(), 'flight-power-bench-memory-'))
  const runs: LoadRun[] = []
  try {
    for (let index = 0; index < options.runs; index++) {
      const server = await startBenchServer(
        benchTopology({ nodes: options.nodes, status: 'exit 0' }),
      )
      try {
        await Bun.sleep(2000)
        const idleKb = procStatusKb(server.pid, 'VmRSS')
        const script = spreadStatusScript(dir, {
          token: server.readToken,
          prefix: 'node',
          count: options.nodes,
        })
        const loadBefore = loadAverage()
        const sampler = sampleRss(server.pid, 50)
        const result = await runWrk({
          url: `${server.url}/`,
          connections: options.connections,
          seconds: options.seconds,
          script,
        })
        const run = {
          idleKb,
          peakKb: sampler.stop(),
          requestsPerSecond: result.requestsPerSecond,
          errors: result.errors,
          loadBefore,
          loadAfter: loadAverage(),
        }
        runs.push(run)
        options.onRun?.(run, index)
      } finally {
        await server.stop()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return runs
}

/** Idle memory of a server of one size. */
export interface IdleSize {
  readonly nodes: number
  readonly rssKb: number
  /** VmRSS / nodes, in bytes. */
  readonly bytesPerNode: number
  /** (VmRSS − VmRSS of the smallest size) / (nodes − its nodes), in bytes: the marginal cost. */
  readonly marginalBytesPerNode: number
  readonly load: string
}

/**
 * Start a server at each size in `sizes` (ascending; the first is the base for the marginal
 * figure), let it settle for `settleMs`, and read its VmRSS.
 */
export async function idleRssPerNode(
  sizes: readonly number[],
  settleMs = 3000,
): Promise<IdleSize[]> {
  const out: IdleSize[] = []
  let base: { nodes: number; rssKb: number } | undefined
  for (const nodes of sizes) {
    const server = await startBenchServer(benchTopology({ nodes, status: 'exit 0' }))
    try {
      await Bun.sleep(settleMs)
      const rssKb = procStatusKb(server.pid, 'VmRSS')
      base ??= { nodes, rssKb }
      const marginal =
        nodes > base.nodes ? ((rssKb - base.rssKb) * 1024) / (nodes - base.nodes) : Number.NaN
      out.push({
        nodes,
        rssKb,
        bytesPerNode: (rssKb * 1024) / nodes,
        marginalBytesPerNode: marginal,
        load: loadAverage(),
      })
    } finally {
      await server.stop()
    }
  }
  return out
}
