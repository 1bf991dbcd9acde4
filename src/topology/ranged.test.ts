import { describe, expect, test } from 'bun:test'
import { parseTopology } from './load.ts'
import { problemsOf as problemsIn } from './testing.ts'
import { DEFAULT_RANGED_CHUNK } from './types.ts'

const BASIC = 'power_on: x\n    power_off: x\n    restart: x\n    status: x'

const problemsOf = (text: string) => problemsIn(text, 'ranged.yaml')

describe('ranged scripts in a platform', () => {
  test('are read per script key, with the chunk size', () => {
    const topology = parseTopology(`platforms:
  p:
    ${BASIC}
    ranged:
      status: echo status
      power_cycle: echo cycle
    ranged_chunk: 32
`)
    const platform = topology.platforms.get('p')!
    expect(platform.ranged).toEqual({ status: 'echo status', power_cycle: 'echo cycle' })
    expect(platform.rangedChunk).toBe(32)
    // The per-node scripts are untouched: they stay the fallback.
    expect(platform.scripts.status).toBe('x')
  })

  test('are optional: none by default, chunks of the default size', () => {
    const platform = parseTopology(`platforms:\n  p:\n    ${BASIC}\n`).platforms.get('p')!
    expect(platform.ranged).toEqual({})
    expect(platform.rangedChunk).toBe(DEFAULT_RANGED_CHUNK)
  })

  test('bad keys, scripts and chunk sizes are errors with their line', () => {
    expect(
      problemsOf(`platforms:
  p:
    ${BASIC}
    ranged:
      stat: echo
      power_on: [a]
      power_off: ''
    ranged_chunk: 0
  q:
    ${BASIC}
    ranged: echo
    ranged_chunk: 2.5
  r:
    ${BASIC}
    ranged_chunk: 5000
    rangd: {}
`),
    ).toEqual([
      '8: platforms.p.ranged.stat: unknown script key: expected one of power_on, power_off, restart, status, power_cycle, shutdown, identify, bootdev',
      '9: platforms.p.ranged.power_on: must be a string holding a bash script',
      '10: platforms.p.ranged.power_off: must be a string holding a bash script',
      '11: platforms.p.ranged_chunk: must be a whole number of nodes from 1 to 4096',
      '17: platforms.q.ranged: must be a mapping of script keys to ranged scripts, e.g. { status: ... }, or { keys: [...], script: ... }',
      '18: platforms.q.ranged_chunk: must be a whole number of nodes from 1 to 4096',
      '24: platforms.r.ranged_chunk: must be a whole number of nodes from 1 to 4096',
      '25: platforms.r.rangd: unknown key: did you mean "ranged"?',
    ])
  })

  test('one script may serve several keys: { keys, script }; bad ones are errors at their line', () => {
    const topology = parseTopology(`platforms:
  p:
    ${BASIC}
    ranged:
      keys: [status, power_off]
      script: echo shared
`)
    expect(topology.platforms.get('p')?.ranged).toEqual({
      status: 'echo shared',
      power_off: 'echo shared',
    })
    expect(
      problemsOf(`platforms:
  p:
    ${BASIC}
    ranged:
      keys: [status, stat]
      script: echo
      extra: 1
`),
    ).toEqual([
      '8: platforms.p.ranged.keys.1: unknown script key "stat": expected one of power_on, power_off, restart, status, power_cycle, shutdown, identify, bootdev',
      '10: platforms.p.ranged.extra: unknown key: a shared ranged script has "keys" and "script"',
    ])
  })
})
