import { describe, expect, test } from 'bun:test'
import { parseTopology } from '../topology/index.ts'
import type { Driver, Step } from './driver.ts'
import { createDriverSet } from './driver-set.ts'

/** A driver that says who it is in its message. */
function named(name: string, supports = true): Driver & { seen: string[] } {
  const seen: string[] = []
  return {
    seen,
    supports: () => supports,
    async attempt(step) {
      seen.push(step.key)
      return { exitCode: 0, timedOut: false, message: name, durationMs: 0 }
    },
  }
}

const topology = parseTopology(`static_nodes:
  s1: { platform: scripted }
  r1: { platform: rf }
platforms:
  scripted: { power_on: exit 0 }
  rf: { driver: redfish, identify: echo blink }
`)

function step(node: string, key: Step['key']): Step {
  const n = topology.nodes.get(node)!
  return { node: n, platform: topology.platforms.get(n.platform)!, key, env: {}, timeoutMs: 1000 }
}

describe('createDriverSet', () => {
  test('a script wins; other keys of a driver platform go to its built-in driver', async () => {
    const script = named('script', false)
    script.supports = (platform, key) => platform.scripts[key] !== undefined
    const redfish = named('redfish')
    const set = createDriverSet({ script, builtin: { redfish } })
    expect((await set.attempt(step('r1', 'identify'))).message).toBe('script')
    expect((await set.attempt(step('r1', 'status'))).message).toBe('redfish')
    expect((await set.attempt(step('s1', 'power_on'))).message).toBe('script')
    expect([script.seen, redfish.seen]).toEqual([['identify', 'power_on'], ['status']])
    expect(set.supports(topology.platforms.get('rf')!, 'bootdev')).toBe(true)
    expect(set.supports(topology.platforms.get('scripted')!, 'bootdev')).toBe(false)
  })

  test('a driver platform whose driver is not given fails per node, never throws', async () => {
    const set = createDriverSet({ script: named('script') })
    expect(set.supports(topology.platforms.get('rf')!, 'status')).toBe(false)
    expect(await set.attempt(step('r1', 'status'))).toMatchObject({
      exitCode: null,
      message: 'driver "redfish" is not available in this process',
    })
  })

  test('checks its options', () => {
    expect(() => createDriverSet({} as never)).toThrow('"script" must be a driver')
  })
})
