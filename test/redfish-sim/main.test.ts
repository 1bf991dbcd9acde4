/**
 * The simulator as a separate process: the ready line, the control API a parent reads the
 * record from, a clean exit on SIGTERM (certificates removed), and bad arguments refused.
 */
import { expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSimulator } from './index.ts'

const MAIN = join(import.meta.dir, 'main.ts')
/** Only a guard against hanging on a loaded machine. */
const GUARD_MS = 60_000

test(
  'a child process serves its BMCs and reports their record through the control API',
  async () => {
    const sim = await spawnSimulator([{ name: 'a', power: 'On' }, { name: 'b' }])
    try {
      expect(sim.bmcs.map((b) => b.name)).toEqual(['a', 'b'])
      const ca = readFileSync(sim.caFile ?? '', 'utf8')
      const reset = await fetch(
        `${sim.bmcs[1]?.url}/redfish/v1/Systems/1/Actions/ComputerSystem.Reset`,
        {
          method: 'POST',
          headers: { Authorization: `Basic ${btoa('admin:password')}` },
          body: JSON.stringify({ ResetType: 'On' }),
          tls: { ca },
        },
      )
      expect(reset.status).toBe(200)
      const b = await sim.report('b')
      expect(b.systems[0]?.powerState).toBe('On')
      expect(b.events).toEqual([{ type: 'reset', system: '1', resetType: 'On' }])
      await sim.setPower('a', 'Off')
      expect((await sim.report('a')).systems[0]?.powerState).toBe('Off')
      await sim.clearRecord('b')
      expect((await sim.report('b')).events).toEqual([])
    } finally {
      await sim.stop()
    }
    expect(existsSync(sim.caFile ?? '')).toBe(false)
  },
  GUARD_MS,
)

test(
  'bad arguments and a bad config are refused with one sentence and exit 2 or 1',
  async () => {
    const run = async (args: string[]) => {
      const proc = Bun.spawn([process.execPath, MAIN, ...args], { stdout: 'pipe', stderr: 'pipe' })
      const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited])
      return { code, stderr }
    }
    const count = await run(['--count', 'many'])
    expect(count.code).toBe(2)
    expect(count.stderr).toContain(
      'Cannot start Redfish simulator: --count: expected a whole number >= 1, got "many"',
    )
    const missing = await run(['--config', '/nonexistent/bmcs.json'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--config "/nonexistent/bmcs.json"')
    const file = join(mkdtempSync(join(tmpdir(), 'redfish-sim-test-')), 'bmcs.json')
    writeFileSync(file, JSON.stringify({ bmcs: [{ power: 'Maybe' }] }))
    const knob = await run(['--config', file])
    expect(knob.code).toBe(1)
    expect(knob.stderr).toContain('bmcs[0].power: expected one of On, Off, got "Maybe"')
  },
  GUARD_MS,
)
