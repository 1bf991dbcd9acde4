/**
 * Proof against real IPMI: simulated BMCs (OpenIPMI's ipmi_sim) on loopback, a real server
 * running the DEFAULT ipmi platform of etc/topology.yaml (scripts as shipped, only node
 * variables set), driven by the real client, with real ipmitool talking to the BMCs. The
 * silent BMC's node runs a copy of that platform differing only in its timeout.
 * One BMC refuses (wrong password) and one never answers: both must fail with a message
 * while the others succeed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, startServer, type TestServer } from './harness.ts'
import { defaultTopologyWith, shippedPlatform, type NodeSpec } from './fakes/default-topology.ts'
import { hasIpmiSim, startSilentBmc, startSimulatedBmc, type SimulatedBmc } from './ipmi-sim/sim.ts'

// Never skipped: a proof that does not run proves nothing (the Slurm suite does the same).
if (!hasIpmiSim()) {
  throw new Error(
    'ipmi_sim or ipmitool is not installed: apt-get install openipmi ipmitool (.ci/run does)',
  )
}

/**
 * Seconds before the silent BMC's ipmitool is killed; the shipped 30 s would make this test
 * slow. Only node05 (the silent BMC) gets it: the answering BMCs keep the shipped timeout, as
 * five ipmitools at once on a loaded machine may take longer than this.
 */
const TIMEOUT_SECONDS = 2
const WORKING = ['node01', 'node02', 'node03'] as const
const PASSWORDS: Record<string, string> = {
  node01: 'pw-node01',
  node02: 'pw-node02',
  node03: 'pw-node03',
  node04: 'wrong-pw',
  node05: 'pw-node05',
}

interface JsonNode {
  name: string
  success: boolean
  state: string | null
  message: string | null
}

