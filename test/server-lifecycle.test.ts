/**
 * End-to-end: reloads, graceful shutdown without orphans, and refusing bad start-ups.
 */
import { describe, expect, test } from 'bun:test'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readIfExists, runCli, startServer } from './harness.ts'
import { eventually } from './eventually.ts'
import { isAlive } from './processes.ts'

const simple = (names: string) => `
static_nodes:
${names
  .split(',')
  .map((n) => `  ${n}: { platform: p }`)
  .join('\n')}
platforms:
  p:
    status: exit 0
`

async function nodeNames(url: string, token: string): Promise<string[]> {
  const response = await fetch(`${url}/nodes`, { headers: { Authorization: `Bearer ${token}` } })
  const body = (await response.json()) as { data: { id: string }[] }
  return body.data.map((d) => d.id)
}

const waitFor = (check: () => Promise<boolean>, ms = 30_000) =>
  eventually('the server', check, { timeoutMs: ms })

describe('SIGHUP', () => {
  test('a broken topology is refused and the old one kept; a valid one replaces it', async () => {
    const server = await startServer({ topology: simple('a1,a2') })
    try {
      await server.reload(
        'static_nodes:\n  b1: { platform: nosuch }\nplatforms: {p: {status: exit 0}}\n',
      )
      expect(server.logs()).toContain('cannot reload the topology: 1 problem(s)')
      expect(server.logs()).toContain('notice: topology reload refused, keeping the old one')
      expect(server.logs()).toContain(
        `${server.topologyFile}:2: static_nodes.b1.platform: platform "nosuch" is not defined`,
      )
      expect(await nodeNames(server.url, server.readToken)).toEqual(['a1', 'a2'])

      await server.reload('static_nodes: [unclosed\n')
      expect(await nodeNames(server.url, server.readToken)).toEqual(['a1', 'a2'])

      await server.reload(simple('c1,c2,c3'))
      expect(server.logs()).toMatch(/topology reloaded from .*: 3 nodes, 1 platform,/)
      expect(await nodeNames(server.url, server.readToken)).toEqual(['c1', 'c2', 'c3'])
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })
})

describe('SIGTERM', () => {
  const slowTopology = (state: string, seconds: number) => `
static_nodes:
  slow01: { platform: slow, state_dir: ${state} }
platforms:
  slow:
    variables: [state_dir]
    power_on: |
      echo $$ >> "$state_dir/pids"
      sleep ${seconds} &
      echo $! >> "$state_dir/pids"
      wait
`

  test('a slow action beyond the grace period is killed, nothing is orphaned, exit 0', async () => {
    const state = await mkdtemp(join(tmpdir(), 'flight-power-term-'))
    const server = await startServer({
      topology: slowTopology(state, 60),
      config: { shutdown_grace_seconds: '1' },
    })
    const reply = fetch(`${server.url}/?nodes=slow01`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${server.powerToken}` },
    }).then(
      async (r) => ({
        status: r.status,
        body: (await r.json()) as { data: { attributes: Record<string, unknown> }[] },
      }),
      (e: unknown) => e,
    )
    await waitFor(
      async () => (await readIfExists(join(state, 'pids'))).trim().split('\n').length >= 2,
    )
    const pids = (await readFile(join(state, 'pids'), 'utf8')).trim().split('\n').map(Number)
    expect(pids.every(isAlive)).toBe(true)

    const started = Date.now()
    expect(await server.stop('SIGTERM')).toBe(0)
    // Far below the script's 60 s, with room for a loaded machine (1 s grace + kill + flush).
    expect(Date.now() - started).toBeLessThan(20_000)
    await waitFor(async () => !pids.some(isAlive), 10_000)
    expect(server.logs()).toContain('received SIGTERM')
    expect(server.logs()).toContain('grace period over: killing 1 running script(s)')

    // The client still got an answer: the node failed because its script was killed.
    const answer = await reply
    expect(answer).not.toBeInstanceOf(Error)
    const { status, body } = answer as {
      status: number
      body: { data: { attributes: Record<string, unknown> }[] }
    }
    expect(status).toBe(200)
    expect(body.data[0]!.attributes).toMatchObject({ success: false, 'node-name': 'slow01' })
  })

  test('an action that ends within the grace period completes, then exit 0', async () => {
    const state = await mkdtemp(join(tmpdir(), 'flight-power-term-'))
    const server = await startServer({
      // A grace period far longer than the script, so a loaded machine cannot outlast it.
      topology: slowTopology(state, 0.6),
      config: { shutdown_grace_seconds: '40' },
    })
    const reply = fetch(`${server.url}/?nodes=slow01`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${server.powerToken}` },
    })
    await waitFor(
      async () => (await readIfExists(join(state, 'pids'))).trim().split('\n').length >= 2,
    )
    expect(await server.stop('SIGINT')).toBe(0)
    const response = await reply
    expect(response.status).toBe(200)
    expect(
      ((await response.json()) as { data: { attributes: { success: boolean } }[] }).data[0]!
        .attributes.success,
    ).toBe(true)
    expect(server.logs()).not.toContain('grace period over')
  })
})

