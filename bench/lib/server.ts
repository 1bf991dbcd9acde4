/** A real `flight-power serve` for the benchmarks, through the shared test harness. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildBinary, startServer, type TestServer } from '../../test/harness.ts'

export { buildBinary, type TestServer }

/** Start a server on `topology` (YAML) with extra config keys; waits up to `startTimeoutMs`. */
export function startBenchServer(
  topology: string,
  options: { config?: Record<string, string>; startTimeoutMs?: number } = {},
): Promise<TestServer> {
  return startServer({
    topology,
    config: options.config,
    startTimeoutMs: options.startTimeoutMs ?? 120_000,
  })
}

let home: string | undefined

/**
 * The environment a benchmarked client runs with: PATH, a scratch HOME (so no per-user config
 * is read), and the server's URL and power token through FLIGHT_POWER_URL/FLIGHT_POWER_TOKEN.
 */
export function clientEnv(server: TestServer): Record<string, string> {
  home ??= mkdtempSync(join(tmpdir(), 'flight-power-bench-home-'))
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    FLIGHT_POWER_URL: server.url,
    FLIGHT_POWER_TOKEN: server.powerToken,
  }
}

/**
 * The server's own duration of the last request matching `path` (its access-log line ends
 * "200 1234ms"), to split end-to-end time into server and client/transport; NaN if absent.
 */
export function lastServerMs(server: TestServer, pathPrefix: string): number {
  let found = Number.NaN
  for (const line of server.logs().split('\n')) {
    const match = / (\/\S*) \d{3} (\d+)ms /.exec(line)
    if (match?.[1]?.startsWith(pathPrefix)) found = Number(match[2])
  }
  return found
}
