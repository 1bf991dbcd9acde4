/**
 * End-to-end: SPEC §13 "Connections", "Audit" and "Secrets in scripts" (issue 10, points 1, 2,
 * 7, 8 and 9) against the real binary, with exact request bytes over raw TCP.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SignJWT } from 'jose'
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readIfExists, repoRoot, startServer, type TestServer } from './harness.ts'
import {
  ClosedBeforeResponseError,
  exchange,
  open,
  portOf,
  within,
  type IdleConnection,
} from './raw-http.ts'

const SECRET = 'hardening-test-secret-0123456789-abcdefghijklmnop'
const IDLE_CONNECTIONS = 300

/** The server of every test but the idle ones: the default idle timeout (60 s). */
let server: TestServer
let port: number
/**
 * The same server with idle_timeout_seconds=1, for the idle connection tests only: its sweeps
 * (every few seconds) may close a pooled or just-accepted connection of any other test.
 */
let idle: TestServer
let idlePort: number
let state: string

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'flight-power-hardening-'))
  const options = {
    topology: `
static_nodes:
  n01: { platform: p, state_dir: ${state} }
  n03: { platform: p, state_dir: ${state} }
platforms:
  p:
    variables: [name, state_dir]
    status: exit 0
    power_on: |
      echo "power_on $name" >> "$state_dir/runs.log"
      printf '%s\\n' "LEAKY=\${LEAKY-unset}" "PLAIN=\${PLAIN-unset}" > "$state_dir/env.$name"
`,
    env: { LEAKY: `key=${SECRET}`, PLAIN: 'visible' },
  }
  ;[server, idle] = await Promise.all([
    startServer({ ...options, config: { jwt_shared_secret: SECRET } }),
    startServer({ ...options, config: { jwt_shared_secret: SECRET, idle_timeout_seconds: '1' } }),
  ])
  port = portOf(server.url)
  idlePort = portOf(idle.url)
}, 60_000)
afterAll(async () => {
  expect(await Promise.all([server.stop(), idle.stop()])).toEqual([0, 0])
})

const auth = () => ({ Authorization: `Bearer ${server.powerToken}` })

/** The server's log once it holds every one of `lines` (the log is read from a pipe, a bit later). */
async function logsWith(...lines: string[]): Promise<string> {
  const all = async () => {
    while (!lines.every((line) => server.logs().includes(line))) await Bun.sleep(20)
    return server.logs()
  }
  return within(all(), 20_000, `the server to log ${JSON.stringify(lines)}`).catch(() =>
    server.logs(),
  )
}

/**
 * `open` on the idle server, again (three tries in all) when it closed the connection before
 * sending a byte: a sweep may close a connection accepted but not yet read, as it should.
 */
async function openIdle(request: string): Promise<IdleConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open(idlePort, request)
    } catch (error) {
      if (attempt === 3 || !(error instanceof ClosedBeforeResponseError) || error.received > 0)
        throw error
    }
  }
}

describe('idle connections (point 1)', () => {
  test(`${IDLE_CONNECTIONS} idle unauthenticated keep-alive connections are closed; /health and status still answer`, async () => {
    const connections = await Promise.all(
      Array.from({ length: IDLE_CONNECTIONS }, () =>
        openIdle('GET /?nodes=n01 HTTP/1.1\r\nHost: power\r\n\r\n'),
      ),
    )
    try {
      expect(connections.map((c) => c.response.status)).toEqual(Array(IDLE_CONNECTIONS).fill(401))
      // keepalive: false, not a pooled connection the server may be closing as idle.
      const health = await fetch(`${idle.url}/health`, { keepalive: false })
      expect(health.status).toBe(200)
      const status = await fetch(`${idle.url}/?nodes=n01`, {
        headers: { Authorization: `Bearer ${idle.powerToken}` },
        keepalive: false,
      })
      expect(status.status).toBe(200)
      // Every idle connection is closed by the server (idle_timeout_seconds=1; Bun sweeps
      // every few seconds). Before the fix the 401 left them pinned forever.
      await within(
        Promise.all(connections.map((c) => c.closed)),
        45_000,
        'the server to close the idle unauthenticated connections',
      )
    } finally {
      for (const connection of connections) connection.destroy()
    }
  }, 90_000)

  test('an authenticated action lifts the idle timeout for itself only: the connection then idles out', async () => {
    const connection = await openIdle(
      `GET /?nodes=n01 HTTP/1.1\r\nHost: power\r\nAuthorization: Bearer ${idle.powerToken}\r\n\r\n`,
    )
    try {
      expect(connection.response.status).toBe(200)
      await within(connection.closed, 45_000, 'the server to close the idle connection')
    } finally {
      connection.destroy()
    }
  }, 90_000)
})

