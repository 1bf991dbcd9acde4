/**
 * The client end to end: the built binary against a real `flight-power serve`. Pins each
 * command's output in table, --summary and --json form, and every exit code of SPEC §8.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  client,
  setStates,
  stableJson,
  stateDirectory,
  stateOf,
  topology,
} from './client-fixture.ts'
import { runCli, startServer, type TestServer } from './harness.ts'

let server: TestServer
let stateDir: string

const NODES = {
  node1: { platform: 'files' },
  node2: { platform: 'files' },
  node3: { platform: 'files' },
  node10: { platform: 'files' },
  bmc1: { platform: 'broken' },
}

beforeAll(async () => {
  stateDir = await stateDirectory()
  server = await startServer({
    topology: topology(stateDir, NODES, 'groups:\n  rack1: node[1-3]\n  gpu: [node10]\n'),
  })
})
afterAll(() => server?.stop())
beforeEach(() => setStates(stateDir, { node1: 'on', node2: 'off', node3: 'garbled', node10: 'on' }))

describe('status', () => {
  test('table: natural order, power-client words, the failing line, missing nodes (exit 1)', async () => {
    const result = await client(server, ['status', 'node[1-3]', 'node10', 'node99'])
    expect(result.stdout).toBe(
      [
        'node1   On',
        'node2   Off',
        'node3   Unknown: cannot read the BMC of node3',
        'node10  On',
        'node99  Missing: not known to the server',
        '',
      ].join('\n'),
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(1)
  })

  test('--summary folds each state into ranges', async () => {
    await setStates(stateDir, { node3: 'on' })
    const result = await client(server, ['status', 'node[1-3,10]', 'node99', '--summary'])
    expect(result.stdout).toBe('on: node[1,3,10]\noff: node2\nmissing: node99\n')
    expect(result.code).toBe(1)
  })

  test('--json is the documented shape', async () => {
    const result = await client(server, ['status', 'node10,node2', 'node3', 'node99', '--json'])
    const node = (name: string, fields: object) => ({
      name,
      platform: 'files',
      missing: false,
      success: true,
      durationMs: 0,
      message: null,
      ...fields,
    })
    expect(stableJson(result.stdout)).toEqual({
      action: 'status',
      nodes: [
        node('node2', { state: 'off', exitCode: 111 }),
        node('node3', {
          state: 'unknown',
          success: false,
          exitCode: 3,
          message: 'cannot read the BMC of node3',
        }),
        node('node10', { state: 'on', exitCode: 0 }),
        {
          name: 'node99',
          platform: null,
          missing: true,
          success: false,
          state: null,
          exitCode: null,
          durationMs: 0,
          message: 'node "node99" is not in the topology',
        },
      ],
      exitCode: 1,
    })
    expect(result.code).toBe(1)
  })

  test('exit 0 when every node is on, with a read-only token', async () => {
    const result = await client(server, ['status', 'node1', 'node10'], { token: server.readToken })
    expect(result).toEqual({ code: 0, stdout: 'node1   On\nnode10  On\n', stderr: '' })
  })

  test('exit 111 when every node answered and one is off', async () => {
    const result = await client(server, ['status', 'node[1-2]'])
    expect(result).toEqual({ code: 111, stdout: 'node1  On\nnode2  Off\n', stderr: '' })
  })

  test('@group terms and --groups are resolved by the server', async () => {
    expect((await client(server, ['status', '@rack1', '--summary'])).stdout).toBe(
      'on: node1\noff: node2\nunknown: node3\n',
    )
    expect((await client(server, ['status', '-g', 'gpu', 'rack1', '--summary'])).stdout).toBe(
      'on: node[1,10]\noff: node2\nunknown: node3\n',
    )
    expect((await client(server, ['status', '--groups', '@gpu'])).stdout).toBe('node10  On\n')
  })
})

describe('on, off, restart', () => {
  test('on: Starting, Failed to start with the message, Missing (exit 1)', async () => {
    const result = await client(server, ['on', 'node2', 'bmc1', 'node99'])
    expect(result.stdout).toBe(
      [
        'bmc1    Failed to start: no answer from bmc1-bmc',
        'node2   Starting',
        'node99  Missing: not known to the server',
        '',
      ].join('\n'),
    )
    expect(result.code).toBe(1)
    expect(await stateOf(stateDir, 'node2')).toBe('on')
  })

  test('on --summary and --json', async () => {
    const summary = await client(server, ['on', 'node2', 'bmc1', 'node99', '--summary'])
    expect(summary.stdout).toBe('starting: node2\nfailed to start: bmc1\nmissing: node99\n')
    const json = await client(server, ['on', 'node2', '--json'])
    expect(stableJson(json.stdout)).toEqual({
      action: 'on',
      nodes: [
        {
          name: 'node2',
          platform: 'files',
          missing: false,
          success: true,
          state: null,
          exitCode: 0,
          durationMs: 0,
          message: null,
          startedAt: 'ANY',
        },
      ],
      exitCode: 0,
    })
    expect(json.code).toBe(0)
  })

  test('off: Stopping and Failed to stop; exit 0 when all succeed', async () => {
    const failed = await client(server, ['off', 'node1', 'bmc1'])
    expect(failed.stdout).toBe('bmc1   Failed to stop: no answer from bmc1-bmc\nnode1  Stopping\n')
    expect(failed.code).toBe(1)
    const ok = await client(server, ['off', 'node10'])
    expect(ok).toEqual({ code: 0, stdout: 'node10  Stopping\n', stderr: '' })
    expect(await stateOf(stateDir, 'node10')).toBe('off')
  })

  test('restart: Restarting and Failed to restart', async () => {
    const result = await client(server, ['restart', 'node2', 'bmc1', '--summary'])
    expect(result.stdout).toBe('restarting: node2\nfailed to restart: bmc1\n')
    expect((await client(server, ['restart', 'node2'])).stdout).toBe('node2  Restarting\n')
  })

  test('without a terminal, off on many nodes never prompts', async () => {
    const result = await client(server, ['off', 'node[1-3,10]', '@rack1'], { stdin: 'n\n' })
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
  })

  test('a read-only token cannot power nodes: exit 4', async () => {
    const result = await client(server, ['on', 'node1'], { token: server.readToken })
    expect(result.code).toBe(4)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(
      /^flight-power: The token from --token does not allow this \(403: .+\); power actions need a token with the "power" scope: ask your administrator for one\n$/,
    )
  })
})

describe('list', () => {
  test('nodes, in natural order; --verbose adds the platform, last known state and actions', async () => {
    expect((await client(server, ['list'])).stdout).toBe('bmc1\nnode1\nnode2\nnode3\nnode10\n')
    // The states are those the status tests above read; ages depend on the machine's pace.
    const actions = '(on off restart status cycle)'
    const verbose = (await client(server, ['list', '--verbose'])).stdout
    expect(verbose.replace(/read \d+[smhd] ago/g, 'read N ago')).toBe(
      [
        `bmc1    broken  never read  ${actions}`,
        `node1   files  on, read N ago  ${actions}`,
        `node2   files  off, read N ago  ${actions}`,
        `node3   files  unknown, read N ago  ${actions}`,
        `node10  files  on, read N ago  ${actions}`,
        '',
      ].join('\n'),
    )
  })

  test('groups; --verbose adds members folded', async () => {
    const groups = await client(server, ['list', '--groups'], { token: server.readToken })
    expect(groups.stdout).toBe('all\ngpu\nrack1\n')
    expect((await client(server, ['list', '-g', '--verbose'])).stdout).toBe(
      'all    bmc1,node[1-3,10]\ngpu    node10\nrack1  node[1-3]\n',
    )
  })

  test('--json', async () => {
    expect(JSON.parse((await client(server, ['list', '--json'])).stdout).nodes[0]).toEqual({
      name: 'bmc1',
      platform: 'broken',
      actions: ['power_on', 'power_off', 'restart', 'status', 'cycle'],
    })
    expect(
      JSON.parse((await client(server, ['list', '--groups', '--json'])).stdout).groups[2],
    ).toEqual({ name: 'rack1', nodes: ['node1', 'node2', 'node3'] })
  })
})

describe('targets and configuration', () => {
  test('bad target syntax is exit 2 before any request', async () => {
    const result = await runCli([
      'status',
      'node[1-',
      '--url',
      'http://127.0.0.1:1',
      '--token',
      'x',
    ])
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'flight-power: Invalid hostlist "node[1-": unbalanced "["\n',
    })
    expect((await runCli(['off', 'node[3-1]'])).stderr).toBe(
      'flight-power: Invalid hostlist "node[3-1]": reversed range "3-1"\n',
    )
  })

  test("an unknown group is the server's 400: exit 2 with its detail", async () => {
    const result = await client(server, ['status', '@nosuch'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^flight-power: The power server refused the request \(400: .*nosuch.*\)\n$/,
    )
  })

  test('the config init wrote, through FLIGHT_POWER_CONFIG, which a per-user file cannot override', async () => {
    // init writes the default port; point its file at this test server's port.
    const written = await Bun.file(server.clientConfigFile).text()
    const file = join(await mkdtemp(join(tmpdir(), 'flight-power-cfg-')), 'config.yaml')
    await writeFile(file, written.replace(/^base_url:.*$/m, `base_url: ${server.url}`))
    const env = { FLIGHT_POWER_CONFIG: file }
    const direct = await runCli(['status', 'node1'], { env })
    expect(direct.code, direct.stderr).toBe(0)
    const xdg = await mkdtemp(join(tmpdir(), 'flight-power-xdg-'))
    await Bun.write(join(xdg, 'flight-power/config.yaml'), `jwt_token: ${server.readToken}\n`)
    const named = await runCli(['on', 'node1'], { env: { ...env, XDG_CONFIG_HOME: xdg } })
    expect(named.code, named.stderr).toBe(0)
    // Without a named file, the per-user file's read token is the one used: refused.
    const perUser = await runCli(['on', 'node1'], {
      env: { FLIGHT_POWER_URL: server.url, XDG_CONFIG_HOME: xdg },
    })
    expect(perUser.code).toBe(4)
    const flag = await runCli(['on', 'node1', '--token', server.powerToken], {
      env: { FLIGHT_POWER_URL: server.url, XDG_CONFIG_HOME: xdg },
    })
    expect(flag.code).toBe(0)
  })

  test('FLIGHT_POWER_URL and FLIGHT_POWER_TOKEN', async () => {
    const result = await runCli(['status', 'node10'], {
      env: { FLIGHT_POWER_URL: server.url, FLIGHT_POWER_TOKEN: server.readToken },
    })
    expect(result).toEqual({ code: 0, stdout: 'node10  On\n', stderr: '' })
  })

  test('a malformed or misspelt config file names the file: exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flight-power-cfg-'))
    const file = join(dir, 'config.yaml')
    await writeFile(file, `base_url: ${server.url}\njwt-token: abc\n`)
    const result = await runCli(['status', 'node1', '--config', file])
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `flight-power: Cannot load client config "${file}": line 2: unknown key "jwt-token" (the keys are base_url, jwt_token and ca_file)\n`,
    })
  })

  test('--json and --summary together are a usage error', async () => {
    expect((await client(server, ['status', 'node1', '--json', '--summary'])).code).toBe(2)
  })
})

test("the query reaches the server in power-client's encoding and fully encoded", async () => {
  const headers = { authorization: `Bearer ${server.readToken}` }
  for (const query of ['nodes=node%5B1-2%5D,@gpu', 'nodes=node%5B1-2%5D%2C%40gpu']) {
    const response = await fetch(`${server.url}/?${query}`, { headers })
    const doc = (await response.json()) as { data: { id: string }[] }
    expect(doc.data.map((item) => item.id).sort()).toEqual(['node1', 'node10', 'node2'])
  }
})
