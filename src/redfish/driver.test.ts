/**
 * The Redfish mapping of SPEC §11, step by step, against the simulator in this process over
 * real HTTPS: what each key sends, what each answer means in the exit-code language.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Step } from '../engine/index.ts'
import {
  actionParamsEnvironment,
  nodeEnvironment,
  parseTopology,
  type ActionParams,
  type ScriptKey,
  type Topology,
} from '../topology/index.ts'
import { startSimulator, type Simulator } from '../../test/redfish-sim/index.ts'
import { createRedfishDriver, type RedfishDriver } from './index.ts'

let now = 1_000_000
let sim: Simulator
let topology: Topology
let driver: RedfishDriver
const warnings: string[] = []

const BMCS = [
  { name: 'plain', power: 'On' as const },
  { name: 'off' },
  { name: 'force', resetTypes: ['ForceOn', 'ForceOff', 'ForceRestart'] as const },
  { name: 'info', resetTypes: ['ForceOn', 'ForceOff'] as const, resetInfo: 'ActionInfo' as const },
  { name: 'nocycle', power: 'On' as const, resetTypes: ['On', 'ForceOff'] as const },
  { name: 'old', indicator: 'IndicatorLED' as const },
  { name: 'raced', etagConflicts: 1 },
  { name: 'twin', systems: ['A', 'B'] },
  { name: 'slow', transitionMs: 30_000 },
  { name: 'busy', unavailable: 2, retryAfter: 1 },
  { name: 'busy2', unavailable: 2, retryAfter: 1 },
  { name: 'silent', silent: true },
  { name: 'secret', password: 'hunter2-not-logged' },
  { name: 'insecure' },
  { name: 'noca' },
]

beforeAll(async () => {
  sim = await startSimulator({ bmcs: BMCS, clock: () => now })
  const node = (name: string, extra = '', bmc = name) =>
    `  ${name}: { platform: rf, bmc: "${sim.bmc(bmc).host}", redfish_username: admin${extra} }`
  const simple = [
    'plain',
    'off',
    'force',
    'info',
    'nocycle',
    'old',
    'raced',
    'slow',
    'twin',
    'busy',
  ]
  topology = parseTopology(`
static_nodes:
${simple.map((name) => node(name)).join('\n')}
${node('twinb', ', redfish_system: B', 'twin')}
${node('hung', '', 'silent')}
  busy2: { platform: patient, bmc: "${sim.bmc('busy2').host}", redfish_username: admin }
  noca: { platform: bare, bmc: "${sim.bmc('noca').host}", redfish_username: admin }
  insecure: { platform: bare, bmc: "${sim.bmc('insecure').host}", redfish_username: admin, redfish_insecure: true }
  secret: { platform: rf, bmc: "${sim.bmc('secret').host}", redfish_username: admin, redfish_password: wrong-one }
  nouser: { platform: rf, bmc: "${sim.bmc('plain').host}" }
platforms:
  rf:
    driver: redfish
    variables: [redfish_ca_file]
    defaults: { redfish_ca_file: "${sim.caFile}" }
    status_off_exit_code: 7
    cycle_delay: 0
    timeout: 2
  patient:
    driver: redfish
    variables: [redfish_ca_file]
    defaults: { redfish_ca_file: "${sim.caFile}" }
    retries: 2
    timeout: 20
  bare:
    driver: redfish
`)
  driver = createRedfishDriver({
    env: { REDFISH_PASSWORD: 'password' },
    logger: { warn: (line) => warnings.push(line), debug: () => {} },
  })
})

afterAll(async () => {
  await driver.close()
  await sim.stop()
})

function step(name: string, key: ScriptKey, params: ActionParams = {}): Step {
  const node = topology.nodes.get(name)!
  const platform = topology.platforms.get(node.platform)!
  return {
    node,
    platform,
    key,
    env: { ...nodeEnvironment(node, platform), ...actionParamsEnvironment(params) },
    timeoutMs: platform.timeouts[key] * 1000,
  }
}

const resets = (bmc: string) =>
  sim
    .bmc(bmc)
    .events()
    .flatMap((e) => (e.type === 'reset' ? [e.resetType] : []))

describe('status', () => {
  test('On is exit 0, Off is the platform off code', async () => {
    expect(await driver.attempt(step('plain', 'status'))).toMatchObject({
      exitCode: 0,
      message: null,
    })
    expect(await driver.attempt(step('off', 'status'))).toMatchObject({ exitCode: 7 })
  })

  test('a transition is 75, "not there yet"', async () => {
    await driver.attempt(step('slow', 'power_on'))
    const attempt = await driver.attempt(step('slow', 'status'))
    expect(attempt).toMatchObject({
      exitCode: 75,
      message: 'PowerState is PoweringOn: not there yet',
    })
    now += 31_000
    expect(await driver.attempt(step('slow', 'status'))).toMatchObject({ exitCode: 0 })
  })
})

describe('resets', () => {
  test('on, off, restart, shutdown send On, ForceOff, ForceRestart, GracefulShutdown', async () => {
    for (const key of ['power_on', 'power_off', 'restart', 'shutdown'] as const)
      expect(await driver.attempt(step('off', key))).toMatchObject({ exitCode: 0 })
    expect(resets('off')).toEqual(['On', 'ForceOff', 'ForceRestart', 'GracefulShutdown'])
  })

  test('on is ForceOn where On is not allowed, inline or by ActionInfo', async () => {
    expect(await driver.attempt(step('force', 'power_on'))).toMatchObject({ exitCode: 0 })
    expect(await driver.attempt(step('info', 'power_on'))).toMatchObject({ exitCode: 0 })
    expect(resets('force')).toEqual(['ForceOn'])
    expect(resets('info')).toEqual(['ForceOn'])
  })

  test('a reset type the service does not allow fails before anything is sent', async () => {
    const attempt = await driver.attempt(step('info', 'shutdown'))
    expect(attempt.exitCode).toBeNull()
    expect(attempt.message).toContain(
      'allows no ResetType GracefulShutdown (it allows ForceOn, ForceOff)',
    )
    expect(resets('info')).toEqual(['ForceOn'])
  })

  test('cycle is PowerCycle where allowed, else ForceOff, wait for Off, On', async () => {
    expect(await driver.attempt(step('plain', 'power_cycle'))).toMatchObject({ exitCode: 0 })
    expect(resets('plain')).toEqual(['PowerCycle'])
    expect(await driver.attempt(step('nocycle', 'power_cycle'))).toMatchObject({ exitCode: 0 })
    expect(resets('nocycle')).toEqual(['ForceOff', 'On'])
    expect(sim.bmc('nocycle').system().powerState).toBe('On')
  })
})

describe('identify and bootdev', () => {
  test('identify sets LocationIndicatorActive, or IndicatorLED on older services', async () => {
    expect(await driver.attempt(step('plain', 'identify', { identify: 'on' }))).toMatchObject({
      exitCode: 0,
    })
    expect(sim.bmc('plain').system().indicatorActive).toBe(true)
    await driver.attempt(step('plain', 'identify', { identify: 'off' }))
    expect(sim.bmc('plain').system().indicatorActive).toBe(false)
    await driver.attempt(step('old', 'identify', { identify: 'on' }))
    expect(sim.bmc('old').events()).toContainEqual({
      type: 'indicator',
      system: '1',
      property: 'IndicatorLED',
      value: 'Lit',
    })
  })

  test('bootdev PATCHes Boot with If-Match', async () => {
    const params = { device: 'pxe', persistent: true, uefi: true } as const
    expect(await driver.attempt(step('plain', 'bootdev', params))).toMatchObject({ exitCode: 0 })
    expect(sim.bmc('plain').system().boot).toEqual({
      BootSourceOverrideTarget: 'Pxe',
      BootSourceOverrideEnabled: 'Continuous',
      BootSourceOverrideMode: 'UEFI',
    })
    const patches = sim
      .bmc('plain')
      .requests()
      .filter((r) => r.method === 'PATCH')
    expect(patches.at(-1)?.ifMatch).toMatch(/^"[0-9a-f]+"$/)
    await driver.attempt(step('plain', 'bootdev', { device: 'disk' }))
    expect(sim.bmc('plain').system().boot).toEqual({
      BootSourceOverrideTarget: 'Hdd',
      BootSourceOverrideEnabled: 'Once',
      BootSourceOverrideMode: 'Legacy',
    })
  })

  test('an ETag conflict reads the system again and tries once more', async () => {
    expect(await driver.attempt(step('raced', 'bootdev', { device: 'bios' }))).toMatchObject({
      exitCode: 0,
    })
    const patches = sim
      .bmc('raced')
      .requests()
      .filter((r) => r.method === 'PATCH')
    expect(patches.map((r) => r.status)).toEqual([412, 200])
    expect(sim.bmc('raced').system().boot.BootSourceOverrideTarget).toBe('BiosSetup')
  })
})

describe('systems, sessions, failures', () => {
  test('two systems without redfish_system: an error naming both; with it, that one', async () => {
    const attempt = await driver.attempt(step('twin', 'status'))
    expect(attempt.exitCode).toBeNull()
    expect(attempt.message).toContain('/redfish/v1/Systems/A, /redfish/v1/Systems/B')
    expect(attempt.message).toContain('redfish_system')
    await driver.attempt(step('twinb', 'power_on'))
    expect(sim.bmc('twin').events()).toContainEqual({ type: 'reset', system: 'B', resetType: 'On' })
  })

  test('one session per BMC, reused by every step, deleted by close()', async () => {
    const own = createRedfishDriver({
      env: { REDFISH_PASSWORD: 'password' },
      logger: { warn() {}, debug() {} },
    })
    sim.bmc('off').clearRecord()
    for (let i = 0; i < 3; i++) await own.attempt(step('off', 'status'))
    const created = () =>
      sim
        .bmc('off')
        .events()
        .filter((e) => e.type === 'session-created')
    expect(created()).toHaveLength(1)
    expect(own.sessions).toBe(1)
    expect(
      sim
        .bmc('off')
        .requests()
        .filter((r) => r.auth === 'session'),
    ).toHaveLength(4)
    await own.close()
    expect(sim.bmc('off').events().at(-1)?.type).toBe('session-deleted')
  })

  test('a wrong password: the BMC message, never the password', async () => {
    const attempt = await driver.attempt(step('secret', 'status'))
    expect(attempt.exitCode).toBeNull()
    expect(attempt.message).toContain('Invalid username or password')
    expect(JSON.stringify(attempt)).not.toContain('wrong-one')
  })

  test('503 is waited out within the platform retries, and fails without them', async () => {
    expect(await driver.attempt(step('busy2', 'status'))).toMatchObject({ exitCode: 111 })
    expect(
      sim
        .bmc('busy2')
        .requests()
        .map((r) => r.status),
    ).toEqual([503, 503, 201, 200, 200])
    const attempt = await driver.attempt(step('busy', 'status'))
    expect(attempt.exitCode).toBeNull()
    expect(attempt.message).toContain('temporarily unavailable')
  })

  test('a silent BMC times out and is not held past it', async () => {
    const attempt = await driver.attempt({
      ...step('plain', 'status'),
      node: {
        ...step('plain', 'status').node,
        variables: { ...step('plain', 'status').node.variables, bmc: sim.bmc('silent').host },
      },
      timeoutMs: 500,
    })
    expect(attempt).toMatchObject({ exitCode: null, timedOut: true })
    expect(attempt.message).toContain(
      `timed out after 0.5s waiting for BMC "${sim.bmc('silent').host}"`,
    )
    const deadline = Date.now() + 10_000
    while (sim.bmc('silent').openConnections() > 0 && Date.now() < deadline) await Bun.sleep(20)
    expect(sim.bmc('silent').openConnections()).toBe(0)
  })

  test('an unknown CA is refused naming redfish_ca_file; redfish_insecure skips it, logged once', async () => {
    const refused = await driver.attempt(step('noca', 'status'))
    expect(refused.exitCode).toBeNull()
    expect(refused.message).toContain('redfish_ca_file')
    expect(sim.bmc('noca').requests()).toHaveLength(0)
    expect(await driver.attempt(step('insecure', 'status'))).toMatchObject({ exitCode: 111 })
    await driver.attempt(step('insecure', 'status'))
    expect(warnings.filter((w) => w.includes('redfish_insecure'))).toEqual([
      `redfish: BMC "${sim.bmc('insecure').host}": certificate checks are off (redfish_insecure: true)`,
    ])
  })

  test('a node without redfish_username fails naming the variable', async () => {
    const attempt = await driver.attempt(step('nouser', 'status'))
    expect(attempt.message).toBe('nouser: variable "redfish_username" is not set')
  })
})