describe('malformed Host and request targets never answer 500 (point 2)', () => {
  test('PATCH with "Host: x:99999" powers on once and answers 200', async () => {
    const before = (await readIfExists(join(state, 'runs.log'))).split('\n').length
    const response = await exchange(
      port,
      `PATCH /?nodes=n03 HTTP/1.1\r\nHost: x:99999\r\nAuthorization: Bearer ${server.powerToken}\r\nConnection: close\r\n\r\n`,
    )
    expect(response.status).toBe(200)
    const body = JSON.parse(response.body) as { data: { attributes: { success: boolean } }[] }
    expect(body.data.map((d) => d.attributes.success)).toEqual([true])
    const runs = (await readIfExists(join(state, 'runs.log'))).split('\n')
    expect(runs.slice(before - 1).filter((line) => line === 'power_on n03')).toHaveLength(1)
  })

  test.each([
    ['HTTP/1.0 without Host', 'GET /health HTTP/1.0\r\n\r\n'],
    ['an empty Host', 'GET /health HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n'],
    ['a Host with a space', 'GET /health HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n'],
    ['an unclosed IPv6 Host', 'GET /health HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n'],
  ])('/health with %s answers 200', async (_, request) => {
    const response = await exchange(port, request)
    expect(response.status).toBe(200)
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' })
  })

  test.each([
    [
      'CONNECT host:port without a token',
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n',
      401,
    ],
    [
      'CONNECT host:port with a token',
      `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nAuthorization: Bearer TOKEN\r\nConnection: close\r\n\r\n`,
      404,
    ],
    ['CONNECT /health', 'CONNECT /health HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n', 404],
  ])('%s answers %d, not 500', async (_, request, status) => {
    const response = await exchange(port, request.replace('TOKEN', server.powerToken))
    expect(response.status).toBe(status)
  })

  test('no request of this file logged an internal error', () => {
    expect(server.logs()).not.toContain('internal error')
    expect(idle.logs()).not.toContain('internal error')
  })
})

describe('the request log (point 7)', () => {
  test('query values other than nodes and groups are redacted', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXF1ZXJ5LXRva2Vu.c2lnbmF0dXJl'
    const authorized = await fetch(
      `${server.url}/nodes?access_token=${token}&nodes=n01&groups=rack1&x=hunter2`,
      { headers: auth() },
    )
    expect(authorized.status).toBe(200)
    const refused = await fetch(`${server.url}/?nodes=n01&access_token=${token}`)
    expect(refused.status).toBe(401)
    const expected = [
      'info: GET /nodes?access_token=[redacted]&nodes=n01&groups=rack1&x=[redacted] 200',
      'info: GET /?nodes=n01&access_token=[redacted] 401',
    ]
    const logs = await logsWith(...expected)
    for (const line of expected) expect(logs).toContain(line)
    expect(logs).not.toContain(token)
    expect(logs).not.toContain('hunter2')
  })
})

