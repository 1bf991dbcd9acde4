/**
 * End-to-end: the built binary serving real HTTP, driven exactly as power-client 0.2 drives
 * power-server 1.0. Pins the JSON of every route, the token table and bad queries.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { generateKeyPair, SignJWT } from 'jose'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadServerConfig } from '../src/server/index.ts'
import { readIfExists, startServer, type TestServer } from './harness.ts'

let server: TestServer
let state: string
let secret: Uint8Array

function topology(stateDir: string): string {
  return `
static_nodes:
  node01: { platform: fake, state_dir: ${stateDir}, api_key: hunter2 }
  node02: { platform: fake, state_dir: ${stateDir} }
  node03: { platform: fake }
  bmc01: { platform: broken, state_dir: ${stateDir} }
platforms:
  fake:
    variables: [name, state_dir]
    status: |
      echo "status $name" >> "$state_dir/runs.log"
      test -e "$state_dir/$name.on" || exit 111
    power_on: |
      echo "power_on $name" >> "$state_dir/runs.log"
      touch "$state_dir/$name.on"
    power_off: |
      echo "power_off $name" >> "$state_dir/runs.log"
      rm -f "$state_dir/$name.on"
    restart: |
      echo "restart $name" >> "$state_dir/runs.log"
      test -e "$state_dir/$name.on" || { echo "$name is off: cannot restart" >&2; exit 1; }
  broken:
    variables: [name, state_dir]
    status: |
      echo "status $name" >> "$state_dir/runs.log"
      echo "Error: Unable to establish IPMI v2 / RMCP+ session" >&2
      exit 1
    power_on: |
      echo "power_on $name" >> "$state_dir/runs.log"
      echo "connecting"; echo "Error: Unable to establish IPMI v2 / RMCP+ session" >&2; exit 1
groups:
  rack1: node[01-02]
`
}

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'flight-power-api-state-'))
  server = await startServer({ topology: topology(state) })
  const config = await loadServerConfig({ configFile: server.configFile, env: {} })
  secret = config.secret
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
})

/** A request as power-client 0.2 builds it: the query string exactly as given. */
async function call(method: string, pathAndQuery: string, jwt: string | null = server.powerToken) {
  const response = await fetch(`${server.url}${pathAndQuery}`, {
    method,
    headers: {
      Accept: 'application/json',
      ...(jwt === null ? {} : { Authorization: `Bearer ${jwt}` }),
    },
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) }
}

/** duration-ms and a power-on's started-at vary; everything else is pinned. */
function pinned(body: { data: { attributes: Record<string, unknown> }[] }) {
  for (const item of body.data) {
    if (typeof item.attributes['duration-ms'] === 'number') item.attributes['duration-ms'] = 'ANY'
    const started = item.attributes['started-at']
    if (typeof started === 'string' && !Number.isNaN(Date.parse(started)))
      item.attributes['started-at'] = 'ANY'
  }
  return body
}

const command = (action: string, id: string, platform: string, attributes: object) => ({
  type: 'commands',
  id,
  attributes: { action, 'node-name': id, platform, ...attributes },
})
const ok = { missing: false, success: true }
const missing = { missing: true, success: false }

