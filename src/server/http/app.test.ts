import { describe, expect, test } from 'bun:test'
import { generateKeyPair, SignJWT } from 'jose'
import type { Runner, RunRequest, RunResult } from '../../exec/index.ts'
import { parseTopology } from '../../topology/index.ts'
import { createEngine } from '../../engine/index.ts'
import { createApp } from './app.ts'
import { cachedPerTopology } from './routes/list.ts'
import { signToken } from './auth.ts'
import { createLogger } from '../logger.ts'

const TOPOLOGY = parseTopology(`
static_nodes:
  node01: { platform: fake, secret_var: hunter2 }
  node02: { platform: fake, secret_var: x }
  node03: { platform: fake }
  other01: { platform: partial, secret_var: y }
platforms:
  fake:
    variables: [name, secret_var]
    status: exit-with-state
    power_on: succeed
    power_off: fail
    restart: hang
  partial:
    variables: [name]
    status: succeed
groups:
  rack: node[01-02]
`)

// JSON:API documents are checked by shape in each test; `any` keeps the assertions readable.
type Doc = any
const json = async (response: Response | Promise<Response>): Promise<Doc> => (await response).json()

const NOW = new Date('2030-01-01T00:00:00Z')
const SECRET = new TextEncoder().encode('s'.repeat(40))
const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

/** A runner that answers from the script text and remembers every request. */
function fakeRunner(): Runner & { calls: RunRequest[] } {
  const calls: RunRequest[] = []
  const answer = (request: RunRequest): Partial<RunResult> => {
    if (request.script === 'succeed') return { exitCode: 0 }
    if (request.script === 'fail') return { exitCode: 3, stderr: 'warming up\nBMC unreachable\n\n' }
    if (request.script === 'hang') return { exitCode: null, signal: 'SIGKILL', timedOut: true }
    if (request.script === 'explode') throw new Error('runner broke')
    return { exitCode: request.env.name === 'node01' ? 0 : 111 }
  }
  return {
    calls,
    active: 0,
    queued: 0,
    async run(request) {
      calls.push(request)
      return {
        exitCode: null,
        signal: null,
        timedOut: false,
        stdout: '',
        stderr: '',
        durationMs: 7,
        ...answer(request),
      }
    },
    async killAll() {},
  }
}

function setup(options: { topology?: typeof TOPOLOGY; maxTargets?: number } = {}) {
  const runner = fakeRunner()
  const lines: string[] = []
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) })
  const app = createApp({
    getTopology: () => options.topology ?? TOPOLOGY,
    engine: createEngine({ runner, logger, concurrency: 50 }),
    secret: SECRET,
    clock: () => NOW,
    logger,
    maxTargets: options.maxTargets,
  })
  return { app, runner, lines }
}

const token = (scope: 'read' | 'power' = 'power', subject = 'alice') =>
  signToken(SECRET, {
    days: 1,
    subject,
    scope,
    now: NOW,
    tokenId: '0123456789abcdef0123456789abcdef',
  })
const auth = async (scope?: 'read' | 'power') => ({
  headers: { Authorization: `Bearer ${await token(scope)}` },
})

