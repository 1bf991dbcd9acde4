/**
 * Every failure of SPEC §7 and issue 4 item 6, end to end: one sentence on stderr saying what
 * happened and what to do, the right exit code, no stack trace. Broken proxies and old servers
 * are simulated by tiny local servers; the rest is the real thing.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expandHostlist } from '../src/topology/index.ts'
import { stateDirectory, topology } from './client-fixture.ts'
import { runCli, startServer, type CliResult, type TestServer } from './harness.ts'

let server: TestServer
let fake: ReturnType<typeof Bun.serve>
let fakeUrl: string
let emptyConfig: string
const seen: { method: string; path: string; authorization: string | null }[] = []

beforeAll(async () => {
  server = await startServer({
    topology: topology(await stateDirectory(), { node01: { platform: 'files' } }),
  })
  emptyConfig = join(await mkdtemp(join(tmpdir(), 'flight-power-empty-')), 'config.yaml')
  await writeFile(emptyConfig, '# nothing set\n')
  fake = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    fetch(request) {
      const url = new URL(request.url)
      seen.push({
        method: request.method,
        path: url.pathname + url.search,
        authorization: request.headers.get('authorization'),
      })
      if (url.pathname === '/hang/') return new Promise<Response>(() => {})
      if (url.pathname === '/html/')
        return new Response('<html>It works!</html>', { headers: { 'content-type': 'text/html' } })
      if (url.pathname === '/boom/')
        return Response.json(
          {
            errors: [
              { status: '500', title: 'Internal Server Error', detail: 'topology holder crashed' },
            ],
          },
          { status: 500 },
        )
      if (url.pathname === '/gateway/')
        return new Response('<h1>502 Bad Gateway</h1>', { status: 502, statusText: 'Bad Gateway' })
      if (url.pathname === '/power1/')
        return Response.json(oldServerReply(url.searchParams.get('nodes') ?? ''))
      return new Response('no', { status: 404 })
    },
  })
  fakeUrl = `http://127.0.0.1:${fake.port}`
})
afterAll(async () => {
  await fake?.stop(true)
  await server?.stop()
})

/** power-server 1.0's reply: only action, node-name, platform, missing, success, running. */
function oldServerReply(nodes: string) {
  const state: Record<string, boolean | undefined> = { n1: true, n2: false }
  return {
    data: expandHostlist(nodes).map((name) => ({
      type: 'commands',
      id: name,
      attributes: {
        action: 'status',
        'node-name': name,
        platform: 'ipmi',
        missing: !(name in state),
        success: name in state,
        running: state[name] ?? false,
      },
    })),
  }
}

function expectOneLine(result: CliResult, code: number, message: string | RegExp): void {
  expect(result.stdout).toBe('')
  if (typeof message === 'string') expect(result.stderr).toBe(`flight-power: ${message}\n`)
  else expect(result.stderr).toMatch(message)
  expect(result.stderr.trim().split('\n')).toHaveLength(1)
  expect(result.code).toBe(code)
}

async function closedPort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = probe.port!
  await probe.stop(true)
  return port
}

