/**
 * End-to-end: 50 concurrent clients on overlapping nodes. Every request gets a complete
 * answer, no node ever runs two scripts at once, and each action leaves one audit line.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventually } from './eventually.ts'
import { startServer, type TestServer } from './harness.ts'

const NODES = 8
const CLIENTS = 50
let server: TestServer
let state: string

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'flight-power-concurrency-'))
  const nodes = Array.from(
    { length: NODES },
    (_, i) => `  n${i + 1}: { platform: slow, state_dir: ${state} }`,
  ).join('\n')
  // Every script logs its start and end (with a nanosecond clock) around a short sleep.
  const script = (body: string) => `|
      echo "start $name $(date +%s%N)" >> "$state_dir/events"
      sleep 0.02
      ${body}
      echo "end $name $(date +%s%N)" >> "$state_dir/events"`
  server = await startServer({
    topology:
      `static_nodes:\n${nodes}\nplatforms:\n  slow:\n    variables: [name, state_dir]\n` +
      `    status: ${script('true')}\n` +
      `    power_on: ${script('touch "$state_dir/$name.on"')}\n` +
      `    power_off: ${script('rm -f "$state_dir/$name.on"')}\n`,
    config: { num_worker_commands: '6' },
  })
})
afterAll(async () => {
  await server.stop()
})

test('50 concurrent clients on overlapping nodes', async () => {
  const verbs = ['GET', 'PATCH', 'DELETE'] as const
  const requests = Array.from({ length: CLIENTS }, (_, i) => {
    const first = (i % NODES) + 1
    const last = Math.min(NODES, first + (i % 4))
    return { method: verbs[i % 3] as string, first, last }
  })
  const replies = await Promise.all(
    requests.map(async ({ method, first, last }) => {
      const response = await fetch(`${server.url}/?nodes=n%5B${first}-${last}%5D`, {
        method,
        headers: { Authorization: `Bearer ${server.powerToken}` },
      })
      return {
        status: response.status,
        body: (await response.json()) as {
          data: { id: string; attributes: { success: boolean } }[]
        },
      }
    }),
  )

  // Every request got a complete answer, in request order.
  replies.forEach((reply, i) => {
    const { first, last } = requests[i]!
    expect(reply.status).toBe(200)
    expect(reply.body.data.map((d) => d.id)).toEqual(
      Array.from({ length: last - first + 1 }, (_, k) => `n${first + k}`),
    )
    expect(reply.body.data.every((d) => d.attributes.success)).toBe(true)
  })

  // Per-node serialisation: each node's events alternate start/end, never overlapping.
  const events = (await readFile(join(state, 'events'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => {
      const [kind, name, at] = line.split(' ')
      return { kind: kind!, name: name!, at: BigInt(at!) }
    })
  const expectedRuns = requests.reduce((sum, r) => sum + (r.last - r.first + 1), 0)
  expect(events.length).toBe(expectedRuns * 2)
  for (let n = 1; n <= NODES; n++) {
    const mine = events
      .filter((e) => e.name === `n${n}`)
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    mine.forEach((event, k) => expect(event.kind).toBe(k % 2 === 0 ? 'start' : 'end'))
  }

  // The global limit held too: never more than 6 scripts between a start and its end.
  let running = 0
  let most = 0
  for (const event of [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
    running += event.kind === 'start' ? 1 : -1
    most = Math.max(most, running)
  }
  expect(most).toBeLessThanOrEqual(6)

  // One audit line per action, nothing lost. Each is written before its response is sent:
  // once a later request's line is read from the log pipe, all of them are.
  expect((await fetch(`${server.url}/health?all_answered`)).status).toBe(200)
  await eventually('the server to log the request after the others', () =>
    server.logs().includes('GET /health?all_answered 200 '),
  )
  const audits = server
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('info: audit subject="test-power"'))
  expect(audits.length).toBe(CLIENTS)
  expect(server.logs()).not.toMatch(/^error:/m)
})
