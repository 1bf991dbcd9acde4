/** Driving `wrk` from a second process and reading its figures. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { timeCommand } from './proc.ts'

/** What one wrk run measured. */
export interface WrkResult {
  readonly requestsPerSecond: number
  /** Latency percentiles in ms (from --latency). */
  readonly p50Ms: number
  readonly p99Ms: number
  /** Non-2xx/3xx replies plus socket errors: should be 0. */
  readonly errors: number
  readonly raw: string
}

/** Options of `runWrk`. */
export interface WrkOptions {
  readonly url: string
  readonly connections: number
  readonly seconds: number
  readonly threads?: number
  readonly headers?: Readonly<Record<string, string>>
  /** A Lua script file (`-s`). */
  readonly script?: string
}

/** Run wrk once; throws when wrk itself fails. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const argv = [
    'wrk',
    '--latency',
    '-t',
    String(options.threads ?? 1),
    '-c',
    String(options.connections),
    '-d',
    `${options.seconds}s`,
    '--timeout',
    '30s',
  ]
  for (const [name, value] of Object.entries(options.headers ?? {}))
    argv.push('-H', `${name}: ${value}`)
  if (options.script) argv.push('-s', options.script)
  argv.push(options.url)
  const run = await timeCommand(argv, { timeoutMs: (options.seconds + 60) * 1000 })
  if (run.code !== 0) throw new Error(`wrk failed (exit ${run.code}): ${run.stderr}${run.stdout}`)
  const out = run.stdout
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN)
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0
  return {
    requestsPerSecond: rps,
    p50Ms: percentile(out, '50%'),
    p99Ms: percentile(out, '99%'),
    errors: non2xx + socketErrors,
    raw: out,
  }
}

function percentile(out: string, label: string): number {
  const match = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out)
  if (!match) return Number.NaN
  const value = Number(match[1])
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value
}

/**
 * Write a wrk Lua script that asks for the status of a different node on every request
 * (node names `prefix` + zero-padded 1…count), with the bearer token; returns its path.
 */
export function spreadStatusScript(
  dir: string,
  options: { token: string; prefix: string; count: number },
): string {
  const width = String(options.count).length
  const path = join(dir, 'spread-status.lua')
  writeFileSync(
    path,
    `-- one node per request, round robin over ${options.count} nodes
local counter = 0
request = function()
  counter = counter + 1
  local path = string.format("/?nodes=${options.prefix}%0${width}d", (counter % ${options.count}) + 1)
  return wrk.format("GET", path, { ["Authorization"] = "Bearer ${options.token}" })
end
`,
  )
  return path
}
