/** `flight-power redfish probe BMC` through the real binary against simulated BMCs. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { runCli } from './harness.ts'
import { startSimulator, type Simulator } from './redfish-sim/index.ts'

const PASSWORD = 'probe-pass-2231'

describe('redfish probe', () => {
  let sim: Simulator

  beforeAll(async () => {
    sim = await startSimulator({
      bmcs: [
        { name: 'modern', power: 'On', password: PASSWORD },
        {
          name: 'older',
          password: PASSWORD,
          systems: ['A', 'B'],
          indicator: 'IndicatorLED',
          resetTypes: ['ForceOn', 'ForceOff'],
          resetInfo: 'ActionInfo',
          bootTargets: ['None', 'Pxe', 'Hdd'],
        },
      ],
    })
  })

  afterAll(() => sim.stop())

  const probe = (host: string, extra: string[] = [], env: Record<string, string> = {}) =>
    runCli(['redfish', 'probe', host, '--user', 'admin', ...extra], {
      env: { REDFISH_PASSWORD: PASSWORD, ...env },
    })

  test('prints systems, PowerState, reset types, boot targets and the indicator', async () => {
    const result = await probe(sim.bmc('modern').host, ['--ca-file', sim.caFile!])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('systems: 1\n')
    expect(result.stdout).toContain('/redfish/v1/Systems/1\n  PowerState:     On\n')
    expect(result.stdout).toContain(
      'reset types:    On, ForceOff, GracefulShutdown, GracefulRestart, ForceRestart, Nmi, ForceOn, PushPowerButton, PowerCycle (from AllowableValues)',
    )
    expect(result.stdout).toContain('indicator:      LocationIndicatorActive')
    expect(result.stdout).not.toContain(PASSWORD)
    // Its session is deleted once it has looked.
    expect(sim.bmc('modern').sessionCount()).toBe(0)
    expect(
      sim
        .bmc('modern')
        .events()
        .map((e) => e.type),
    ).toEqual(['session-created', 'session-deleted'])
  })

  test('an older service with two systems: both, ActionInfo values, IndicatorLED (JSON)', async () => {
    const result = await probe(sim.bmc('older').host, ['--ca-file', sim.caFile!, '--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.systems.map((s: { path: string }) => s.path)).toEqual([
      '/redfish/v1/Systems/A',
      '/redfish/v1/Systems/B',
    ])
    expect(report.systems[0]).toMatchObject({
      powerState: 'Off',
      resetTypes: ['ForceOn', 'ForceOff'],
      resetTypesFrom: 'ActionInfo',
      bootTargets: ['None', 'Pxe', 'Hdd'],
      indicator: 'IndicatorLED',
      etag: true,
    })
  })

  test('without the CA: refused, naming --ca-file; --insecure looks anyway', async () => {
    const refused = await probe(sim.bmc('modern').host)
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('give --ca-file with the CA that signed it, or --insecure')
    expect((await probe(sim.bmc('modern').host, ['--insecure'])).code).toBe(0)
  })

  test('a wrong password: the BMC says so; no password: a usage error naming the variable', async () => {
    const wrong = await probe(sim.bmc('modern').host, ['--insecure', '--password-env', 'OTHER'], {
      OTHER: 'not-it',
    })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('Invalid username or password')
    const none = await probe(sim.bmc('modern').host, ['--password-env', 'MISSING_VAR'])
    expect(none.code).toBe(2)
    expect(none.stderr).toBe(
      'flight-power: Missing password: set the environment variable "MISSING_VAR" (see --password-env)\n',
    )
  })
})
