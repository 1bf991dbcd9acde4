/**
 * Issue 15 point 10: the flight-power client against a server answering exactly as an
 * unmodified power-server 1.0 does (test/power-server-1.0/fake.ts), through the real binary.
 */
import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { SignJWT } from 'jose'
import { runCli } from './harness.ts'
import { startFakePowerServer } from './power-server-1.0/fake.ts'

const SECRET = 'the-power-server-1.0-secret-0123456789abcdef'
const NODES = Array.from({ length: 12 }, (_, i) => `node${String(i + 1).padStart(2, '0')}`)
const fake = startFakePowerServer({ nodes: NODES, secret: SECRET })
afterAll(() => fake.stop())

/** A token as power-server 1.0's generate-token minted it: `{"admin":null,"exp":…}`. */
async function oldToken(secret = SECRET, exp = Math.floor(Date.now() / 1000) + 3600) {
  return new SignJWT({ admin: null, exp })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret))
}
const token = await oldToken()

function cli(args: string[], withToken = token) {
  return runCli([...args, '--url', fake.url, '--token', withToken])
}

beforeEach(() => {
  fake.seen.length = 0
  for (const name of NODES) fake.power.set(name, false)
})

describe('the client against power-server 1.0', () => {
  test('a range it parses is sent once, as is', async () => {
    fake.power.set('node02', true)
    const result = await cli(['status', 'node[01-03]'])
    expect(result.stdout).toBe('node01  Off\nnode02  On\nnode03  Off\n')
    expect(result.code).toBe(111)
    expect(fake.seen).toEqual([{ method: 'GET', nodes: 'node[01-03]', groups: null, status: 200 }])
  })

  test('a form it refuses (400, before acting) is sent again as the names it parses', async () => {
    const result = await cli(['status', 'node[01-02,05]', 'node01', 'node99'])
    expect(result.stdout).toBe(
      'node01  Off\nnode02  Off\nnode05  Off\nnode99  Missing: not known to the server\n',
    )
    expect(result.code).toBe(1)
    expect(fake.seen.map((seen) => [seen.nodes, seen.status])).toEqual([
      ['node[01-02,05],node01,node99', 400],
      ['node01,node02,node05,node99', 200],
    ])
  })

  test('a power action is carried out exactly once: the refused request did nothing', async () => {
    const result = await cli(['on', 'node[01-02]', 'node[05-06]'])
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n')).toHaveLength(4)
    const patches = fake.seen.filter((seen) => seen.method === 'PATCH')
    expect(patches.map((seen) => seen.status)).toEqual([400, 200])
    expect(NODES.filter((name) => fake.power.get(name))).toEqual([
      'node01',
      'node02',
      'node05',
      'node06',
    ])
  })

  test('off --wait polls in a form it parses', async () => {
    for (const name of ['node01', 'node02', 'node05']) fake.power.set(name, true)
    const result = await cli(['off', 'node[01-02,05]', '--wait', '--yes'])
    expect(result.code).toBe(0)
    expect(NODES.filter((name) => fake.power.get(name))).toEqual([])
    expect(
      fake.seen.filter((seen) => seen.method === 'DELETE' && seen.status === 200),
    ).toHaveLength(1)
  })

  test('@group and -g NAME: exit 1, the server has no such group; nothing is switched', async () => {
    for (const args of [
      ['on', '@rack1'],
      ['on', '-g', 'rack1'],
      ['status', 'node01', '@rack1'],
    ]) {
      const result = await cli(args)
      expect(result.code).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr).toStartWith(
        'flight-power: The power server has no group "rack1": it has no groups at all',
      )
      expect(result.stderr).not.toContain('no nodes matched')
    }
    expect(NODES.filter((name) => fake.power.get(name))).toEqual([])
  })

  test('a refused token (403 "Forbidden", no error code): exit 4, says why it may be, not "power scope"', async () => {
    for (const bad of [
      await oldToken('another-secret-0123456789abcdefghijkl'),
      await oldToken(SECRET, 1000),
    ]) {
      const result = await cli(['status', 'node01'], bad)
      expect(result.code).toBe(4)
      expect(result.stderr).toBe(
        'flight-power: The power server refused the token from --token (403: Forbidden): it has expired, was signed with another secret, or lacks the scope for this; ask your administrator for a new one (they run "flight-power token" on the server host)\n',
      )
    }
  })
})
