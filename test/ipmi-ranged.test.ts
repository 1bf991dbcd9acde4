/**
 * Ranged scripts end to end: the shipped ipmi platform's ranged ipmipower scripts against
 * ipmi_sim BMCs, through a real server. `ipmipower` and `ipmitool` are wrapped on the
 * server's PATH to count their runs: one ipmipower per set of credentials answers for its
 * nodes, and with ipmipower gone from PATH the per-node ipmitool scripts answer the same.
 * Node variables carrying shell syntax, quotes, tabs and newlines stay inert.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { eventually } from './eventually.ts'
import { runCli, startServer, type TestServer } from './harness.ts'
import { defaultTopologyWith, type NodeSpec } from './fakes/default-topology.ts'
import { hasIpmiSim, startSimulatedBmc, type SimulatedBmc } from './ipmi-sim/sim.ts'

const ipmipower = Bun.which('ipmipower', { PATH: `${process.env.PATH}:/usr/sbin:/sbin` })
if (!hasIpmiSim() || ipmipower === null)
  throw new Error(
    'ipmi_sim, ipmitool or ipmipower is not installed: apt-get install openipmi ipmitool freeipmi-tools',
  )

const PASSWORD = 'pw-shared'
// A '#' starts a comment in FreeIPMI's config file: the script must escape it.
const OTHER_PASSWORD = 'pw#other$1'

describe('ranged ipmipower scripts against ipmi_sim', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flight-power-ranged-'))
  const marker = join(dir, 'injected')
  const hostile = `$(touch ${marker})\`touch ${marker}\`'"\t;\n`
  const bmcs: SimulatedBmc[] = []
  const servers: TestServer[] = []
  let ranged: TestServer
  let perNode: TestServer

  /** Wrappers that log each run of `tools` as a line of `<dir>/<tool>.calls`, then run it. */
  function wrappers(name: string, tools: Record<string, string>): string {
    const bin = join(dir, name)
    mkdirSync(bin)
    for (const [tool, real] of Object.entries(tools)) {
      const script = `#!/bin/bash\nprintf '%s\\n' "\${*//$'\\n'/<NL>}" >>${join(bin, `${tool}.calls`)}\nexec ${real} "$@"\n`
      writeFileSync(join(bin, tool), script)
      chmodSync(join(bin, tool), 0o755)
    }
    return bin
  }
  const calls = (bin: string, tool: string) => {
    const file = join(bin, `${tool}.calls`)
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
  }
  const withoutIpmipower = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => entry !== '' && !existsSync(join(entry, 'ipmipower')))
    .join(delimiter)
  let rangedBin: string
  let perNodeBin: string

  beforeAll(async () => {
    for (const [password, power] of [
      [PASSWORD, 'on'],
      [PASSWORD, 'off'],
      [PASSWORD, 'on'],
      [OTHER_PASSWORD, 'off'],
      [PASSWORD, 'on'],
    ] as const)
      bmcs.push(
        await startSimulatedBmc({
          dir: join(dir, `bmc${bmcs.length + 1}`),
          user: 'admin',
          password,
          power,
        }),
      )
    const node = (i: number, bmc: string, password = PASSWORD): NodeSpec => ({
      platform: 'ipmi',
      ipmi_username: 'admin',
      ipmi_password: password,
      bmc,
      ipmi_port: bmcs[i]!.port,
      ipmi_cipher_suite: 3,
    })
    // Three spellings of loopback: three host names, so one ipmipower can take all three
    // (it names hosts without their port, so two 127.0.0.1 would need two ipmipowers).
    const nodes: Record<string, NodeSpec> = {
      node01: node(0, '127.0.0.1'),
      node02: node(1, 'localhost'),
      node03: node(2, '::ffff:127.0.0.1'),
      node04: node(3, '127.0.0.1', OTHER_PASSWORD),
      // Shell syntax, quotes, a tab and a newline in the user name, in the BMC's address.
      node05: { ...node(4, '127.0.0.1'), ipmi_username: hostile },
      node06: { ...node(4, hostile) },
      // Short enough for IPMI (16 bytes): ipmipower is given it, as one argument.
      node07: { ...node(4, '127.0.0.1'), ipmi_username: `$(id)'"\t\n` },
    }
    const topology = defaultTopologyWith(nodes, { timeouts: { ipmi: 10 } })
    const ipmitool = Bun.which('ipmitool')!
    rangedBin = wrappers('ranged', { ipmipower, ipmitool })
    perNodeBin = wrappers('per-node', { ipmitool })
    ranged = await startServer({
      topology,
      config: { log_level: 'debug' },
      env: { PATH: `${rangedBin}${delimiter}${process.env.PATH}` },
    })
    servers.push(ranged)
    perNode = await startServer({
      topology,
      config: { log_level: 'debug' },
      env: { PATH: `${perNodeBin}${delimiter}${withoutIpmipower}` },
    })
    servers.push(perNode)
  }, 120_000)

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()))
    await Promise.all(bmcs.map((bmc) => bmc.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  /** Wait until `server`'s log holds `text` (it is read from a pipe, a bit later). */
  const logged = (server: TestServer, text: string) =>
    eventually(`the server to log "${text}"`, () => server.logs().includes(text), {
      detail: () => server.logs(),
    })

  async function status(server: TestServer, target: string) {
    const result = await runCli([
      'status',
      target,
      '--json',
      '--url',
      server.url,
      '--token',
      server.readToken,
    ])
    const nodes = JSON.parse(result.stdout).nodes as {
      name: string
      state: string
      success: boolean
      message: string | null
    }[]
    return Object.fromEntries(
      nodes.map((node) => [node.name, node.success ? node.state : `failed: ${node.message}`]),
    )
  }

  test('one ipmipower per set of credentials answers for its nodes; no ipmitool runs', async () => {
    expect(await status(ranged, 'node[01-04]')).toEqual({
      node01: 'on',
      node02: 'off',
      node03: 'on',
      node04: 'off',
    })
    const runs = calls(rangedBin, 'ipmipower')
    expect(runs.length).toBe(2)
    expect(runs.map((run) => run.match(/-h (\S+)/)?.[1]?.split(',').length).sort()).toEqual([1, 3])
    expect(calls(rangedBin, 'ipmitool')).toEqual([])
    await logged(ranged, 'ipmi: ranged status for 4 nodes')
    for (const password of [PASSWORD, OTHER_PASSWORD]) {
      expect(runs.filter((run) => run.includes(password))).toEqual([])
      expect(ranged.logs()).not.toContain(password)
    }
  })

  test('off and on go through ipmipower too, and really switch the BMCs', async () => {
    const before = calls(rangedBin, 'ipmipower').length
    const off = await runCli([
      'off',
      'node[01-04]',
      '--yes',
      '--json',
      '--url',
      ranged.url,
      '--token',
      ranged.powerToken,
    ])
    expect(off.code).toBe(0)
    expect(bmcs.slice(0, 4).map((bmc) => bmc.power())).toEqual(['off', 'off', 'off', 'off'])
    const on = await runCli([
      'on',
      'node[01-04]',
      '--json',
      '--url',
      ranged.url,
      '--token',
      ranged.powerToken,
    ])
    expect(on.code).toBe(0)
    expect(bmcs.slice(0, 4).map((bmc) => bmc.power())).toEqual(['on', 'on', 'on', 'on'])
    expect(
      calls(rangedBin, 'ipmipower')
        .slice(before)
        .map((run) => run.match(/--(on|off)\b/)?.[1]),
    ).toEqual(['off', 'off', 'on', 'on'])
    expect(calls(rangedBin, 'ipmitool')).toEqual([])
  })

  test('hostile node variables stay inert: ipmitool is handed the nodes ipmipower cannot take', async () => {
    const before = calls(rangedBin, 'ipmipower').length
    const nodes = await status(ranged, 'node[05-07]')
    // Every one is refused by the BMC or resolves nowhere: they fail, in ipmitool's words.
    for (const name of ['node05', 'node06', 'node07']) expect(nodes[name]).toStartWith('failed: ')
    expect(existsSync(marker)).toBe(false)
    // node05's user name is too long for IPMI and node06's address no host name: ipmitool's.
    // node07's reached ipmipower whole, as one argument; the BMC refused it, so ipmitool too.
    const runs = calls(rangedBin, 'ipmipower').slice(before)
    expect(runs.length).toBe(1)
    expect(runs[0]).toContain(`--username=$(id)'"\t<NL> `)
    expect(calls(rangedBin, 'ipmitool').length).toBe(3)
  })

  test('without ipmipower on PATH the per-node ipmitool scripts give the same answers', async () => {
    expect(await status(perNode, 'node[01-04]')).toEqual({
      node01: 'on',
      node02: 'on',
      node03: 'on',
      node04: 'on',
    })
    expect(calls(perNodeBin, 'ipmitool').length).toBe(4)
    await logged(perNode, 'ranged status script exited 69')
    expect(existsSync(marker)).toBe(false)
  })
})
