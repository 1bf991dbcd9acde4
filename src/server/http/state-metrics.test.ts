import { describe, expect, test } from 'bun:test'
import type { Runner, RunRequest } from '../../exec/index.ts'
import { createEngine } from '../../engine/index.ts'
import { createMetrics } from '../../metrics/index.ts'
import { parseTopology } from '../../topology/index.ts'
import { createApp } from './app.ts'
import { signToken } from './auth.ts'
import { createLogger } from '../logger.ts'

const TOPOLOGY = parseTopology(`
static_nodes:
  node01: { platform: fake, secret_var: hunter2 }
  node02: { platform: fake, secret_var: x }
  node03: { platform: fake }
platforms:
  fake:
    variables: [name]
    status: exit-with-state
    power_on: fail
groups:
  rack: node[01-02]
`)
const SECRET = new TextEncoder().encode('s'.repeat(40))
type Doc = any

/** A runner: status is on for node01, off for the others; power_on fails. */
function fakeRunner(): Runner & { calls: RunRequest[] } {
  const calls: RunRequest[] = []
  return {
    calls,
    active: 0,
    queued: 0,
    async run(request) {
      calls.push(request)
      const exitCode = request.script === 'fail' ? 3 : request.env.name === 'node01' ? 0 : 111
      return { exitCode, signal: null, timedOut: false, stdout: '', stderr: '', durationMs: 7 }
    },
    async killAll() {},
  }
}

function setup() {
  const runner = fakeRunner()
  const logger = createLogger({ level: 'error', write: () => {} })
  const engine = createEngine({ runner, logger, concurrency: 50 })
  const getTopology = () => TOPOLOGY
  const metrics = createMetrics({ engine, getTopology })
  const app = createApp({ getTopology, engine, secret: SECRET, logger, metrics })
  const get = async (path: string, scope: 'read' | 'power' = 'read') =>
    app.request(path, {
      headers: {
        Authorization: `Bearer ${await signToken(SECRET, { tokenId: 'ab'.repeat(16), days: 1, subject: 'a', scope })}`,
      },
    })
  return { app, runner, metrics, get }
}

/** The value of one series in Prometheus text, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('status from the last known state', () => {
  test('cached=1 answers without a script and says so, with the age', async () => {
    const { get, runner } = setup()
    expect((await get('/?nodes=node[01-02]')).status).toBe(200)
    const before = runner.calls.length
    const doc: Doc = await (await get('/?nodes=node[01-03]&cached=1')).json()
    // node03 was never read: asked. The other two come from the cache.
    expect(runner.calls.slice(before).map((call) => call.env.name)).toEqual(['node03'])
    const [one, two, three] = doc.data.map((resource: Doc) => resource.attributes)
    expect(one).toMatchObject({ state: 'on', running: true, cached: true, 'seen-by': 'status' })
    expect(two).toMatchObject({ state: 'off', running: false, cached: true })
    expect(one['age-seconds']).toBeGreaterThanOrEqual(0)
    expect(typeof one['seen-at']).toBe('string')
    expect(three.cached).toBeUndefined()
    expect(three.state).toBe('off')
  })

  test('bad cache parameters are one clear 400 each', async () => {
    const { get, app } = setup()
    const detail = async (response: Response) => {
      expect(response.status).toBe(400)
      return ((await response.json()) as Doc).errors[0].detail
    }
    expect(await detail(await get('/?nodes=node01&cached=yes'))).toBe(
      'Invalid cached "yes": expected 1 or 0',
    )
    expect(await detail(await get('/?nodes=node01&max_age=-5'))).toBe(
      'Invalid max_age "-5": expected whole seconds from 0 to 31536000',
    )
    const token = await signToken(SECRET, {
      tokenId: 'ab'.repeat(16),
      days: 1,
      subject: 'a',
      scope: 'power',
    })
    const on = await app.request('/?nodes=node01&cached=1', {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(await detail(on)).toBe('cached and max_age apply to status only, not power_on')
  })

  test('GET /nodes?state=1 adds state and age; plain GET /nodes is unchanged', async () => {
    const { get } = setup()
    await get('/?nodes=node01')
    const plain: Doc = await (await get('/nodes')).json()
    expect(plain.data[0].attributes).toEqual({
      name: 'node01',
      platform: 'fake',
      actions: ['power_on', 'status'],
    })
    const doc: Doc = await (await get('/nodes?state=1')).json()
    expect(doc.data[0].attributes).toMatchObject({
      name: 'node01',
      state: 'on',
      'seen-by': 'status',
    })
    expect(doc.data[0].attributes['age-seconds']).toBeGreaterThanOrEqual(0)
    expect(doc.data[1].attributes).toMatchObject({
      name: 'node02',
      state: null,
      'age-seconds': null,
    })
    expect(JSON.stringify(doc)).not.toContain('hunter2')
  })
})

describe('GET /metrics', () => {
  test('a read token gets Prometheus text with states, actions, requests and refusals', async () => {
    const { get, app } = setup()
    await get('/?nodes=node[01-02]')
    const token = await signToken(SECRET, {
      tokenId: 'ab'.repeat(16),
      days: 1,
      subject: 'a',
      scope: 'power',
    })
    await app.request('/?nodes=node03,ghost', {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}` },
    })
    await app.request('/nodes')
    await app.request('/nodes', { headers: { Authorization: 'Bearer not.a.token' } })
    await app.request('/?nodes=node01', {
      method: 'DELETE',
      headers: {
        Authorization: `Bearer ${await signToken(SECRET, { tokenId: 'ab'.repeat(16), days: 1, subject: 'r', scope: 'read' })}`,
      },
    })
    const response = await get('/metrics')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
    const text = await response.text()
    const has = (series: string) => sample(text, series)
    expect(has('flight_power_node_power_state{node="node01",state="on"}')).toBe(1)
    expect(has('flight_power_node_power_state{node="node02",state="off"}')).toBe(1)
    expect(text).not.toContain('node="node03"')
    expect(has('flight_power_group_nodes{group="rack",state="off"}')).toBe(1)
    expect(has('flight_power_nodes')).toBe(3)
    expect(
      has('flight_power_actions_total{action="status",platform="fake",result="success"}'),
    ).toBe(2)
    expect(
      has('flight_power_actions_total{action="power_on",platform="fake",result="failed"}'),
    ).toBe(1)
    expect(
      has('flight_power_actions_total{action="power_on",platform="missing",result="missing"}'),
    ).toBe(1)
    expect(has('flight_power_step_duration_seconds_count{platform="fake",action="status"}')).toBe(2)
    expect(has('flight_power_auth_failures_total{reason="missing"}')).toBe(1)
    expect(has('flight_power_auth_failures_total{reason="invalid"}')).toBe(1)
    expect(has('flight_power_auth_failures_total{reason="insufficient_scope"}')).toBe(1)
    expect(has('flight_power_http_requests_total{code="401"}')).toBe(2)
    expect(has('flight_power_http_requests_total{code="200"}')).toBe(2)
    expect(has('flight_power_steps_running')).toBe(0)
    expect(has('flight_power_topology_reloads_total{result="failure"}')).toBe(0)
    expect(text).not.toContain('hunter2')
  })

  test('needs a token', async () => {
    const { app } = setup()
    expect((await app.request('/metrics')).status).toBe(401)
  })
})
