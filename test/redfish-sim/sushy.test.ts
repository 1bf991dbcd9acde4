/**
 * Faithfulness, judged by OpenStack's client: `sushy` (Debian `python3-sushy`, the library
 * Ironic drives BMCs with) logs in with a session, reads power state, resets and sets boot
 * options on simulated BMCs over verified HTTPS; it recovers from an ETag conflict its own way
 * and reports a wrong password with the BMC's message. One python run keeps this quick.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startSimulator, type Simulator } from './index.ts'

const PYTHON = '/usr/bin/python3'

// Never skipped: a proof that does not run proves nothing. .ci/run installs python3-sushy.
const probe = Bun.spawnSync([PYTHON, '-c', 'import sushy'], { stdout: 'pipe', stderr: 'pipe' })
if (probe.exitCode !== 0)
  throw new Error('sushy is not installed: apt-get install python3-sushy (.ci/run does)')

// Each step prints one JSON line; the test compares them with the simulator's record.
const SCRIPT = `
import json, sys, sushy
url, ca = sys.argv[1], sys.argv[2]
def out(**kw): print(json.dumps(kw), flush=True)

s = sushy.Sushy(url + '/redfish/v1/', username='admin', password='password', verify=ca)
system = s.get_system('/redfish/v1/Systems/1')
out(step='power', value=str(system.power_state.value))
out(step='allowed', value=sorted(v.value for v in system.get_allowed_reset_system_values()))
system.reset_system(sushy.RESET_FORCE_ON)
system.set_system_boot_options(target=sushy.BOOT_SOURCE_TARGET_PXE,
                               enabled=sushy.BOOT_SOURCE_ENABLED_CONTINUOUS,
                               mode=sushy.BOOT_SOURCE_MODE_UEFI)
system.refresh()
out(step='after', power=system.power_state.value, target=system.boot.target.value,
    enabled=system.boot.enabled.value)

raced = sushy.Sushy(sys.argv[3] + '/redfish/v1/', username='admin', password='password', verify=ca)
raced.get_system('/redfish/v1/Systems/1').set_system_boot_options(target=sushy.BOOT_SOURCE_TARGET_HDD,
                                                                  enabled=sushy.BOOT_SOURCE_ENABLED_ONCE)
out(step='raced')

try:
    sushy.Sushy(url + '/redfish/v1/', username='admin', password='wrong', verify=ca).get_system('/redfish/v1/Systems/1')
    out(step='wrong', error=None)
except sushy.exceptions.AccessError as e:
    out(step='wrong', error=str(e))
`

/** Only a guard against hanging: each Python run takes about a second, more on a loaded machine. */
const GUARD_MS = 60_000

let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({
    tls: true,
    bmcs: [
      { name: 'main', power: 'Off' },
      { name: 'raced', etagConflicts: 1 },
    ],
  })
})

afterAll(() => sim.stop())

test(
  'sushy: session, power state, reset, boot options, ETag retry, wrong password',
  async () => {
    const proc = Bun.spawn(
      [PYTHON, '-c', SCRIPT, sim.bmc('main').url, sim.caFile ?? '', sim.bmc('raced').url],
      {
        // A clean environment: requests would let an inherited REQUESTS_CA_BUNDLE beat `verify`.
        env: { PATH: '/usr/bin:/bin' },
        stdout: 'pipe',
        stderr: 'pipe',
      },
    )
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    if (code !== 0) throw new Error(`sushy script failed (exit ${code}):\n${stdout}\n${stderr}`)
    const steps = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .map((step) => [step.step, step]),
    )

    expect(steps.power.value).toBe('Off')
    expect(steps.allowed.value).toContain('ForceOn')
    expect(steps.after).toMatchObject({ power: 'On', target: 'Pxe', enabled: 'Continuous' })
    const main = sim.bmc('main')
    expect(main.events()).toEqual([
      { type: 'session-created', session: expect.any(String), user: 'admin' },
      { type: 'reset', system: '1', resetType: 'ForceOn' },
      {
        type: 'boot',
        system: '1',
        boot: {
          BootSourceOverrideTarget: 'Pxe',
          BootSourceOverrideEnabled: 'Continuous',
          BootSourceOverrideMode: 'UEFI',
        },
      },
    ])
    expect(main.requests().find((r) => r.method === 'PATCH')?.auth).toBe('session')

    // sushy answers a 412 by sending the PATCH again without If-Match.
    const raced = sim.bmc('raced')
    const patches = raced.requests().filter((r) => r.method === 'PATCH')
    expect(patches.map((p) => [p.status, p.ifMatch !== null])).toEqual([
      [412, true],
      [200, false],
    ])
    expect(raced.system().boot.BootSourceOverrideTarget).toBe('Hdd')

    expect(steps.wrong.error).toContain('401')
    expect(steps.wrong.error).toContain('Invalid username or password')
  },
  GUARD_MS,
)