describe('ipmi platform against ipmi_sim', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flight-power-ipmi-'))
  const bmcs = new Map<string, SimulatedBmc>()
  let refusing: SimulatedBmc
  let silent: { port: number; stop(): void }
  let server: TestServer

  beforeAll(async () => {
    const initial = { node01: 'on', node02: 'off', node03: 'on' } as const
    await Promise.all(
      WORKING.map(async (name) => {
        const bmc = await startSimulatedBmc({
          dir: join(dir, name),
          user: 'admin',
          password: PASSWORDS[name]!,
          power: initial[name],
        })
        bmcs.set(name, bmc)
      }),
    )
    refusing = await startSimulatedBmc({
      dir: join(dir, 'node04'),
      user: 'admin',
      password: 'right-pw',
      power: 'off',
    })
    silent = await startSilentBmc()

    const node = (name: string, port: number, platform = 'ipmi'): NodeSpec => ({
      platform,
      ipmi_username: 'admin',
      ipmi_password: PASSWORDS[name]!,
      bmc: '127.0.0.1',
      ipmi_port: port,
      ipmi_cipher_suite: 3,
    })
    const nodes: Record<string, NodeSpec> = Object.fromEntries(
      WORKING.map((name) => [name, node(name, bmcs.get(name)!.port)]),
    )
    nodes.node04 = node('node04', refusing.port)
    nodes.node05 = node('node05', silent.port, 'ipmi_quick')
    const quick = { ...shippedPlatform('ipmi'), timeout: TIMEOUT_SECONDS }
    server = await startServer({
      topology: defaultTopologyWith(nodes, { platforms: { ipmi_quick: quick } }),
    })
  }, 60_000)

  afterAll(async () => {
    await server?.stop()
    await Promise.all([...bmcs.values(), refusing].filter(Boolean).map((bmc) => bmc.stop()))
    silent?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Run a client command over all five nodes; return the exit code and the nodes by name. */
  async function client(command: string, target = 'node[01-05]') {
    // --yes: off and restart ask before touching more than 10 nodes (only on a terminal, but say it).
    const yes = command === 'off' || command === 'restart' ? ['--yes'] : []
    const result = await runCli([
      command,
      target,
      '--json',
      ...yes,
      '--url',
      server.url,
      '--token',
      server.powerToken,
    ])
    if (result.stdout === '')
      throw new Error(`${command} printed nothing (exit ${result.code}): ${result.stderr}`)
    const nodes = new Map(
      (JSON.parse(result.stdout).nodes as JsonNode[]).map((node) => [node.name, node]),
    )
    return { code: result.code, nodes }
  }

  function expectBrokenNodes(nodes: Map<string, JsonNode>) {
    expect(nodes.get('node04')).toMatchObject({
      success: false,
      message: 'Error: Unable to establish IPMI v2 / RMCP+ session',
    })
    expect(nodes.get('node05')).toMatchObject({
      success: false,
      message: `timed out after ${TIMEOUT_SECONDS}s`,
    })
  }

  const power = () => Object.fromEntries(WORKING.map((name) => [name, bmcs.get(name)!.power()]))

  test("status reads each BMC's power; the refusing and the silent BMC fail with a message", async () => {
    const { code, nodes } = await client('status')
    expect(code).toBe(1)
    expect(nodes.get('node01')).toMatchObject({ success: true, state: 'on', message: null })
    expect(nodes.get('node02')).toMatchObject({ success: true, state: 'off', message: null })
    expect(nodes.get('node03')).toMatchObject({ success: true, state: 'on', message: null })
    expectBrokenNodes(nodes)
    expect(nodes.get('node04')?.state).toBe('unknown')

    const answering = await client('status', 'node[01-03]')
    expect(answering.code).toBe(111)
  })

  test('on switches the off BMC on and leaves the others on', async () => {
    const { code, nodes } = await client('on')
    expect(code).toBe(1)
    for (const name of WORKING)
      expect(nodes.get(name)).toMatchObject({ success: true, message: null })
    expectBrokenNodes(nodes)
    expect(power()).toEqual({ node01: 'on', node02: 'on', node03: 'on' })
    expect(refusing.power()).toBe('off')
    expect((await client('status', 'node[01-03]')).code).toBe(0)
  })

  test('restart resets every answering BMC, which stays on', async () => {
    const before = WORKING.map((name) => bmcs.get(name)!.resets())
    const { code, nodes } = await client('restart')
    expect(code).toBe(1)
    for (const name of WORKING)
      expect(nodes.get(name)).toMatchObject({ success: true, message: null })
    expectBrokenNodes(nodes)
    expect(WORKING.map((name) => bmcs.get(name)!.resets())).toEqual(
      before.map((count) => count + 1),
    )
    expect(refusing.resets()).toBe(0)
    expect(power()).toEqual({ node01: 'on', node02: 'on', node03: 'on' })
  })

  test('off switches every answering BMC off', async () => {
    const { code, nodes } = await client('off')
    expect(code).toBe(1)
    for (const name of WORKING)
      expect(nodes.get(name)).toMatchObject({ success: true, message: null })
    expectBrokenNodes(nodes)
    expect(power()).toEqual({ node01: 'off', node02: 'off', node03: 'off' })

    const status = await client('status', 'node[01-03]')
    for (const name of WORKING)
      expect(status.nodes.get(name)).toMatchObject({ success: true, state: 'off' })
    expect(status.code).toBe(111)
  })

  // ipmitool gets the password through IPMI_PASSWORD (-E): look at every command line while
  // the silent BMC's ipmitool is still waiting for an answer.
  test('the human output gives states and reasons; no password is in any command line or log', async () => {
    const status = runCli([
      'status',
      'node[01-05]',
      '--url',
      server.url,
      '--token',
      server.readToken,
    ])
    // The silent BMC's ipmitool lives for TIMEOUT_SECONDS and the status cannot finish before
    // it is killed: polling until it is seen, or the status is done, needs no luck with timing.
    let done = false
    const finish = () => (done = true)
    void status.then(finish, finish)
    const seen: string[] = []
    const deadline = Date.now() + 30_000
    while (!done && Date.now() < deadline) {
      const lines = commandLines()
      seen.push(...lines)
      if (lines.some((line) => line.startsWith('ipmitool ') && line.includes(`-p ${silent.port}`)))
        break
      await Bun.sleep(20)
    }
    seen.push(...commandLines())
    const ipmitools = seen.filter((line) => line.startsWith('ipmitool '))
    const result = await status

    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/node01\s+Off/)
    expect(result.stdout).toMatch(/node04\s+Unknown.*Unable to establish IPMI v2 \/ RMCP\+ session/)
    expect(result.stdout).toMatch(
      new RegExp(`node05\\s+Unknown.*timed out after ${TIMEOUT_SECONDS}s`),
    )
    expect(
      ipmitools.some((line) => line.includes(`-p ${silent.port}`) && line.includes('-E')),
    ).toBe(true)
    for (const password of Object.values(PASSWORDS)) {
      expect(seen.filter((line) => line.includes(password))).toEqual([])
      expect(server.logs()).not.toContain(password)
    }
  })
})

/** Every process's command line, arguments joined by spaces. */
function commandLines(): string[] {
  const lines: string[] = []
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim())
    } catch {
      // gone meanwhile
    }
  }
  return lines
}
