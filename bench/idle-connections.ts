/**
 * Idle unauthenticated connections (issue 10, point 1): open 2,000 keep-alive connections that
 * each got a 401 and then say nothing, check that `/health` and an authenticated status still
 * answer while they are open, and time how long the server takes to close them all
 * (`idle_timeout_seconds=5`; Bun sweeps idle sockets every few seconds). Run with
 * `bun bench/idle-connections.ts` (`--quick`: 500). It reports; it asserts nothing.
 */
import { exchange, open, portOf, within, type IdleConnection } from '../test/raw-http.ts'
import { describeMachine } from './lib/machine.ts'
import { quickMode, recordRow } from './lib/results.ts'
import { startBenchServer } from './lib/server.ts'
import { formatMs } from './lib/stats.ts'

const COUNT = quickMode() ? 500 : 2000
const IDLE_SECONDS = 5

console.log(describeMachine())
const server = await startBenchServer(
  'static_nodes:\n  n1: { platform: p }\nplatforms:\n  p:\n    status: exit 0\n',
  { config: { idle_timeout_seconds: String(IDLE_SECONDS) } },
)
const port = portOf(server.url)
const idle: IdleConnection[] = []
try {
  const opened = performance.now()
  for (let i = 0; i < COUNT; i += 100) {
    const batch = Array.from({ length: Math.min(100, COUNT - i) }, () =>
      open(port, 'GET /?nodes=n1 HTTP/1.1\r\nHost: power\r\n\r\n'),
    )
    for (const connection of await Promise.all(batch)) idle.push(connection)
  }
  const refused = idle.filter((c) => c.response.status === 401).length
  console.log(`${COUNT} connections opened, ${refused} answered 401`)
  const closedAt: number[] = []
  const allClosed = Promise.all(
    idle.map((c) => c.closed.then(() => closedAt.push(performance.now()))),
  )

  const started = performance.now()
  const health = await exchange(
    port,
    'GET /health HTTP/1.1\r\nHost: power\r\nConnection: close\r\n\r\n',
    10_000,
  )
  const healthMs = performance.now() - started
  const statusStarted = performance.now()
  const status = await exchange(
    port,
    `GET /?nodes=n1 HTTP/1.1\r\nHost: power\r\nAuthorization: Bearer ${server.powerToken}\r\nConnection: close\r\n\r\n`,
    10_000,
  )
  const statusMs = performance.now() - statusStarted
  console.log(
    `with ${COUNT} idle connections open: /health ${health.status} in ${formatMs(healthMs)}, status ${status.status} in ${formatMs(statusMs)}`,
  )

  await within(allClosed, 120_000, 'the server to close every idle connection')
  const lastClosedMs = Math.max(0, (closedAt.at(-1) ?? opened) - opened)
  console.log(
    `all ${COUNT} closed by the server ${formatMs(lastClosedMs)} after the first was opened (idle_timeout_seconds=${IDLE_SECONDS})`,
  )
  recordRow({
    section: 'Limits',
    what: `idle unauthenticated connections: ${COUNT}`,
    value: `/health ${health.status} in ${formatMs(healthMs)}, status ${status.status} in ${formatMs(statusMs)}; all closed after ${formatMs(lastClosedMs)}`,
    baseline: '-',
    ratio: '-',
  })
} finally {
  for (const connection of idle) connection.destroy()
  await server.stop()
}