describe('refused requests are audited (point 8)', () => {
  test('401 and 403 write one audit line with peer, status, reason and subject', async () => {
    const expired = await new SignJWT({ scope: 'power' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('old-timer')
      .setIssuedAt(1_000_000)
      .setExpirationTime(1_000_060)
      .sign(new TextEncoder().encode(SECRET))
    const forged = `${server.powerToken.slice(0, -4)}AAAA`
    const sent: [RequestInit, number][] = [
      [{}, 401],
      [{ headers: { Authorization: `Bearer ${forged}` } }, 401],
      [{ headers: { Authorization: `Bearer ${expired}` } }, 401],
      [{ method: 'PATCH', headers: { Authorization: `Bearer ${server.readToken}` } }, 403],
    ]
    for (const [init, status] of sent) {
      const response = await fetch(`${server.url}/?nodes=n01`, init)
      expect(response.status).toBe(status)
    }
    const expected = [
      'warn: audit refused peer=127.0.0.1 status=401 reason=ERR_TOKEN_MISSING subject=- request="GET /?nodes=n01"',
      'warn: audit refused peer=127.0.0.1 status=401 reason=ERR_JWS_SIGNATURE_VERIFICATION_FAILED subject=- request="GET /?nodes=n01"',
      'warn: audit refused peer=127.0.0.1 status=401 reason=ERR_JWT_EXPIRED subject="old-timer" request="GET /?nodes=n01"',
      'warn: audit refused peer=127.0.0.1 status=403 reason=ERR_SCOPE subject="test-read" request="PATCH /?nodes=n01"',
    ]
    const logs = await logsWith(...expected)
    for (const line of expected) expect(logs).toContain(line)
  })

  test("the README's fail2ban filter matches every refused-token line and captures the peer", async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8')
    const filter = /```ini\n(# \/etc\/fail2ban\/filter\.d\/flight-power\.conf\n[\s\S]*?)```/.exec(
      readme,
    )?.[1]
    expect(filter).toBeDefined()
    const dir = await mkdtemp(join(tmpdir(), 'flight-power-fail2ban-'))
    await writeFile(join(dir, 'flight-power.conf'), filter!)
    await copyFile('/etc/fail2ban/filter.d/common.conf', join(dir, 'common.conf'))
    // The server's own lines, and the same lines as fail2ban's journal backend shows them.
    const lines = server.logs().split('\n')
    const journal = lines.map((line) => `head1 flight-power[4242]: ${line}`)
    await writeFile(join(dir, 'server.log'), [...lines, ...journal].join('\n'))
    const run = Bun.spawnSync(
      [
        'fail2ban-regex',
        '--datepattern',
        '{NONE}',
        '-o',
        'ip',
        join(dir, 'server.log'),
        join(dir, 'flight-power.conf'),
      ],
      { cwd: dir, stdout: 'pipe', stderr: 'pipe' },
    )
    expect(run.stderr.toString()).toBe('')
    expect(run.exitCode).toBe(0)
    const refused401 = lines.filter((line) => /^warn: audit refused .* status=401 /.test(line))
    expect(refused401.length).toBeGreaterThanOrEqual(3)
    const ips = run.stdout.toString().trim().split('\n')
    expect(ips).toEqual(Array(refused401.length * 2).fill('127.0.0.1'))
  })
})

describe('secrets in scripts (point 9)', () => {
  test('a variable whose value contains the secret is withheld and named in the log', async () => {
    const response = await fetch(`${server.url}/?nodes=n01`, { method: 'PATCH', headers: auth() })
    expect(response.status).toBe(200)
    await logsWith('PATCH /?nodes=n01 200')
    const env = await readIfExists(join(state, 'env.n01'))
    expect(env).toBe('LEAKY=unset\nPLAIN=visible\n')
    expect(server.logs()).toContain(
      'warn: environment variable "LEAKY" holds the jwt_shared_secret: withheld from platform scripts',
    )
    expect(server.logs()).not.toContain(SECRET)
  })
})