describe('power-server 1.0 wire format, as power-client 0.2 sends requests', () => {
  test('status with brackets percent-encoded and raw commas, including missing nodes', async () => {
    const reply = await call('GET', '/?nodes=node%5B01-03%5D,ghost,bmc01')
    expect(reply.status).toBe(200)
    expect(reply.headers.get('content-type')).toStartWith('application/json')
    expect(pinned(reply.body)).toEqual({
      data: [
        command('status', 'node01', 'fake', {
          ...ok,
          running: false,
          state: 'off',
          'exit-code': 111,
          'duration-ms': 'ANY',
          message: null,
        }),
        command('status', 'node02', 'fake', {
          ...ok,
          running: false,
          state: 'off',
          'exit-code': 111,
          'duration-ms': 'ANY',
          message: null,
        }),
        command('status', 'node03', 'fake', {
          missing: false,
          success: false,
          running: null,
          state: 'unknown',
          'exit-code': null,
          'duration-ms': 'ANY',
          message: 'node03: variable "state_dir" is not set',
        }),
        command('status', 'ghost', 'missing', {
          ...missing,
          running: null,
          state: 'unknown',
          'exit-code': null,
          'duration-ms': 'ANY',
          message: 'node "ghost" is not in the topology',
        }),
        command('status', 'bmc01', 'broken', {
          missing: false,
          success: false,
          running: null,
          state: 'unknown',
          'exit-code': 1,
          'duration-ms': 'ANY',
          message: 'Error: Unable to establish IPMI v2 / RMCP+ session',
        }),
      ],
    })
  })

  test('on (PATCH), then status reads running: true', async () => {
    const on = await call('PATCH', '/?nodes=node01,ghost')
    expect(pinned(on.body)).toEqual({
      data: [
        command('power_on', 'node01', 'fake', {
          ...ok,
          'exit-code': 0,
          'duration-ms': 'ANY',
          message: null,
          'started-at': 'ANY',
        }),
        command('power_on', 'ghost', 'missing', {
          ...missing,
          'exit-code': null,
          'duration-ms': 'ANY',
          message: 'node "ghost" is not in the topology',
        }),
      ],
    })
    const status = await call('GET', '/?groups=rack1')
    expect(pinned(status.body)).toEqual({
      data: [
        command('status', 'node01', 'fake', {
          ...ok,
          running: true,
          state: 'on',
          'exit-code': 0,
          'duration-ms': 'ANY',
          message: null,
        }),
        command('status', 'node02', 'fake', {
          ...ok,
          running: false,
          state: 'off',
          'exit-code': 111,
          'duration-ms': 'ANY',
          message: null,
        }),
      ],
    })
  })

  test('restart (PUT) and off (DELETE) by group', async () => {
    const restart = await call('PUT', '/?groups=rack1')
    expect(pinned(restart.body)).toEqual({
      data: [
        command('restart', 'node01', 'fake', {
          ...ok,
          'exit-code': 0,
          'duration-ms': 'ANY',
          message: null,
          'started-at': 'ANY',
        }),
        command('restart', 'node02', 'fake', {
          missing: false,
          success: false,
          'exit-code': 1,
          'duration-ms': 'ANY',
          message: 'node02 is off: cannot restart',
          'started-at': 'ANY',
        }),
      ],
    })
    const off = await call('DELETE', '/?nodes=node01')
    expect(pinned(off.body)).toEqual({
      data: [
        command('power_off', 'node01', 'fake', {
          ...ok,
          'exit-code': 0,
          'duration-ms': 'ANY',
          message: null,
        }),
      ],
    })
  })

  test('GET /nodes and GET /groups, without node variables', async () => {
    const nodes = await call('GET', '/nodes', server.readToken)
    expect(nodes.text).not.toContain('hunter2')
    expect(nodes.body).toEqual({
      data: ['bmc01', 'node01', 'node02', 'node03'].map((id) => ({
        type: 'nodes',
        id,
        attributes: {
          name: id,
          platform: id === 'bmc01' ? 'broken' : 'fake',
          // The scripts each platform has; fake's four give cycle by off, status and on.
          actions:
            id === 'bmc01'
              ? ['power_on', 'status']
              : ['power_on', 'power_off', 'restart', 'status', 'cycle'],
        },
      })),
    })
    const groups = await call('GET', '/groups', server.readToken)
    expect(groups.body).toEqual({
      data: [
        {
          type: 'groups',
          id: 'all',
          attributes: { name: 'all', nodes: ['bmc01', 'node01', 'node02', 'node03'] },
        },
        { type: 'groups', id: 'rack1', attributes: { name: 'rack1', nodes: ['node01', 'node02'] } },
      ],
    })
  })

  test('the log has request lines, audit lines and failed scripts with their stderr', () => {
    const logs = server.logs()
    expect(logs).toMatch(/info: PATCH \/\?nodes=node01,ghost 200 \d+ms subject="test-power"\n/)
    expect(logs).toContain(
      'info: audit subject="test-power" action=power_on targets=ghost,node01 succeeded=1 failed=0 missing=1 succeeded_nodes=node01 missing_nodes=ghost\n',
    )
    expect(logs).toContain(
      'warn: bmc01: status failed (exit code 1): Error: Unable to establish IPMI v2 / RMCP+ session',
    )
    expect(logs).not.toContain(server.powerToken)
    expect(logs).not.toContain(new TextDecoder().decode(secret))
  })
})

