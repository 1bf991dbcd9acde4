/**
 * The simulator as a process of its own, for benchmarks and end-to-end tests of the real
 * binary. Prints one JSON line ({control, ca, bmcs: [{name, host, url}]}) once every BMC
 * listens, then runs until SIGTERM or SIGINT. With --measure it prints how long 1,000 (or
 * --count) BMCs took to start and the process's RSS, queries each once, and exits.
 *
 *   bun test/redfish-sim/main.ts --count 1000 --measure
 *   bun test/redfish-sim/main.ts --config bmcs.json        # {"tls": true, "bmcs": [{...}]}
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startSimulator, type Simulator, type SimulatorOptions } from './index.ts'

const USAGE =
  'Usage: bun test/redfish-sim/main.ts [--count N | --config FILE] [--http] [--user U] [--password P] [--measure]'

async function main(): Promise<void> {
  const started = performance.now()
  const options = readOptions(process.argv.slice(2))
  const sim = await startSimulator({ ...options.sim, control: !options.measure })
  const startMs = performance.now() - started
  if (options.measure) {
    await measure(sim, startMs, options.user, options.password)
    await sim.stop()
    return
  }
  console.log(
    JSON.stringify({
      control: sim.controlUrl,
      ca: sim.caFile,
      bmcs: sim.bmcs.map((b) => ({ name: b.name, host: b.host, url: b.url })),
    }),
  )
  const stop = () => void sim.stop().then(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

interface CliOptions {
  sim: SimulatorOptions
  measure: boolean
  user: string
  password: string
}

function readOptions(argv: string[]): CliOptions {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        count: { type: 'string' },
        config: { type: 'string' },
        http: { type: 'boolean' },
        user: { type: 'string' },
        password: { type: 'string' },
        measure: { type: 'boolean' },
      },
    }).values
  } catch (error) {
    usage((error as Error).message)
  }
  const user = parsed.user ?? 'admin'
  const password = parsed.password ?? 'password'
  const tls = parsed.http !== true
  if (parsed.count !== undefined && parsed.config !== undefined)
    usage('give --count or --config, not both')
  if (parsed.config !== undefined) {
    const config = readConfig(parsed.config)
    return { sim: { tls, ...config }, measure: parsed.measure === true, user, password }
  }
  const count = Number(parsed.count ?? '1')
  if (!Number.isInteger(count) || count < 1)
    usage(`--count: expected a whole number >= 1, got "${parsed.count}"`)
  const bmcs = Array.from({ length: count }, () => ({ username: user, password }))
  return { sim: { tls, bmcs }, measure: parsed.measure === true, user, password }
}

function readConfig(path: string): { bmcs: SimulatorOptions['bmcs']; tls?: boolean } {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    usage(`--config "${path}": ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || !('bmcs' in value))
    usage(`--config "${path}": expected an object with a "bmcs" list`)
  const { bmcs, tls } = value as { bmcs: SimulatorOptions['bmcs']; tls?: unknown }
  if (tls !== undefined && typeof tls !== 'boolean')
    usage(`--config "${path}": "tls" must be true or false`)
  return tls === undefined ? { bmcs } : { bmcs, tls }
}

/** Start time, RSS, then one authenticated GET of every BMC's system, and RSS again. */
async function measure(sim: Simulator, startMs: number, user: string, password: string) {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
  console.log(`started ${sim.bmcs.length} BMCs in ${startMs.toFixed(0)} ms`)
  console.log(`RSS after start: ${mb(process.memoryUsage().rss)}`)
  const ca = sim.caFile === null ? undefined : readFileSync(sim.caFile, 'utf8')
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
  const queue = [...sim.bmcs]
  let answered = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      for (let bmc = queue.shift(); bmc !== undefined; bmc = queue.shift()) {
        const response = await fetch(`${bmc.url}/redfish/v1/Systems/1`, {
          headers: { Authorization: auth },
          ...(ca === undefined ? {} : { tls: { ca } }),
        })
        const body = (await response.json()) as { PowerState?: string }
        if (response.ok && typeof body.PowerState === 'string') answered++
      }
    }),
  )
  const queryMs = performance.now() - t0
  console.log(
    `${answered}/${sim.bmcs.length} answered a GET of their system in ${queryMs.toFixed(0)} ms`,
  )
  console.log(`RSS after one request each: ${mb(process.memoryUsage().rss)}`)
  if (answered !== sim.bmcs.length) process.exitCode = 1
}

function usage(detail: string): never {
  console.error(`Cannot start Redfish simulator: ${detail}\n${USAGE}`)
  process.exit(2)
}

try {
  await main()
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}
