import { describe, expect, test } from 'bun:test'
import {
  actionParamsBody,
  actionParamsEnvironment,
  ActionParamsError,
  parseActionParams,
} from './action-params.ts'
import { parseTopology } from './load.ts'
import { problemsOf } from './testing.ts'

describe('the actions of SPEC §10 in a topology', () => {
  test('optional scripts, cycle_delay, retries and per-script timeouts are read', () => {
    const topology = parseTopology(`static_nodes: { n1: { platform: p } }
platforms:
  p:
    power_on: exit 0
    power_cycle: echo cycle
    shutdown: echo soft
    identify: echo id
    bootdev: echo boot
    cycle_delay: 0.5
    retries: 2
    timeout: { power_cycle: 90 }
`)
    const p = topology.platforms.get('p')!
    expect(p.scripts).toMatchObject({ power_cycle: 'echo cycle', shutdown: 'echo soft' })
    expect([p.cycleDelaySeconds, p.retries, p.timeouts.power_cycle, p.timeouts.shutdown]).toEqual([
      0.5, 2, 90, 60,
    ])
  })

  test('defaults: cycle_delay 5, retries 0', () => {
    const p = parseTopology('platforms: { p: { status: exit 0 } }').platforms.get('p')!
    expect([p.cycleDelaySeconds, p.retries]).toEqual([5, 0])
  })

  test('bad values are errors naming the line and key', () => {
    expect(
      problemsOf(`platforms:
  p:
    retries: 1.5
    cycle_delay: -1
    timeout: { cycle: 3 }
    shutdwn: x
`),
    ).toEqual([
      '3: platforms.p.retries: must be a whole number of retries from 0 to 5',
      '4: platforms.p.cycle_delay: must be a number of seconds from 0 to 600',
      '5: platforms.p.timeout.cycle: unknown script',
      '6: platforms.p.shutdwn: unknown key: did you mean "shutdown"?',
    ])
  })

  test('groups may carry a power-on rate; the short form stays valid', () => {
    const topology = parseTopology(`static_nodes:
  n1: { platform: p }
  n2: { platform: p }
groups:
  rack1: { nodes: "n[1-2]", power_on_rate: 20 }
  rack2: n1
  unlimited: { nodes: [n2], power_on_rate: 0 }
platforms: { p: { status: exit 0 } }
`)
    expect(topology.groups.get('rack1')).toEqual(['n1', 'n2'])
    expect(topology.groups.get('unlimited')).toEqual(['n2'])
    expect([...topology.groupRates]).toEqual([['rack1', 20]])
  })

  test('a bad group rate or key is an error at its line', () => {
    expect(
      problemsOf(`static_nodes: { n1: { platform: p } }
groups:
  a: { nodes: n1, power_on_rate: fast }
  b: { node: n1 }
platforms: { p: { status: exit 0 } }
`),
    ).toEqual([
      '3: groups.a.power_on_rate: must be a number of nodes per minute from 0 (no limit) to 60000',
      '4: groups.b.node: unknown key: a group has "nodes" and "power_on_rate"',
      '4: groups.b: has no "nodes"',
    ])
  })
})

describe('action parameters', () => {
  test('each action takes only its own fields, and round-trips through the body', () => {
    const params = parseActionParams('bootdev', { device: 'pxe', persistent: true })
    expect(params).toEqual({ device: 'pxe', persistent: true, uefi: false })
    expect(parseActionParams('bootdev', actionParamsBody(params))).toEqual(params)
    expect(parseActionParams('identify', undefined)).toEqual({ identify: 'on' })
    expect(parseActionParams('shutdown', { force_after: 30 })).toEqual({ forceAfter: 30 })
    expect(parseActionParams('cycle', {})).toEqual({})
  })

  test('unknown fields and bad values are refused, naming the field', () => {
    const refused = (action: Parameters<typeof parseActionParams>[0], body: unknown) => {
      try {
        parseActionParams(action, body)
      } catch (error) {
        expect(error).toBeInstanceOf(ActionParamsError)
        return (error as Error).message
      }
      throw new Error('accepted')
    }
    expect(refused('cycle', { force: true })).toBe('Unknown field "force" for cycle: it takes none')
    expect(refused('bootdev', { device: 'floppy' })).toBe(
      'Invalid "device" "floppy": expected pxe, disk, bios, cdrom, default',
    )
    expect(refused('bootdev', { device: 'pxe', persistent: 'yes' })).toBe(
      'Invalid "persistent" "yes": expected true or false',
    )
    expect(refused('identify', { state: 'blink' })).toBe(
      'Invalid "state" "blink": expected on or off',
    )
    expect(refused('shutdown', { force_after: -1 })).toStartWith('Invalid "force_after" -1')
    expect(refused('identify', [])).toBe('The request body must be a JSON object')
  })

  test('parameters reach scripts as the fixed variables only', () => {
    expect(actionParamsEnvironment({ device: 'disk', persistent: false, uefi: true })).toEqual({
      FLIGHT_POWER_BOOT_DEVICE: 'disk',
      FLIGHT_POWER_BOOT_PERSISTENT: '0',
      FLIGHT_POWER_BOOT_UEFI: '1',
    })
    expect(actionParamsEnvironment({ identify: 'off' })).toEqual({ FLIGHT_POWER_IDENTIFY: 'off' })
    expect(actionParamsEnvironment({ forceAfter: 5 })).toEqual({})
  })
})
