/**
 * End-to-end: a real Prometheus (Debian's `prometheus`) scrapes a real server's /metrics with
 * a read token, as its `authorization` setting sends it, and sees each node's power state and
 * the failed-action counter go up; `promtool check metrics` accepts the exposition.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { eventually } from './eventually.ts'
import { startServer, type TestServer } from './harness.ts'

let server: TestServer
let prometheus: Subprocess | undefined
let promUrl: string
let promLog = ''

/** A port free now (the kernel's choice), for Prometheus' --web.listen-address. */
function freePort(): number {
  const socket = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = socket.port
  socket.stop(true)
  return port
}

beforeAll(async () => {
  server = await startServer({
    topology: `static_nodes:
  n1: { platform: fake }
  n2: { platform: fake }
  n3: { platform: fake }
platforms:
  fake:
    variables: [name]
    status: '[ "$name" = n1 ] && exit 0 || exit 111'
    power_on: 'echo "BMC of $name unreachable" >&2; exit 3'
groups:
  rack: n[1-3]
`,
  })
  const dir = await mkdtemp(join(tmpdir(), 'flight-power-prometheus-'))
  await writeFile(join(dir, 'token'), server.readToken)
  await writeFile(
    join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: flight-power
    static_configs:
      - targets: ['${new URL(server.url).host}']
    authorization:
      credentials_file: ${join(dir, 'token')}
`,
  )
  await startPrometheus(dir)
}, 90_000)

/**
 * Start Prometheus on a port free a moment ago and wait until it is ready. Another process
 * may take the port before Prometheus binds it; Prometheus then exits, and another port is
 * tried, three in all.
 */
async function startPrometheus(dir: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const port = freePort()
    promUrl = `http://127.0.0.1:${port}`
    const child = Bun.spawn(
      [
        'prometheus',
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdout: 'ignore', stderr: 'pipe' },
    )
    prometheus = child
    void (async () => {
      const decoder = new TextDecoder()
      for await (const chunk of child.stderr) promLog += decoder.decode(chunk, { stream: true })
    })()
    const running = () => child.exitCode === null && child.signalCode === null
    const ready = () =>
      fetch(`${promUrl}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      )
    await eventually('Prometheus to be ready or to exit', async () => !running() || ready(), {
      timeoutMs: 60_000,
      intervalMs: 100,
      detail: () => promLog,
    })
    if (running()) return
    if (attempt === 3) throw new Error(`Prometheus exited (${child.exitCode}):\n${promLog}`)
  }
}

afterAll(async () => {
  prometheus?.kill('SIGTERM')
  await prometheus?.exited
  await server?.stop()
})

/** The instant vector of `query` as `{labels, value}` rows; [] until Prometheus answers. */
async function query(
  expression: string,
): Promise<{ metric: Record<string, string>; value: number }[]> {
  try {
    const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expression)}`)
    const body = (await response.json()) as {
      data?: { result?: { metric: Record<string, string>; value: [number, string] }[] }
    }
    return (body.data?.result ?? []).map((row) => ({
      metric: row.metric,
      value: Number(row.value[1]),
    }))
  } catch {
    return []
  }
}

/** Query until `done` holds for the rows; a generous guard, never a timed assertion. */
async function until(
  expression: string,
  done: (rows: Awaited<ReturnType<typeof query>>) => boolean,
): Promise<Awaited<ReturnType<typeof query>>> {
  const deadline = Date.now() + 90_000
  for (;;) {
    const rows = await query(expression)
    if (done(rows)) return rows
    if (Date.now() > deadline)
      throw new Error(
        `Prometheus never answered ${expression} as expected: ${JSON.stringify(rows)}\n${promLog}`,
      )
    await Bun.sleep(250)
  }
}

const call = (method: string, path: string, token: string) =>
  fetch(`${server.url}${path}`, { method, headers: { Authorization: `Bearer ${token}` } })

test('Prometheus scrapes each node state and the failed actions with a read token', async () => {
  expect((await call('GET', '/?nodes=n%5B1-3%5D', server.readToken)).status).toBe(200)

  const states = await until('flight_power_node_power_state', (rows) => rows.length === 3)
  const byNode = Object.fromEntries(states.map((row) => [row.metric.node, row.metric.state]))
  expect(byNode).toEqual({ n1: 'on', n2: 'off', n3: 'off' })
  expect(states.every((row) => row.value === 1 && row.metric.job === 'flight-power')).toBe(true)
  // One scrape may time out on a loaded machine (scrape_timeout 1s): wait for a good one.
  const up = await until('up{job="flight-power"}', (rows) => rows[0]?.value === 1)
  expect(up.map((row) => row.value)).toEqual([1])
  // The README's query: nodes off per group (the topology adds the group "all").
  const offPerGroup = await until(
    'sum by (group) (flight_power_group_nodes{state="off"})',
    (rows) => rows.length === 2,
  )
  expect(offPerGroup.find((row) => row.metric.group === 'rack')?.value).toBe(2)

  const failed = 'sum(flight_power_actions_total{result="failed"}) or vector(0)'
  const before = (await query(failed))[0]?.value ?? 0
  expect((await call('PATCH', '/?nodes=n3', server.powerToken)).status).toBe(200)
  const after = await until(failed, (rows) => (rows[0]?.value ?? 0) > before)
  expect(after[0]!.value).toBe(before + 1)
  const perPlatform = await query(
    'sum by (platform) (flight_power_actions_total{result="failed",action="power_on"})',
  )
  expect(perPlatform).toEqual([{ metric: { platform: 'fake' }, value: 1 }])
}, 120_000)

test('promtool check metrics accepts the exposition', async () => {
  const response = await call('GET', '/metrics', server.readToken)
  expect(response.status).toBe(200)
  const text = await response.text()
  expect(text).toContain('flight_power_step_duration_seconds_bucket')
  const check = Bun.spawn(['promtool', 'check', 'metrics'], {
    stdin: new TextEncoder().encode(text),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(check.stdout).text(),
    new Response(check.stderr).text(),
    check.exited,
  ])
  expect(`${stdout}${stderr}`).toBe('')
  expect(code).toBe(0)
})

test('a token without a scope Prometheus could use is refused and counted', async () => {
  expect((await fetch(`${server.url}/metrics`)).status).toBe(401)
  const text = await (await call('GET', '/metrics', server.readToken)).text()
  expect(text).toMatch(/^flight_power_auth_failures_total\{reason="missing"\} [1-9]/m)
})
