import { describe, expect, test } from 'bun:test'
import { TopologyError } from './errors.ts'
import { parseTopology } from './load.ts'
import { supportedActions } from './supported-actions.ts'

describe("a platform's driver (SPEC §11)", () => {
  test('driver: redfish needs no scripts and supports every action', () => {
    const topology = parseTopology(`static_nodes: { n1: { platform: rf, bmc: n1-bmc.example } }
platforms:
  rf: { driver: redfish }
`)
    const platform = topology.platforms.get('rf')!
    expect(platform.driver).toBe('redfish')
    expect(platform.scripts).toEqual({})
    expect(supportedActions(platform)).toEqual([
      'power_on',
      'power_off',
      'restart',
      'status',
      'cycle',
      'shutdown',
      'identify',
      'bootdev',
    ])
  })

  test('scripts beside the driver are kept, to override single actions', () => {
    const topology = parseTopology(`static_nodes: {}
platforms:
  rf: { driver: redfish, identify: echo blink }
`)
    expect(topology.platforms.get('rf')!.scripts).toEqual({ identify: 'echo blink' })
  })

  test('a platform without driver has none, as in power-server 1.0', () => {
    const topology = parseTopology(`static_nodes: {}
platforms:
  p: { power_on: exit 0 }
`)
    expect(topology.platforms.get('p')!.driver).toBeUndefined()
    expect(supportedActions(topology.platforms.get('p')!)).toEqual(['power_on'])
  })

  test('an unknown driver is an error at its line', () => {
    let error: unknown
    try {
      parseTopology(`static_nodes: {}\nplatforms:\n  rf:\n    driver: redfsh\n`, 'bad.yaml')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(TopologyError)
    expect((error as TopologyError).problems).toEqual([
      { line: 4, key: 'platforms.rf.driver', message: 'unknown driver "redfsh": expected redfish' },
    ])
  })
})
