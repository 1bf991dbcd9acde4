import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SHIPPED_EXEC_PATH, SHIPPED_UNIT, serviceUnit, unitExecPath } from './service-unit.ts'

describe('serviceUnit', () => {
  test('the embedded unit is etc/flight-power-server.service', () => {
    const shipped = readFileSync(join(import.meta.dir, '../../../etc/flight-power-server.service'))
    expect(SHIPPED_UNIT).toBe(shipped.toString('utf8'))
  })

  test('points ExecStart at the binary and EnvironmentFile at the config; the rest is as shipped', () => {
    const unit = serviceUnit({
      execPath: '/usr/local/bin/flight-power',
      configFile: '/etc/fp.conf',
    })
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/bin\/flight-power serve$/m)
    expect(unit).toMatch(/^EnvironmentFile=-\/etc\/fp\.conf$/m)
    expect(unit.split('\n').length).toBe(SHIPPED_UNIT.split('\n').length)
    const unchanged = (text: string) =>
      text.split('\n').filter((l) => !/^(ExecStart|EnvironmentFile)=/.test(l))
    expect(unchanged(unit)).toEqual(unchanged(SHIPPED_UNIT))
  })

  test('escapes systemd specifiers and quotes paths with spaces', () => {
    const unit = serviceUnit({
      execPath: '/opt/my tools/100%/$fp',
      configFile: '/etc/50%.conf',
    })
    expect(unit).toMatch(/^ExecStart="\/opt\/my tools\/100%%\/\$fp" serve$/m)
    expect(unit).toMatch(/^EnvironmentFile=-\/etc\/50%%\.conf$/m)
  })

  test('refuses relative paths and newlines', () => {
    expect(() => serviceUnit({ execPath: 'flight-power', configFile: '/c' })).toThrow(TypeError)
    expect(() => serviceUnit({ execPath: '/b', configFile: '/c\nExecStartPre=/bin/evil' })).toThrow(
      TypeError,
    )
  })

  test('run from source (execPath is bun), the unit keeps the shipped binary path', () => {
    expect(unitExecPath()).toBe(SHIPPED_EXEC_PATH)
  })
})