test('connection refused: exit 3, says to check the service; --debug shows the cause', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`
  const result = await runCli(['status', 'node01', '--url', url, '--token', 't'])
  expectOneLine(
    result,
    3,
    `Cannot reach the power server at ${url}: connection refused; is flight-power-server running there? (systemctl status flight-power-server)`,
  )
  const debug = await runCli(['status', 'node01', '--url', url, '--token', 't', '--debug'])
  expect(debug.code).toBe(3)
  expect(debug.stderr).toContain('ECONNREFUSED')
})

test('DNS failure: exit 3, names the host and where the URL came from', async () => {
  const result = await runCli(['status', 'node01'], {
    env: { FLIGHT_POWER_URL: 'http://flight-power-test.invalid:6302', FLIGHT_POWER_TOKEN: 't' },
  })
  expectOneLine(
    result,
    3,
    'Cannot reach the power server at http://flight-power-test.invalid:6302: host "flight-power-test.invalid" not found; check base_url (from FLIGHT_POWER_URL)',
  )
})

test('timeout: exit 3, says the server may still be acting', async () => {
  const started = Date.now()
  const result = await runCli([
    'off',
    'node01',
    '--url',
    `${fakeUrl}/hang`,
    '--token',
    't',
    '--timeout',
    '1',
  ])
  expectOneLine(
    result,
    3,
    `The power server at ${fakeUrl} did not answer within 1s; it may still be acting on the nodes: check with "flight-power status" later, or allow longer with --timeout`,
  )
  expect(Date.now() - started).toBeLessThan(10_000)
})

test('401: exit 4, says to ask for a new token', async () => {
  const result = await runCli(['status', 'node01', '--url', server.url], {
    env: { FLIGHT_POWER_TOKEN: 'not.a.jwt' },
  })
  expectOneLine(
    result,
    4,
    /^flight-power: The power server rejected the token from FLIGHT_POWER_TOKEN \(401: .+\); ask your administrator for a new one \(they run "flight-power token" on the server host\)\n$/,
  )
})

test('more names than fit in a URL: exit 2, says to use ranges or a group', async () => {
  // Every other number, so nothing folds into a range: about 30 KiB of query.
  const names = Array.from({ length: 3000 }, (_, i) => `node${2 * i + 1}`).join(',')
  const result = await runCli(['status', names, '--url', server.url, '--token', server.readToken])
  expectOneLine(
    result,
    2,
    /^flight-power: Too many node names to send in one request \(431\); name them with ranges such as node\[001-500\] or a group \(@name\)\n$/,
  )
})

test('403: exit 4, says which scope is needed', async () => {
  const result = await runCli([
    'restart',
    'node01',
    '--url',
    server.url,
    '--token',
    server.readToken,
  ])
  expectOneLine(
    result,
    4,
    /^flight-power: The token from --token does not allow this \(403: .+\); power actions need a token with the "power" scope/,
  )
})

test('404 (a wrong path prefix on the real server): exit 3, points at base_url', async () => {
  const result = await runCli([
    'status',
    'node01',
    '--url',
    `${server.url}/power/`,
    '--token',
    server.readToken,
  ])
  expectOneLine(
    result,
    3,
    new RegExp(
      `^flight-power: The power server at ${server.url}/power has no GET / \\(404: .+\\); check that base_url \\(from --url\\) points at flight-power-server, with the right path prefix\\n$`,
    ),
  )
})

test("500: exit 3 with the server's detail, points at its log", async () => {
  const result = await runCli(['status', 'node01', '--url', `${fakeUrl}/boom`, '--token', 't'])
  expectOneLine(
    result,
    3,
    `The power server at ${fakeUrl} failed (500: topology holder crashed); its log says why (journalctl -u flight-power-server)`,
  )
})

test('a proxy error page: exit 3', async () => {
  const result = await runCli(['status', 'node01', '--url', `${fakeUrl}/gateway`, '--token', 't'])
  expectOneLine(
    result,
    3,
    `The power server at ${fakeUrl} answered with an unexpected error (502: Bad Gateway); check that it is running, and any proxy in front of it`,
  )
})

test('a reply that is not JSON: exit 3', async () => {
  const result = await runCli(['status', 'node01', '--url', `${fakeUrl}/html`, '--token', 't'])
  expectOneLine(
    result,
    3,
    `The power server at ${fakeUrl}/html sent a reply that is not JSON (200, text/html); check that base_url (from --url) points at flight-power-server and not at another service or proxy`,
  )
})

test('no server configured: exit 2, says where to set one', async () => {
  const result = await runCli(['status', 'node01'], { env: { FLIGHT_POWER_CONFIG: emptyConfig } })
  expectOneLine(
    result,
    2,
    new RegExp(
      `^flight-power: No power server configured: set base_url in "${emptyConfig}" or ".+/flight-power/config.yaml", set FLIGHT_POWER_URL, or pass --url\\n$`,
    ),
  )
})

test('no token: exit 2, says who issues one', async () => {
  const result = await runCli(['on', 'node01', '--url', server.url], {
    env: { FLIGHT_POWER_CONFIG: emptyConfig },
  })
  expectOneLine(
    result,
    2,
    /^flight-power: No token configured: ask your administrator for one \(they run "flight-power token" on the server host\), then set jwt_token in ".+" or FLIGHT_POWER_TOKEN, or pass --token\n$/,
  )
})

test('a config file that does not exist: exit 2', async () => {
  const result = await runCli(['status', 'node01', '--config', '/nonexistent/config.yaml'])
  expectOneLine(result, 2, 'Cannot read client config "/nonexistent/config.yaml": no such file')
})

test('an old power-server 1.0 behind a path prefix: state from running, prefix kept, query encoded', async () => {
  seen.length = 0
  const result = await runCli([
    'status',
    'n[1-2]',
    'n9',
    '--url',
    `${fakeUrl}/power1/`,
    '--token',
    'old-token',
  ])
  expect(result.stdout).toBe('n1  On\nn2  Off\nn9  Missing: not known to the server\n')
  expect(result.code).toBe(1)
  expect(seen).toEqual([
    { method: 'GET', path: '/power1/?nodes=n%5B1-2%5D%2Cn9', authorization: 'Bearer old-token' },
  ])
  const off = await runCli(['status', 'n2', '--url', `${fakeUrl}/power1`, '--token', 'old-token'])
  expect(off).toEqual({ code: 111, stdout: 'n2  Off\n', stderr: '' })
})
