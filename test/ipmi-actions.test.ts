/**
 * The actions of SPEC §10 against real BMCs: cycle, shutdown (with and without
 * --force-after), identify and bootdev, run by the real client through a real server with
 * the DEFAULT ipmi platform of etc/topology.yaml (scripts and timeout as shipped, only node
 * variables set), real ipmitool talking to two BMC implementations on loopback: OpenIPMI's
 * ipmi_sim, whose chassis_control hook records what it was told, and pyghmi's FakeBmc,
 * which also sees the boot flags (persistent, EFI) that ipmi_sim does not pass on.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, startServer, type TestServer } from './harness.ts'
import { defaultTopologyWith, type NodeSpec } from './fakes/default-topology.ts'
import { hasIpmiSim, startSimulatedBmc, type SimulatedBmc } from './ipmi-sim/sim.ts'
import { hasPyghmi, startPyghmiBmc, type PyghmiBmc } from './ipmi-sim/pyghmi.ts'
import { eventually } from './eventually.ts'

// Never skipped: a proof that does not run proves nothing.
if (!hasIpmiSim())
  throw new Error('ipmi_sim or ipmitool is not installed: apt-get install openipmi ipmitool')
if (!hasPyghmi())
  throw new Error('pyghmi is not installed for /usr/bin/python3: apt-get install python3-pyghmi')

interface JsonNode {
  name: string
  success: boolean
  message: string | null
  forced?: boolean
}

const USER = 'admin'
const password = (name: string) => `pw-${name}`

describe('cycle, shutdown, identify and bootdev against ipmi_sim and pyghmi', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flight-power-ipmi-actions-'))
  // node01: on, its OS obeys a soft shutdown. node02: off. node03: on, its OS ignores a soft
  // shutdown and its BMC refuses every boot device. node04: pyghmi, on.
  let sims: Record<'node01' | 'node02' | 'node03', SimulatedBmc>
  let pyghmi: PyghmiBmc
  let server: TestServer

  beforeAll(async () => {
    const sim = (name: string, options: Partial<Parameters<typeof startSimulatedBmc>[0]>) =>
      startSimulatedBmc({
        dir: join(dir, name),
        user: USER,
        password: password(name),
        power: 'on',
        ...options,
      })
    const [node01, node02, node03, node04] = await Promise.all([
      sim('node01', {}),
      sim('node02', { power: 'off' }),
      sim('node03', { ignoresShutdown: true, refusesBoot: true }),
      startPyghmiBmc({ dir: join(dir, 'node04'), user: USER, password: password('node04') }),
    ])
    sims = { node01, node02, node03 }
    pyghmi = node04
    const ipmi = (name: string, port: number, extra: Record<string, string | number> = {}) => ({
      platform: 'ipmi',
      ipmi_username: USER,
      ipmi_password: password(name),
      bmc: '127.0.0.1',
      ipmi_port: port,
      ipmi_cipher_suite: 3,
      ...extra,
    })
    const nodes: Record<string, NodeSpec> = {
      node01: ipmi('node01', node01.port),
      // identify lights for a set time here rather than until told off.
      node02: ipmi('node02', node02.port, { ipmi_identify_seconds: 30 }),
      node03: ipmi('node03', node03.port),
      node04: ipmi('node04', node04.port),
      // Nothing runs for these: their platforms lack the script.
      cloud01: { platform: 'aws', ec2_id: 'i-0aaaaaaaaaaaaaaa1', region: 'eu-west-1' },
      old01: { platform: 'legacy' },
    }
    // A power-server 1.0 platform: the four required scripts and nothing else.
    const legacy = { power_on: 'true', power_off: 'true', restart: 'true', status: 'exit 0' }
    server = await startServer({
      topology: defaultTopologyWith(nodes, { platforms: { legacy } }),
    })
  }, 60_000)

  afterAll(async () => {
    await server?.stop()
    await Promise.all([...Object.values(sims ?? {}), pyghmi].filter(Boolean).map((b) => b.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  /** Run a client command with --json; its exit code and nodes by name. */
  async function client(...args: string[]) {
    const result = await runCli([
      ...args,
      '--json',
      '--url',
      server.url,
      '--token',
      server.powerToken,
    ])
    if (result.stdout === '')
      throw new Error(`${args.join(' ')} printed nothing (exit ${result.code}): ${result.stderr}`)
    const nodes = new Map(
      (JSON.parse(result.stdout).nodes as JsonNode[]).map((node) => [node.name, node]),
    )
    return { code: result.code, nodes }
  }

  /** Wait until `check` holds (ipmi_sim powers a cycled chassis on a second later). */
  const until = (what: string, check: () => boolean) =>
    eventually(what, check, { timeoutMs: 20_000, intervalMs: 100 })

  test('cycle: a node that is on goes off and on again; one that is off is switched on', async () => {
    const { code, nodes } = await client('cycle', 'node[01-03]')
    expect(code).toBe(0)
    for (const name of ['node01', 'node02', 'node03'] as const)
      expect(nodes.get(name)).toMatchObject({ success: true, message: null })
    await until('on', () => Object.values(sims).every((bmc) => bmc.power() === 'on'))
    // ipmi_sim's own cycle: off, then on again; the off node got a plain power on.
    expect(sims.node01.sets()).toEqual(['power 0', 'power 1'])
    expect(sims.node02.sets()).toEqual(['power 1'])
    expect(sims.node03.sets()).toEqual(['power 0', 'power 1'])
  })

  test('shutdown --force-after 5: the obeying node is off unforced, the ignoring one forced off', async () => {
    await until('on', () => Object.values(sims).every((bmc) => bmc.power() === 'on'))
    const before = { node01: sims.node01.sets().length, node03: sims.node03.sets().length }
    const { code, nodes } = await client('shutdown', 'node01,node03', '--force-after', '5')
    expect(code).toBe(0)
    expect(nodes.get('node01')).toMatchObject({ success: true, forced: false })
    expect(nodes.get('node03')).toMatchObject({ success: true, forced: true })
    expect([sims.node01.power(), sims.node03.power()]).toEqual(['off', 'off'])
    // node01's OS switched itself off; node03 was still on and got a hard power off.
    expect(sims.node01.sets().slice(before.node01)).toEqual(['shutdown 1'])
    expect(sims.node03.sets().slice(before.node03)).toEqual(['shutdown 1', 'power 0'])
  }, 60_000)

  test('shutdown without --force-after only asks; a platform without the script says so', async () => {
    const { code, nodes } = await client('shutdown', 'node04,old01')
    expect(code).toBe(1)
    expect(nodes.get('node04')).toMatchObject({ success: true, message: null })
    expect(nodes.get('node04')?.forced).toBeUndefined()
    expect(nodes.get('old01')).toMatchObject({
      success: false,
      message: 'platform "legacy" has no shutdown script',
    })
    expect(pyghmi.requests().filter((line) => line.startsWith('power '))).toEqual(['power soft'])

    // The same over raw HTTP: a per-node failure in an ordinary answer, never a 500.
    const response = await fetch(`${server.url}/actions/shutdown?nodes=old01`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.powerToken}` },
    })
    const body = await response.text()
    expect(response.status).toBeLessThan(500)
    expect(body).toContain('platform \\"legacy\\" has no shutdown script')
  })

  test('identify switches the light on until told off (or for ipmi_identify_seconds), and off', async () => {
    const on = await client('identify', 'node[01-02,04],cloud01')
    expect(on.code).toBe(1)
    for (const name of ['node01', 'node02', 'node04'])
      expect(on.nodes.get(name)).toMatchObject({ success: true, message: null })
    expect(on.nodes.get('cloud01')).toMatchObject({
      success: false,
      message: 'platform "aws" has no identify script',
    })
    const off = await client('identify', '--off', 'node[01-02,04]')
    expect(off.code).toBe(0)

    // ipmi_sim: "identify INTERVAL FORCE"; pyghmi: the Chassis Identify request's fields.
    const identify = (bmc: SimulatedBmc) => bmc.sets().filter((line) => line.startsWith('identify'))
    expect(identify(sims.node01)).toEqual(['identify 0 1', 'identify 0 0'])
    expect(identify(sims.node02)).toEqual(['identify 30 0', 'identify 0 0'])
    expect(pyghmi.requests().filter((line) => line.startsWith('identify'))).toEqual([
      'identify 0 force=1',
      'identify 0 force=0',
    ])
  })

  test('bootdev sets each device, with the persistent and UEFI flags, on both BMCs', async () => {
    const runs = [
      ['pxe', '--persistent', '--uefi'],
      ['disk'],
      ['bios', '--persistent'],
      ['cdrom', '--uefi'],
      ['default'],
    ]
    for (const [device, ...flags] of runs) {
      const { code, nodes } = await client('bootdev', device!, 'node01,node04', ...flags)
      expect({ device, code }).toEqual({ device, code: 0 })
      for (const name of ['node01', 'node04'])
        expect(nodes.get(name)).toMatchObject({ success: true, message: null })
    }
    // ipmi_sim names the hard disk "default", and ipmitool's `none` (no override) "none".
    expect(sims.node01.sets().filter((line) => line.startsWith('boot '))).toEqual([
      'boot pxe',
      'boot default',
      'boot bios',
      'boot cdrom',
      'boot none',
    ])
    expect(pyghmi.requests().filter((line) => line.startsWith('bootdev'))).toEqual([
      'bootdev pxe persistent=1 efi=1',
      'bootdev disk persistent=0 efi=0',
      'bootdev bios persistent=1 efi=0',
      'bootdev cdrom persistent=0 efi=1',
      'bootdev none persistent=0 efi=0',
    ])
  })

  // ipmitool 1.8.19 exits 0 when the BMC refuses a boot device: only its reply tells.
  test("bootdev fails a node whose BMC refuses, with ipmitool's message; aws has no bootdev", async () => {
    const { code, nodes } = await client('bootdev', 'pxe', 'node03,cloud01')
    expect(code).toBe(1)
    expect(nodes.get('node03')).toMatchObject({
      success: false,
      message: 'Set Chassis Boot Parameter 5 failed: Unspecified error',
    })
    expect(nodes.get('cloud01')).toMatchObject({
      success: false,
      message: 'platform "aws" has no bootdev script',
    })
    expect(sims.node03.sets().filter((line) => line.startsWith('boot '))).toEqual(['boot pxe'])
  })

  test('a bad DEVICE is exit 2 before any request is sent', async () => {
    let requests = 0
    const listener = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () => {
        requests++
        return new Response('{}')
      },
    })
    try {
      const result = await runCli([
        'bootdev',
        'floppy',
        'node01',
        '--url',
        `http://127.0.0.1:${listener.port}`,
        '--token',
        server.powerToken,
      ])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('floppy')
      expect(requests).toBe(0)
    } finally {
      await listener.stop(true)
    }
  })

  test('an unknown field in the JSON body is a 400, and nothing runs', async () => {
    const before = sims.node01.sets().length
    const response = await fetch(`${server.url}/actions/bootdev?nodes=node01`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${server.powerToken}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ device: 'pxe', persistant: true }),
    })
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('Unknown field \\"persistant\\" for bootdev')
    expect(sims.node01.sets().length).toBe(before)
  })
})
