/**
 * Staggered power-on through the real binary (SPEC §10): start times are read from the
 * results (`started-at`), never from how long the run took.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { client } from './client-fixture.ts'
import { startServer, type TestServer } from './harness.ts'

function topology(groups = ''): string {
  const nodes = (prefix: string, count: number) =>
    Array.from(
      { length: count },
      (_, i) => `  ${prefix}${String(i + 1).padStart(2, '0')}: { platform: p }`,
    )
  return `static_nodes:
${[...nodes('r', 20), ...nodes('g', 5)].join('\n')}
${groups}
platforms:
  p:
    variables: [name]
    power_on: exit 0
    power_off: exit 0
    restart: exit 0
    status: exit 0
`
}

interface Started {
  name: string
  startedAt: string
}

/** The nodes of a `--json` result in the order they started, with the gaps between them. */
function startGaps(...outputs: string[]): number[] {
  const nodes = outputs.flatMap((stdout) => (JSON.parse(stdout) as { nodes: Started[] }).nodes)
  const times = nodes.map((node) => Date.parse(node.startedAt)).sort((a, b) => a - b)
  expect(times.every((time) => Number.isFinite(time))).toBe(true)
  return times.slice(1).map((time, i) => time - times[i]!)
}

/**
 * The least gap the limiter may show for `intervalMs`. It waits with setTimeout, which may
 * fire a millisecond or two early as Date.now() (the clock of `startedAt`) sees it: a few ms
 * of slack, far from the bunched starts (0 ms gaps) a broken limiter gives.
 */
const atLeast = (intervalMs: number) => intervalMs - 5

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

let global: TestServer
let grouped: TestServer

beforeAll(async () => {
  ;[global, grouped] = await Promise.all([
    startServer({ topology: topology(), config: { power_on_rate: '60' } }),
    startServer({
      topology: topology('groups:\n  slow: { nodes: "g[01-05]", power_on_rate: 30 }'),
      config: { power_on_rate: '120' },
    }),
  ])
})
afterAll(async () => {
  await Promise.all([global?.stop(), grouped?.stop()])
})

describe('power_on_rate', () => {
  test('60 a minute: 20 nodes start about a second apart, never closer', async () => {
    const on = await client(global, ['on', 'r[01-20]', '--json'])
    expect(on.code).toBe(0)
    const gaps = startGaps(on.stdout)
    expect(gaps).toHaveLength(19)
    // The limiter never lets two starts closer than the interval.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(atLeast(1000))
    // And it does not hold them back much longer either, however loaded the machine.
    expect(median(gaps)).toBeLessThan(1500)
  }, 60_000)

  test('a group of 30 a minute inside a global 120: its nodes 2 s apart', async () => {
    const on = await client(grouped, ['on', 'g[01-05]', 'r[01-03]', '--json'])
    expect(on.code).toBe(0)
    const nodes = (JSON.parse(on.stdout) as { nodes: Started[] }).nodes
    const slow = JSON.stringify({ nodes: nodes.filter((node) => node.name.startsWith('g')) })
    const gaps = startGaps(slow)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(atLeast(2000))
    expect(median(gaps)).toBeLessThan(3000)
    // Every start, group or not, keeps the global half second.
    expect(Math.min(...startGaps(on.stdout))).toBeGreaterThanOrEqual(atLeast(500))
  }, 60_000)

  test('two clients at once share one budget; status is never held back', async () => {
    const [a, b, status] = await Promise.all([
      client(grouped, ['on', 'r[04-07]', '--json']),
      client(grouped, ['restart', 'r[08-11]', '--json']),
      client(grouped, ['status', 'r[12-20]', '--json']),
    ])
    expect([a.code, b.code, status.code]).toEqual([0, 0, 0])
    const gaps = startGaps(a.stdout, b.stdout)
    expect(gaps).toHaveLength(7)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(atLeast(500))
    const statusNodes = (JSON.parse(status.stdout) as { nodes: Partial<Started>[] }).nodes
    expect(statusNodes.every((node) => node.startedAt === undefined)).toBe(true)
  }, 60_000)
})