describe('start-up refusals', () => {
  async function prefixWith(config: string, topology = simple('n1')) {
    const prefix = await mkdtemp(join(tmpdir(), 'flight-power-start-'))
    const conf = join(prefix, 'power-server.conf')
    await writeFile(join(prefix, 'topology.yaml'), topology)
    // 0600: the server refuses a config holding the secret that others may read.
    await writeFile(conf, `topology_config=${join(prefix, 'topology.yaml')}\n${config}`, {
      mode: 0o600,
    })
    return conf
  }

  test('a secret under 32 bytes refuses to start with exit 2', async () => {
    const conf = await prefixWith("jwt_shared_secret='short-secret'\n")
    const result = await runCli(['serve', '--config', conf, '--port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('jwt_shared_secret')
    expect(result.stderr).toContain('too short: 12 bytes, at least 32 needed')
    expect(result.stderr).not.toContain('short-secret')
  })

  test('no secret at all says to run init', async () => {
    const result = await runCli(['serve', '--config', await prefixWith(''), '--port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('No jwt_shared_secret')
  })

  test('an invalid topology refuses to start, naming every problem with its line', async () => {
    const conf = await prefixWith(
      `jwt_shared_secret='${'k'.repeat(40)}'\n`,
      'static_nodes:\n  n1: { platform: p }\nplatforms:\n  p:\n    stauts: exit 0\n',
    )
    const result = await runCli(['serve', '--config', conf, '--port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /topology\.yaml:5: platforms\.p\.stauts: unknown key: did you mean "status"\?/,
    )
  })

  test('a long grace warns, the environment overrides the file', async () => {
    const server = await startServer({
      topology: simple('n1'),
      config: {
        jwt_shared_secret: 'thirty-two-bytes-of-secret-ok-xx',
        colour: 'blue',
        FLIGHT_POWER_URL: 'x',
        shutdown_grace_seconds: '60',
      },
      env: { log_level: 'warn' },
    })
    try {
      // init's client token was signed with the replaced secret: it is now rejected.
      expect(server.logs()).toContain(
        'warn: shutdown_grace_seconds=60 is longer than the systemd unit allows',
      )
      expect(server.logs()).toContain('"systemctl edit flight-power-server"')
      // Other keys are for platform scripts now; FLIGHT_POWER_* ones are nobody's.
      expect(server.logs()).not.toContain('"colour"')
      expect(server.logs()).toMatch(/line \d+: unknown key "FLIGHT_POWER_URL": ignored/)
      expect(await nodeNames(server.url, server.readToken)).toEqual(['n1'])
      expect(server.logs()).not.toContain('GET /nodes') // log_level=warn from the environment
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })
})

describe('long actions', () => {
  test('are not cut by the idle timeout (idle_timeout_seconds=1, a 5.5 s action)', async () => {
    // Bun checks idle timeouts every 4 s or so: without the per-request exemption this request
    // is dropped ("empty reply") after about 4 s.
    const server = await startServer({
      topology: 'static_nodes:\n  s1: { platform: p }\nplatforms:\n  p:\n    status: sleep 5.5\n',
      config: { idle_timeout_seconds: '1' },
    })
    try {
      const response = await fetch(`${server.url}/?nodes=s1`, {
        headers: { Authorization: `Bearer ${server.readToken}` },
      })
      expect(response.status).toBe(200)
      const body = (await response.json()) as {
        data: { attributes: { state: string; 'duration-ms': number } }[]
      }
      expect(body.data[0]!.attributes.state).toBe('on')
      expect(body.data[0]!.attributes['duration-ms']).toBeGreaterThan(5000)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  }, 60_000)
})