describe('bad queries are 400s with a message, never 500s', () => {
  test.each([
    ['/?nodes=node%5B1-', 'unbalanced'],
    ['/?nodes=node[1-', 'unbalanced'],
    ['/?nodes=node%5B1-99999999%5D', 'more than 10000'],
    ['/', 'No targets'],
    ['/?nodes=', 'No targets'],
    ['/?groups=', 'No targets'],
    ['/?groups=nosuch', 'Unknown group "nosuch"'],
    ['/?nodes=%ZZ', ''],
  ])('GET %s', async (path, detail) => {
    const before = await readIfExists(join(state, 'runs.log'))
    const reply = await call('GET', path)
    expect(reply.status).toBe(400)
    expect(reply.body.errors[0]).toMatchObject({ status: '400', title: 'Bad Request' })
    expect(reply.body.errors[0].detail).toContain(detail)
    expect(await readIfExists(join(state, 'runs.log'))).toBe(before)
  })
})

describe('token table: the right status, a JSON:API error, and no script run', () => {
  const exp = () => Math.floor(Date.now() / 1000) + 3600
  const sign = (payload: Record<string, unknown>, alg = 'HS256', key?: Uint8Array | CryptoKey) =>
    new SignJWT(payload).setProtectedHeader({ alg }).sign(key ?? secret)
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

  const cases: [string, () => Promise<string | null>][] = [
    ['none', async () => null],
    ['garbage', async () => 'not.a.jwt'],
    ['wrong secret', () => sign({ exp: exp() }, 'HS256', new TextEncoder().encode('x'.repeat(64)))],
    [
      'tampered payload',
      async () => {
        const [header, , signature] = server.readToken.split('.')
        return `${header}.${b64({ scope: 'power', sub: 'mallory', exp: exp() })}.${signature}`
      },
    ],
    [
      'alg none',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ admin: null, exp: exp() })}.`,
    ],
    ['HS512 header', () => sign({ exp: exp() }, 'HS512')],
    [
      'RS256 header',
      async () => sign({ exp: exp() }, 'RS256', (await generateKeyPair('RS256')).privateKey),
    ],
    ['expired', () => sign({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['no exp', () => sign({ scope: 'power' })],
    ['nbf in the future', () => sign({ exp: exp(), nbf: Math.floor(Date.now() / 1000) + 600 })],
  ]

  test.each(cases)('%s → 401', async (_name, make) => {
    const before = await readIfExists(join(state, 'runs.log'))
    const jwt = await make()
    for (const [method, path] of [
      ['PATCH', '/?nodes=node01'],
      ['DELETE', '/?nodes=node01'],
      ['GET', '/?nodes=node01'],
      ['GET', '/nodes'],
    ] as const) {
      const reply = await call(method, path, jwt)
      expect(reply.status).toBe(401)
      expect(reply.headers.get('www-authenticate')).toStartWith('Bearer')
      expect(reply.body.errors[0]).toMatchObject({ status: '401', title: 'Unauthorized' })
    }
    expect(await readIfExists(join(state, 'runs.log'))).toBe(before)
  })

  test.each(['PATCH', 'PUT', 'DELETE'])('read token on %s → 403', async (method) => {
    const before = await readIfExists(join(state, 'runs.log'))
    const reply = await call(method, '/?nodes=node01', server.readToken)
    expect(reply.status).toBe(403)
    expect(reply.body.errors[0]).toMatchObject({ status: '403', title: 'Forbidden' })
    expect(await readIfExists(join(state, 'runs.log'))).toBe(before)
  })

  test('a power-server 1.0 token works; the client config init wrote works', async () => {
    const legacy = await sign({ admin: null, exp: exp() })
    expect((await call('GET', '/?nodes=node02', legacy)).status).toBe(200)
    const clientToken = /jwt_token: (\S+)/.exec(await readIfExists(server.clientConfigFile))?.[1]
    expect(
      (await call('PATCH', '/?nodes=node02', clientToken ?? null)).body.data[0].attributes.success,
    ).toBe(true)
  })

  test('/health is open', async () => {
    expect(await call('GET', '/health', null)).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    })
  })
})
