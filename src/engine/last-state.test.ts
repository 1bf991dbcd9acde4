import { describe, expect, test } from 'bun:test'
import { LastState } from './last-state.ts'
import { fakeClock } from './testing.ts'

function setup() {
  const clock = fakeClock()
  const lines: string[] = []
  const log = (line: string) => void lines.push(line)
  const state = new LastState({ clock, logger: { debug: log, info: log, warn: log } })
  const later = async (ms: number) => {
    const done = clock.sleep(ms)
    await clock.settle()
    await done
  }
  return { clock, lines, state, later }
}

describe('LastState', () => {
  test('a node never seen has no state and is not answered from the cache', () => {
    const { state } = setup()
    expect(state.get('n01')).toBeUndefined()
    expect(state.cached('n01')).toBeUndefined()
    expect(state.size).toBe(0)
  })

  test('records the state, its time and the action that saw it', async () => {
    const { state, later } = setup()
    await later(5000)
    state.saw('n01', 'off', 'cycle')
    expect(state.get('n01')).toEqual({ state: 'off', seenAt: 5000, seenBy: 'cycle' })
    expect(state.cached('n01')).toEqual({ state: 'off', seenAt: 5000, seenBy: 'cycle' })
  })

  test('a change is logged once, the first reading and a repeat are not', () => {
    const { state, lines } = setup()
    state.saw('n01', 'on', 'status')
    state.saw('n01', 'on', 'status')
    state.saw('n01', 'off', 'status')
    state.saw('n01', 'off', 'status')
    state.saw('n01', 'unknown', 'shutdown')
    expect(lines).toEqual([
      'state node=n01 from=on to=off seen_by=status',
      'state node=n01 from=off to=unknown seen_by=shutdown',
    ])
  })

  test('max age: a reading older than it must be asked again', async () => {
    const { state, later } = setup()
    state.saw('n01', 'on', 'status')
    await later(10_000)
    state.saw('n02', 'off', 'status')
    await later(1_000)
    expect(state.cached('n01', 5_000)).toBeUndefined()
    expect(state.cached('n02', 5_000)).toEqual({ state: 'off', seenAt: 10_000, seenBy: 'status' })
    expect(state.cached('n01')).toEqual({ state: 'on', seenAt: 0, seenBy: 'status' })
  })

  test('unknown is recorded but never answers from the cache', () => {
    const { state } = setup()
    state.saw('n01', 'unknown', 'status')
    expect(state.get('n01')?.state).toBe('unknown')
    expect(state.cached('n01')).toBeUndefined()
  })

  test('a power action records the last action and makes an older reading stale', async () => {
    const { state, later } = setup()
    state.saw('n01', 'on', 'status')
    state.saw('n02', 'on', 'status')
    await later(1000)
    state.acted('n01', 'power_off', true)
    state.acted('n02', 'identify', true)
    expect(state.get('n01')).toEqual({
      state: 'on',
      seenAt: 0,
      seenBy: 'status',
      lastAction: { action: 'power_off', at: 1000, success: true },
    })
    expect(state.cached('n01')).toBeUndefined()
    // identify does not switch power: the reading still holds.
    expect(state.cached('n02')).toEqual({ state: 'on', seenAt: 0, seenBy: 'status' })
    await later(1000)
    state.saw('n01', 'off', 'status')
    expect(state.cached('n01')).toEqual({ state: 'off', seenAt: 2000, seenBy: 'status' })
  })

  test('holds many nodes past its first capacity', () => {
    const { state } = setup()
    for (let i = 0; i < 5000; i++) state.saw(`n${i}`, i % 2 ? 'on' : 'off', 'status')
    state.acted('n4999', 'restart', false)
    expect(state.size).toBe(5000)
    expect(state.get('n0')?.state).toBe('off')
    expect(state.get('n4999')).toMatchObject({
      state: 'on',
      lastAction: { action: 'restart', success: false },
    })
  })
})
