/**
 * Median wall time of `flight-power status node01` (the built binary, cold start included)
 * against a local server, beside `curl` making the same request, in one run with the two
 * alternating so both see the same machine load. Run with `bun bench/client.ts [RUNS]`;
 * it asserts nothing. Set FLIGHT_POWER_TEST_BINARY to bench an already built binary.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildBinary, startServer } from '../test/harness.ts'

const RUNS = Number(process.argv[2] ?? 30)

const stateDir = await mkdtemp(join(tmpdir(), 'flight-power-bench-'))
await Bun.write(join(stateDir, 'node01'), 'on\n')
const binary = await buildBinary()
const server = await startServer({
  topology: `platforms:
  files:
    variables: [name, state_dir]
    power_on: echo on > "$state_dir/$name"
    power_off: echo off > "$state_dir/$name"
    restart: echo on > "$state_dir/$name"
    status: '[ "$(cat "$state_dir/$name")" = on ]'
static_nodes:
  node01: { platform: files, state_dir: ${JSON.stringify(stateDir)} }
`,
})

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: stateDir }
const commands = {
  'flight-power': [binary, 'status', 'node01', '--url', server.url, '--token', server.readToken],
  curl: [
    'curl',
    '-sf',
    '-H',
    `Authorization: Bearer ${server.readToken}`,
    `${server.url}/?nodes=node01`,
  ],
}

/** Wall time of one run, in milliseconds; throws unless it exits 0. */
async function time(argv: string[]): Promise<number> {
  const started = performance.now()
  const child = Bun.spawn(argv, { env, stdout: 'ignore', stderr: 'inherit' })
  const code = await child.exited
  if (code !== 0) throw new Error(`${argv[0]} exited ${code}`)
  return performance.now() - started
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

try {
  // One warm-up each, so the page cache and the server's first request do not count.
  await time(commands['flight-power'])
  await time(commands.curl)
  const samples: Record<keyof typeof commands, number[]> = { 'flight-power': [], curl: [] }
  for (let run = 0; run < RUNS; run++) {
    samples['flight-power'].push(await time(commands['flight-power']))
    samples.curl.push(await time(commands.curl))
  }
  const client = median(samples['flight-power'])
  const curl = median(samples.curl)
  console.log(`runs:                          ${RUNS} each, alternating`)
  console.log(`flight-power status (median):  ${client.toFixed(1)} ms`)
  console.log(`curl, same request (median):   ${curl.toFixed(1)} ms`)
  console.log(`ratio:                         ${(client / curl).toFixed(2)}x`)
} finally {
  await server.stop()
}
