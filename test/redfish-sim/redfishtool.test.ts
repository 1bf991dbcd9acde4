/**
 * Faithfulness, judged by DMTF's own client: `redfishtool` (Debian package) reads power state,
 * resets and sets a boot override on simulated BMCs over verified HTTPS, with Basic auth and
 * with a session, and honours an ActionInfo service's allowed values. The simulator's record
 * must show exactly what redfishtool sent.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startSimulator, type Simulator } from './index.ts'

// Never skipped: a proof that does not run proves nothing. .ci/run installs it.
if (Bun.which('redfishtool') === null)
  throw new Error('redfishtool is not installed: apt-get install redfishtool (.ci/run does)')

/** Only a guard against hanging: each Python run takes about a second, more on a loaded machine. */
const GUARD_MS = 60_000

let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({
    tls: true,
    bmcs: [
      { name: 'basic', power: 'Off' },
      { name: 'session', power: 'On' },
      { name: 'force', resetTypes: ['ForceOn', 'ForceOff'], resetInfo: 'ActionInfo' },
    ],
  })
})

afterAll(() => sim.stop())

async function redfishtool(bmc: string, args: string[], password = 'password') {
  const proc = Bun.spawn(
    [
      'redfishtool',
      '-r',
      sim.bmc(bmc).host,
      '-u',
      'admin',
      '-p',
      password,
      '-S',
      'Always',
      ...args,
    ],
    {
      // A clean environment: requests would let an inherited REQUESTS_CA_BUNDLE win.
      env: { PATH: '/usr/bin:/bin', REQUESTS_CA_BUNDLE: sim.caFile ?? '' },
      stdout: 'pipe',
      stderr: 'pipe',
    },
  )
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { code, stdout, stderr }
}

test(
  'Basic auth: read PowerState, reset On, set a boot override',
  async () => {
    const before = await redfishtool('basic', ['Systems', '-I', '1', 'get', '-P', 'PowerState'])
    expect(before.code).toBe(0)
    expect(JSON.parse(before.stdout)).toEqual({ PowerState: 'Off' })

    expect((await redfishtool('basic', ['Systems', '-I', '1', 'reset', 'On'])).code).toBe(0)
    const boot = await redfishtool('basic', [
      'Systems',
      '-I',
      '1',
      'setBootOverride',
      'Once',
      'Pxe',
    ])
    expect(boot.code).toBe(0)
    expect(JSON.parse(boot.stdout).Boot.BootSourceOverrideTarget).toBe('Pxe')

    const bmc = sim.bmc('basic')
    expect(bmc.system().powerState).toBe('On')
    expect(bmc.events()).toEqual([
      { type: 'reset', system: '1', resetType: 'On' },
      {
        type: 'boot',
        system: '1',
        boot: { BootSourceOverrideEnabled: 'Once', BootSourceOverrideTarget: 'Pxe' },
      },
    ])
    // redfishtool sends back the ETag of its GET, and the simulator accepted it.
    const patch = bmc.requests().find((r) => r.method === 'PATCH')
    expect(patch?.ifMatch).toMatch(/^"[0-9a-f]+"$/)
    expect(patch?.status).toBe(200)
  },
  GUARD_MS,
)

test(
  'a session: created, used for the reset, deleted at the end',
  async () => {
    const run = await redfishtool('session', [
      '-A',
      'Session',
      'Systems',
      '-I',
      '1',
      'reset',
      'ForceOff',
    ])
    expect(run.code).toBe(0)
    const bmc = sim.bmc('session')
    expect(bmc.events().map((e) => e.type)).toEqual(['session-created', 'reset', 'session-deleted'])
    expect(bmc.requests().find((r) => r.method === 'POST' && r.path.endsWith('.Reset'))?.auth).toBe(
      'session',
    )
    expect(bmc.system().powerState).toBe('Off')
    expect(bmc.sessionCount()).toBe(0)
  },
  GUARD_MS,
)

test(
  'a wrong password fails with 401 and changes nothing',
  async () => {
    const run = await redfishtool('basic', ['Systems', '-I', '1', 'reset', 'ForceOff'], 'wrong')
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('401')
    expect(sim.bmc('basic').system().powerState).toBe('On')
  },
  GUARD_MS,
)

test(
  'ActionInfo: redfishtool reads the allowed ResetTypes and refuses On itself',
  async () => {
    const refused = await redfishtool('force', ['Systems', '-I', '1', 'reset', 'On'])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('via @Redfish.ActionInfo')
    expect((await redfishtool('force', ['Systems', '-I', '1', 'reset', 'ForceOn'])).code).toBe(0)
    const bmc = sim.bmc('force')
    expect(bmc.requests().some((r) => r.path === '/redfish/v1/Systems/1/ResetActionInfo')).toBe(
      true,
    )
    expect(bmc.events()).toEqual([{ type: 'reset', system: '1', resetType: 'ForceOn' }])
  },
  GUARD_MS,
)