describe('power routes', () => {
  test('status as power-client 0.2 asks for it: brackets percent-encoded, commas raw', async () => {
    const { app, runner } = setup()
    const response = await app.request('/?nodes=node%5B01-03%5D,ghost,node01', await auth('read'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const status = (id: string, platform: string, rest: object) => ({
      type: 'commands',
      id,
      attributes: { action: 'status', 'node-name': id, platform, ...rest },
    })
    expect(await json(response)).toEqual({
      data: [
        status('node01', 'fake', {
          missing: false,
          success: true,
          running: true,
          state: 'on',
          'exit-code': 0,
          'duration-ms': 7,
          message: null,
        }),
        status('node02', 'fake', {
          missing: false,
          success: true,
          running: false,
          state: 'off',
          'exit-code': 111,
          'duration-ms': 7,
          message: null,
        }),
        status('node03', 'fake', {
          missing: false,
          success: false,
          running: null,
          state: 'unknown',
          'exit-code': null,
          'duration-ms': 0,
          message: 'node03: variable "secret_var" is not set',
        }),
        status('ghost', 'missing', {
          missing: true,
          success: false,
          running: null,
          state: 'unknown',
          'exit-code': null,
          'duration-ms': 0,
          message: 'node "ghost" is not in the topology',
        }),
      ],
    })
    // node03 never ran; variables arrive as environment, one run per node.
    expect(runner.calls.map((c) => c.key)).toEqual(['node01', 'node02'])
    expect(runner.calls[0]).toMatchObject({
      env: { name: 'node01', secret_var: 'hunter2' },
      timeoutMs: 60_000,
    })
  })

  test('PATCH powers on, DELETE off (failing line as message), PUT restarts (timeout)', async () => {
    const { app } = setup()
    const on = await json(app.request('/?groups=rack', { method: 'PATCH', ...(await auth()) }))
    expect(on.data[0]).toEqual({
      type: 'commands',
      id: 'node01',
      attributes: {
        action: 'power_on',
        'node-name': 'node01',
        platform: 'fake',
        missing: false,
        success: true,
        'exit-code': 0,
        'duration-ms': 7,
        message: null,
        // When the power-on began: what a power-on rate (SPEC §10) is read back from.
        'started-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      },
    })
    const off = await json(app.request('/?nodes=node01', { method: 'DELETE', ...(await auth()) }))
    expect(off.data[0].attributes).toMatchObject({
      action: 'power_off',
      success: false,
      'exit-code': 3,
      message: 'BMC unreachable',
    })
    const restart = await json(app.request('/?nodes=node02', { method: 'PUT', ...(await auth()) }))
    expect(restart.data[0].attributes).toMatchObject({
      action: 'restart',
      success: false,
      'exit-code': null,
      message: 'timed out after 60s',
    })
    expect(restart.data[0].attributes).not.toHaveProperty('running')
  })

  test('a platform without the script fails that node, names the script and runs nothing', async () => {
    const { app, runner } = setup()
    const body = await json(app.request('/?nodes=other01', { method: 'PATCH', ...(await auth()) }))
    expect(body.data[0].attributes).toMatchObject({
      success: false,
      message: 'platform "partial" has no power_on script',
    })
    expect(runner.calls).toEqual([])
  })

  test('nodes and groups combine in request order without duplicates', async () => {
    const { app } = setup()
    const body = await json(app.request('/?nodes=node02&groups=rack', await auth()))
    expect(body.data.map((d: { id: string }) => d.id)).toEqual(['node02', 'node01'])
  })

  test('one audit line per action with subject, targets and failures', async () => {
    const { app, lines } = setup()
    await app.request('/?nodes=node%5B01-03%5D,ghost', { method: 'DELETE', ...(await auth()) })
    expect(lines.filter((l) => l.includes('audit'))).toEqual([
      'info: audit subject="alice" action=power_off targets=ghost,node[01-03] succeeded=0 failed=3 missing=1 failed_nodes=node[01-03] missing_nodes=ghost',
    ])
    expect(
      lines.some((l) =>
        l.startsWith('warn: node01: power_off failed (exit code 3): BMC unreachable'),
      ),
    ).toBe(true)
    expect(lines.join('\n')).not.toContain(await token())
    lines.length = 0
    await app.request('/?nodes=node%5B01-03%5D,other01', { method: 'PATCH', ...(await auth()) })
    expect(lines.filter((l) => l.includes('audit'))).toEqual([
      'info: audit subject="alice" action=power_on targets=node[01-03],other01 succeeded=2 failed=2 missing=0 succeeded_nodes=node[01-02] failed_nodes=node03,other01',
    ])
  })

  test("a status audit line lists each node's state: on, off, failed and missing", async () => {
    const { app, lines } = setup()
    await app.request('/?nodes=node%5B01-03%5D,ghost,other01', await auth('read'))
    expect(lines.filter((l) => l.includes('audit'))).toEqual([
      'info: audit subject="alice" action=status targets=ghost,node[01-03],other01 succeeded=3 failed=1 missing=1 on=2 off=1 on_nodes=node01,other01 off_nodes=node02 failed_nodes=node03 missing_nodes=ghost',
    ])
  })

  test.each([
    ['/', 'No targets'],
    ['/?nodes=', 'No targets'],
    ['/?nodes=node[1-', 'Invalid hostlist "node[1-"'],
    ['/?nodes=node%5B1-99999999%5D', 'expands to more than 100000 names'],
    [
      '/?nodes=node%5B1-10001%5D',
      "Too many nodes in one request: more than 10000 (the server's max_targets)",
    ],
    ['/?nodes=node%5B3-1%5D', 'Invalid hostlist'],
    ['/?groups=nosuch', 'Unknown group "nosuch"'],
    ['/?nodes=@nosuch', 'nosuch'],
    ['/?nodes=bad%20name', 'Invalid hostlist'],
  ])('GET %s is a 400 JSON:API error', async (path, detail) => {
    const { app, runner } = setup()
    const response = await app.request(path, await auth())
    expect(response.status).toBe(400)
    const body = await json(response)
    expect(body.errors[0]).toMatchObject({ status: '400', title: 'Bad Request' })
    expect(body.errors[0].detail).toContain(detail)
    expect(runner.calls).toEqual([])
  })

  test('max_targets caps a request', async () => {
    const { app } = setup({ maxTargets: 2 })
    const response = await app.request('/?nodes=node%5B01-03%5D', await auth())
    expect(response.status).toBe(400)
    expect((await json(response)).errors[0].detail).toContain('more than 2')
  })
})

describe('list routes', () => {
  test('GET /nodes lists names and platforms, never variables', async () => {
    const { app } = setup()
    const response = await app.request('/nodes', await auth('read'))
    const text = await response.text()
    expect(text).not.toContain('hunter2')
    expect(JSON.parse(text).data[0]).toEqual({
      type: 'nodes',
      id: 'node01',
      attributes: {
        name: 'node01',
        platform: 'fake',
        actions: ['power_on', 'power_off', 'restart', 'status', 'cycle'],
      },
    })
    expect(JSON.parse(text).data.map((d: { id: string }) => d.id)).toEqual([
      'node01',
      'node02',
      'node03',
      'other01',
    ])
  })

  test('GET /nodes and /groups follow a reloaded topology, though each body is built once', async () => {
    const options: { topology?: typeof TOPOLOGY } = {}
    const { app } = setup(options)
    const ids = async (path: string) =>
      ((await json(app.request(path, await auth('read')))).data as { id: string }[]).map(
        (d) => d.id,
      )
    expect(await ids('/nodes')).toEqual(['node01', 'node02', 'node03', 'other01'])
    options.topology = parseTopology(
      'static_nodes:\n  fresh1: { platform: p }\ngroups:\n  g: fresh1\nplatforms:\n  p: { status: exit 0 }\n',
    )
    expect(await ids('/nodes')).toEqual(['fresh1'])
    expect(await ids('/groups')).toEqual(['all', 'g'])
  })

  test('each body is built once per topology, however many requests ask', () => {
    const builds: string[] = []
    const body = cachedPerTopology((topology) => {
      builds.push(topology.source)
      return `${topology.nodes.size}`
    })
    const fresh = parseTopology('platforms: { p: { status: exit 0 } }', 'fresh.yaml')
    for (let i = 0; i < 3; i++) expect([body(TOPOLOGY), body(fresh)]).toEqual(['4', '0'])
    expect(builds).toEqual(['<inline>', 'fresh.yaml'])
  })

  test('GET /groups lists members, with the implicit @all', async () => {
    const { app } = setup()
    const body = await json(app.request('/groups', await auth('read')))
    expect(body).toEqual({
      data: [
        {
          type: 'groups',
          id: 'all',
          attributes: { name: 'all', nodes: ['node01', 'node02', 'node03', 'other01'] },
        },
        { type: 'groups', id: 'rack', attributes: { name: 'rack', nodes: ['node01', 'node02'] } },
      ],
    })
  })

  test('GET /health needs no token; unknown routes are JSON:API 404s', async () => {
    const { app } = setup()
    expect(await json(app.request('/health'))).toEqual({ status: 'ok' })
    const missing = await app.request('/nope', await auth())
    expect(missing.status).toBe(404)
    expect((await json(missing)).errors[0]).toMatchObject({ status: '404', title: 'Not Found' })
  })

  test('an unexpected failure is a 500 without a stack, logged with one', async () => {
    const topology = parseTopology(
      'static_nodes: { n1: { platform: p } }\nplatforms: { p: { status: explode } }\n',
    )
    const { app, lines } = setup({ topology })
    const response = await app.request('/?nodes=n1', await auth())
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(JSON.parse(text).errors[0]).toMatchObject({
      status: '500',
      detail: 'Internal server error: see the server log',
    })
    expect(text).not.toContain('runner broke')
    expect(
      lines.some((l) => l.startsWith('error: GET /: internal error: Error: runner broke')),
    ).toBe(true)
  })
})

describe('authentication', () => {
  const sign = (
    payload: Record<string, unknown>,
    alg = 'HS256',
    key: Uint8Array | CryptoKey = SECRET,
  ) => new SignJWT(payload).setProtectedHeader({ alg }).sign(key)
  const exp = seconds(NOW) + 3600
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

  const cases: [string, () => Promise<string | undefined>, string][] = [
    ['no token', async () => undefined, 'Missing token'],
    ['garbage', async () => 'garbage', 'Invalid token'],
    [
      'wrong secret',
      () => sign({ exp }, 'HS256', new TextEncoder().encode('w'.repeat(40))),
      'signature verification failed',
    ],
    [
      'tampered payload',
      async () => {
        const [header, , signature] = (await token('read')).split('.')
        return `${header}.${b64({ scope: 'power', sub: 'mallory', exp })}.${signature}`
      },
      'signature verification failed',
    ],
    [
      'alg none',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp })}.`,
      'Invalid token',
    ],
    ['HS512', () => sign({ exp }, 'HS512'), 'only HS256'],
    [
      'RS256',
      async () => sign({ exp }, 'RS256', (await generateKeyPair('RS256')).privateKey),
      'only HS256',
    ],
    ['expired', () => sign({ exp: seconds(NOW) - 31 }), 'Token expired'],
    ['no exp', () => sign({ scope: 'power' }), 'no expiry'],
    ['nbf in the future', () => sign({ exp, nbf: seconds(NOW) + 31 }), 'not yet valid'],
    ['unknown scope', () => sign({ exp, scope: 'admin' }), 'unknown scope'],
  ]

  test.each(cases)(
    '%s: 401 with WWW-Authenticate: Bearer, and nothing runs',
    async (_name, make, detail) => {
      const { app, runner } = setup()
      const jwt = await make()
      for (const method of ['PATCH', 'GET']) {
        const response = await app.request('/?nodes=node01', {
          method,
          headers: jwt === undefined ? {} : { Authorization: `Bearer ${jwt}` },
        })
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toStartWith('Bearer')
        const body = await json(response)
        expect(body.errors[0]).toMatchObject({ status: '401', title: 'Unauthorized' })
        expect(body.errors[0].detail).toContain(detail)
      }
      expect(runner.calls).toEqual([])
    },
  )

  test.each(['PATCH', 'PUT', 'DELETE'])(
    'a read token on %s is a 403 and nothing runs',
    async (method) => {
      const { app, runner } = setup()
      const response = await app.request('/?nodes=node01', { method, ...(await auth('read')) })
      expect(response.status).toBe(403)
      expect((await json(response)).errors[0]).toMatchObject({ status: '403', title: 'Forbidden' })
      expect(runner.calls).toEqual([])
    },
  )

  test('a power-server 1.0 token ({"admin":null,"exp":…}) keeps its power', async () => {
    const { app, lines } = setup()
    const legacy = await sign({ admin: null, exp })
    const response = await app.request('/?nodes=node01', {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${legacy}` },
    })
    expect(response.status).toBe(200)
    expect(
      lines.some((l) => l.includes('audit subject="power-server-token" action=power_on')),
    ).toBe(true)
  })

  test('clock skew within 30 s is tolerated', async () => {
    const { app } = setup()
    const jwt = await sign({ exp: seconds(NOW) - 20, nbf: seconds(NOW) + 20 })
    expect(
      (await app.request('/nodes', { headers: { Authorization: `Bearer ${jwt}` } })).status,
    ).toBe(200)
  })

  test('the request log names the subject and never the token', async () => {
    const { app, lines } = setup()
    const jwt = await token('read', 'bob')
    await app.request('/nodes', { headers: { Authorization: `Bearer ${jwt}` } })
    expect(lines).toContainEqual(
      expect.stringMatching(/^info: GET \/nodes 200 \d+ms subject="bob"$/),
    )
    expect(lines.join('\n')).not.toContain(jwt)
  })

  test('a subject holding quotes and newlines cannot forge log lines', async () => {
    const { app, lines } = setup()
    const forged = 'eve" ok\ninfo: audit subject="root" action=power_off targets=node[01-99]'
    const jwt = await token('power', forged)
    await app.request('/nodes', { headers: { Authorization: `Bearer ${jwt}` } })
    await app.request('/?nodes=node01', {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${jwt}` },
    })
    const quoted = JSON.stringify(forged)
    expect(lines).toContainEqual(
      expect.stringMatching(/^info: GET \/nodes 200 \d+ms subject="eve\\" ok\\ninfo: audit/),
    )
    expect(lines.filter((l) => l.includes('subject=')).every((l) => l.includes(quoted))).toBe(true)
    expect(
      lines
        .join('\n')
        .split('\n')
        .filter((l) => l.includes('subject="root"')),
    ).toEqual([])
    // Without a token there is no subject at all.
    await app.request('/health')
    expect(lines).toContainEqual(expect.stringMatching(/^info: GET \/health 200 \d+ms subject=-$/))
  })
})
