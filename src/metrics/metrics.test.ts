import { describe, expect, test } from 'bun:test'
import { createEngine, type Engine, type NodeResult } from '../engine/index.ts'
import type { Runner } from '../exec/index.ts'
import { parseTopology } from '../topology/index.ts'
import { authReason, resultLabel } from './labels.ts'
import { createMetrics } from './metrics.ts'

const quiet = { debug() {}, info() {}, warn() {} }
const topology = parseTopology(
  'static_nodes:\n  n1: { platform: p }\nplatforms:\n  p: { status: x }\n',
)
const engine: Engine = createEngine({ runner: {} as Runner, logger: quiet, concurrency: 1 })

describe('labels', () => {
  const base: NodeResult = {
    name: 'n1',
    action: 'status',
    platform: 'p',
    missing: false,
    success: false,
    exitCode: null,
    durationMs: 0,
    message: 'x',
  }
  test('results fall into five values, whatever the message', () => {
    expect(resultLabel({ ...base, success: true })).toBe('success')
    expect(resultLabel(base)).toBe('failed')
    const cancelled = { message: 'cancelled: the client went away', cancelled: true as const }
    expect(resultLabel({ ...base, ...cancelled })).toBe('cancelled')
    // A script's own last line is only a message: it never makes a result "cancelled".
    expect(resultLabel({ ...base, message: 'cancelled by the BMC' })).toBe('failed')
    expect(resultLabel({ ...base, missing: true })).toBe('missing')
    const cached = { seenAt: '', ageMs: 0, seenBy: 'status' as const }
    expect(resultLabel({ ...base, success: true, cached })).toBe('cached')
  })
  test('token error codes map to a fixed set of reasons', () => {
    expect(authReason('ERR_JWT_EXPIRED')).toBe('expired')
    expect(authReason('ERR_SCOPE')).toBe('insufficient_scope')
    expect(authReason('ERR_SOMETHING_A_CLIENT_INVENTED')).toBe('invalid')
    expect(authReason('toString')).toBe('invalid')
    expect(authReason(undefined)).toBe('invalid')
  })
})

describe('createMetrics', () => {
  test('checks its options', () => {
    expect(() => createMetrics({ engine, getTopology: undefined as never })).toThrow(
      'createMetrics: "getTopology" must be a function',
    )
    expect(() => createMetrics({ engine: {} as Engine, getTopology: () => topology })).toThrow(
      'createMetrics: "engine" must be an engine',
    )
  })
  test('topology reloads are counted by result, from zero', async () => {
    const metrics = createMetrics({ engine, getTopology: () => topology })
    metrics.topologyReloaded(false)
    metrics.topologyReloaded(true)
    metrics.topologyReloaded(true)
    const text = await metrics.render()
    expect(text).toContain('flight_power_topology_reloads_total{result="success"} 2')
    expect(text).toContain('flight_power_topology_reloads_total{result="failure"} 1')
    expect(text).toContain('flight_power_nodes 1')
    metrics.close()
  })
})
