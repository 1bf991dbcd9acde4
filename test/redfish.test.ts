/**
 * Redfish end to end: simulated BMCs in their own process, a real server from the built binary
 * with `driver: redfish` platforms, the real client. Every action, TLS with and without the
 * CA, redfish_insecure, a wrong password, 503s, a silent BMC, two systems, a ForceOn-only and an
 * IndicatorLED service, an ETag conflict, and a script overriding one action.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { defaultTopologyWith } from './fakes/default-topology.ts'
import { eventually } from './eventually.ts'
import { runCli, startServer, type TestServer } from './harness.ts'
import { spawnSimulator, type BmcOptions, type SimulatorProcess } from './redfish-sim/index.ts'

const WRONG = 'wrong-secret-4711'
const SERVER_PASSWORD = 'bmc-pass-9931'

interface JsonNode {
  name: string
  success: boolean
  state?: string
  message: string | null
  attempts?: number
}

describe('driver: redfish through the real binary', () => {
  let sim: SimulatorProcess
  let server: TestServer
  const host = (name: string) => sim.bmcs.find((b) => b.name === name)!.host

  beforeAll(async () => {
    const bmcs: BmcOptions[] = [
      { name: 'on1', power: 'On' },
      { name: 'off1' },
      { name: 'force', resetTypes: ['ForceOn', 'ForceOff'], resetInfo: 'ActionInfo' },
      { name: 'old', indicator: 'IndicatorLED' },
      { name: 'raced', etagConflicts: 1 },
      { name: 'twin', systems: ['A', 'B'] },
      { name: 'busy', unavailable: 2, retryAfter: 1 },
      { name: 'silent', silent: true },
      { name: 'locked' },
      { name: 'trusting' },
      { name: 'stranger' },
      { name: 'mixed', power: 'On' },
    ]
    sim = await spawnSimulator(bmcs.map((bmc) => ({ ...bmc, password: SERVER_PASSWORD })))
    const node = (name: string, platform = 'rf', extra = '') =>
      `  ${name}: { platform: ${platform}, bmc: "${host(name)}", redfish_username: admin${extra} }`
    server = await startServer({
      env: { REDFISH_PASSWORD: SERVER_PASSWORD },
      config: { log_level: 'debug' },
      topology: `static_nodes:
${['on1', 'off1', 'force', 'old', 'raced', 'twin'].map((name) => node(name)).join('\n')}
${node('busy', 'patient')}
${node('silent', 'quick')}
${node('locked', 'rf', `, redfish_password: ${WRONG}`)}
${node('trusting', 'bare', ', redfish_insecure: true')}
${node('stranger', 'bare')}
${node('mixed', 'mixed')}
platforms:
  rf:
    driver: redfish
    variables: [redfish_ca_file]
    defaults: { redfish_ca_file: "${sim.caFile}" }
    cycle_delay: 0
    timeout: 20
  patient:
    driver: redfish
    variables: [redfish_ca_file]
    defaults: { redfish_ca_file: "${sim.caFile}" }
    retries: 2
    timeout: 20
  quick:
    driver: redfish
    variables: [redfish_ca_file]
    defaults: { redfish_ca_file: "${sim.caFile}" }
    timeout: 2
  bare:
    driver: redfish
    timeout: 20
  mixed:
    driver: redfish
    variables: [name, redfish_ca_file]
    defaults: { redfish_ca_file: "${sim.caFile}" }
    identify: echo "identify by script for $name" >&2; exit 4
`,
    })
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
    await sim?.stop()
  })

  async function client(args: string[]) {
    const result = await runCli(
      [...args, '--json', '--url', server.url, '--token', server.powerToken],
      {
        timeoutMs: 60_000,
      },
    )
    if (result.stdout === '')
      throw new Error(`${args.join(' ')} printed nothing (exit ${result.code}): ${result.stderr}`)
    const nodes = new Map(
      (JSON.parse(result.stdout).nodes as JsonNode[]).map((node) => [node.name, node]),
    )
    return { code: result.code, nodes }
  }

  /** Wait until the server's log holds `text` (it is read from a pipe, a bit later). */
  const logged = (text: string) =>
    eventually(`the server to log "${text}"`, () => server.logs().includes(text), {
      detail: () => server.logs(),
    })

  const resets = async (name: string) =>
    (await sim.report(name)).events.flatMap((e) => (e.type === 'reset' ? [e.resetType] : []))

  test('status: On is on, Off is off; the whole answering set exits 111', async () => {
    const { code, nodes } = await client(['status', 'on1,off1,force,old'])
    expect(code).toBe(111)
    expect(nodes.get('on1')).toMatchObject({ success: true, state: 'on', message: null })
    for (const name of ['off1', 'force', 'old'])
      expect(nodes.get(name)).toMatchObject({ success: true, state: 'off' })
  })

  test('on, restart, cycle, shutdown, off: the reset types SPEC §11 names', async () => {
    for (const command of ['on', 'restart', 'cycle', 'shutdown', 'off']) {
      const { code, nodes } = await client([command, 'off1', '--yes'])
      expect([command, code, nodes.get('off1')?.message]).toEqual([command, 0, null])
    }
    expect(await resets('off1')).toEqual([
      'On',
      'ForceRestart',
      'PowerCycle',
      'GracefulShutdown',
      'ForceOff',
    ])
    expect((await sim.report('off1')).systems[0]?.powerState).toBe('Off')
  })

  test('a ForceOn-only service (ActionInfo) is switched on with ForceOn', async () => {
    const { code } = await client(['on', 'force'])
    expect(code).toBe(0)
    expect(await resets('force')).toEqual(['ForceOn'])
    expect((await client(['status', 'force'])).nodes.get('force')?.state).toBe('on')
  })

  test('identify: LocationIndicatorActive, IndicatorLED on an older service; --off', async () => {
    expect((await client(['identify', 'on1,old'])).code).toBe(0)
    expect((await sim.report('on1')).systems[0]?.indicatorActive).toBe(true)
    expect((await sim.report('old')).events).toContainEqual({
      type: 'indicator',
      system: '1',
      property: 'IndicatorLED',
      value: 'Lit',
    })
    expect((await client(['identify', 'on1', '--off'])).code).toBe(0)
    expect((await sim.report('on1')).systems[0]?.indicatorActive).toBe(false)
  })

  test('bootdev PATCHes Boot with If-Match, and survives an ETag conflict', async () => {
    const { code, nodes } = await client(['bootdev', 'pxe', 'on1,raced', '--persistent', '--uefi'])
    expect([code, nodes.get('raced')?.message]).toEqual([0, null])
    for (const name of ['on1', 'raced'])
      expect((await sim.report(name)).systems[0]?.boot).toEqual({
        BootSourceOverrideTarget: 'Pxe',
        BootSourceOverrideEnabled: 'Continuous',
        BootSourceOverrideMode: 'UEFI',
      })
    const patches = (await sim.report('raced')).requests.filter((r) => r.method === 'PATCH')
    expect(patches.map((r) => r.status)).toEqual([412, 200])
    expect(patches.every((r) => r.ifMatch !== null)).toBe(true)
  })

  test('two systems without redfish_system: the node fails naming both', async () => {
    const { code, nodes } = await client(['status', 'twin'])
    expect(code).toBe(1)
    expect(nodes.get('twin')).toMatchObject({ success: false, state: 'unknown' })
    expect(nodes.get('twin')?.message).toBe(
      `BMC "${host('twin')}" has 2 systems (/redfish/v1/Systems/A, /redfish/v1/Systems/B): set redfish_system to one of them`,
    )
  })

  test('503 with Retry-After is waited out within the platform retries', async () => {
    const { code, nodes } = await client(['status', 'busy'])
    expect([code, nodes.get('busy')?.state]).toEqual([111, 'off'])
    expect((await sim.report('busy')).requests.map((r) => r.status).slice(0, 3)).toEqual([
      503, 503, 201,
    ])
  })

  test('a silent BMC times out, and the server does not hold its connection past it', async () => {
    const { code, nodes } = await client(['status', 'silent'])
    expect(code).toBe(1)
    expect(nodes.get('silent')?.message).toBe(
      `timed out after 2s waiting for BMC "${host('silent')}"`,
    )
    const deadline = Date.now() + 20_000
    while ((await sim.report('silent')).openConnections > 0 && Date.now() < deadline)
      await Bun.sleep(50)
    expect((await sim.report('silent')).openConnections).toBe(0)
  })

  test('a wrong password: the BMC message for the node, the password in no log or argv', async () => {
    const { nodes } = await client(['status', 'locked'])
    expect(nodes.get('locked')?.success).toBe(false)
    expect(nodes.get('locked')?.message).toContain('Invalid username or password')
    await logged('Invalid username or password')
    expect(server.logs()).not.toContain(WRONG)
    expect(server.logs()).not.toContain(SERVER_PASSWORD)
    expect(readFileSync(`/proc/${server.pid}/cmdline`, 'utf8')).not.toContain(WRONG)
  })

  test('TLS: without the CA refused naming redfish_ca_file; redfish_insecure works, logged once', async () => {
    const { nodes } = await client(['status', 'stranger,trusting'])
    expect(nodes.get('stranger')?.success).toBe(false)
    expect(nodes.get('stranger')?.message).toContain('redfish_ca_file')
    expect((await sim.report('stranger')).requests).toEqual([])
    expect(nodes.get('trusting')).toMatchObject({ success: true, state: 'off' })
    await client(['status', 'trusting'])
    // Both requests' lines read, so any warning logged while handling them is read too.
    const requests = () => server.logs().match(/ GET \/\?nodes=\S*trusting\S* \d{3} /g) ?? []
    await eventually('the server to log both requests for trusting', () => requests().length >= 2, {
      detail: () => server.logs(),
    })
    const warned = server
      .logs()
      .split('\n')
      .filter((line) => line.includes('certificate checks are off'))
    expect(warned).toEqual([
      `warn: redfish: BMC "${host('trusting')}": certificate checks are off (redfish_insecure: true)`,
    ])
  })

  test('a script beside the driver overrides that one action only', async () => {
    const { nodes } = await client(['identify', 'mixed'])
    expect(nodes.get('mixed')?.message).toBe('identify by script for mixed')
    expect((await sim.report('mixed')).events.filter((e) => e.type === 'indicator')).toEqual([])
    expect((await client(['status', 'mixed'])).nodes.get('mixed')?.state).toBe('on')
  })

  test('one session per BMC across requests; deleted when the server stops', async () => {
    const created = (await sim.report('on1')).events.filter((e) => e.type === 'session-created')
    expect(created).toHaveLength(1)
    expect((await sim.report('on1')).sessions).toBe(1)
    expect(await server.stop()).toBe(0)
    expect((await sim.report('on1')).sessions).toBe(0)
    expect((await sim.report('on1')).events.at(-1)?.type).toBe('session-deleted')
  })
})

describe('the shipped redfish platform of etc/topology.yaml', () => {
  let sim: SimulatorProcess
  let server: TestServer

  beforeAll(async () => {
    sim = await spawnSimulator([{ name: 'n1', password: 'shipped-pass-17' }])
    server = await startServer({
      env: { REDFISH_PASSWORD: 'shipped-pass-17' },
      topology: defaultTopologyWith({
        node01: {
          platform: 'redfish',
          bmc: sim.bmcs[0]!.host,
          redfish_username: 'admin',
          redfish_ca_file: sim.caFile!,
        },
      }),
    })
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
    await sim?.stop()
  })

  test('needs only node variables: on, then status says on', async () => {
    const flags = ['--url', server.url, '--token', server.powerToken]
    expect((await runCli(['on', 'node01', ...flags])).code).toBe(0)
    const status = await runCli(['status', 'node01', ...flags])
    expect([status.code, status.stdout.trim()]).toEqual([0, 'node01  On'])
    expect((await sim.report('n1')).systems[0]?.powerState).toBe('On')
  })
})
