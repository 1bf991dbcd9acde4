import { describe, expect, test } from 'bun:test'
import { createEngine } from './engine.ts'
import type { EngineLog } from './log.ts'
import type { NodeResult } from './node-result.ts'
import type { StepSeen } from './observer.ts'
import { startStatePoll } from './state-poll.ts'
import { fakeClock, fakeDriver, topologyOf } from './testing.ts'
import type { Runner } from '../exec/index.ts'

const ALL = '{ power_on: x, power_off: x, restart: x, status: x }'
const noRunner = {} as Runner

function setup(options: { concurrency?: number; answer?: Parameters<typeof fakeDriver>[1] } = {}) {
  const clock = fakeClock()
  const lines: string[] = []
  const log = (line: string) => void lines.push(line)
  const logger: EngineLog = { debug() {}, info: log, warn() {} }
  const driver = fakeDriver(clock, options.answer)
  const engine = createEngine({
    runner: noRunner,
    logger,
    concurrency: options.concurrency ?? 50,
    clock,
    driver,
  })
  const later = async (ms: number) => {
    const done = clock.sleep(ms)
    await clock.settle()
    await done
  }
  return { clock, driver, engine, lines, later }
}

const names = (count: number) =>
  Array.from({ length: count }, (_, i) => `n${String(i + 1).padStart(2, '0')}`)

describe('the last known state, fed by the engine', () => {
  test('status results set it; a change is logged; power actions only record the last action', async () => {
    let off = false
    const { clock, engine, lines } = setup({
      answer: (step) => (step.key === 'status' && off ? { exitCode: 111 } : {}),
    })
    const topology = topologyOf(2, ALL)
    const status = () => engine.run({ action: 'status', names: names(2), topology })
    let run = status()
    await clock.settle()
    await run
    expect(engine.lastState.get('n01')).toMatchObject({ state: 'on', seenBy: 'status' })
    run = engine.run({ action: 'power_off', names: ['n01'], topology })
    await clock.settle()
    await run
    // A power_off the BMC accepted is not a reading: the state stays what status last said.
    expect(engine.lastState.get('n01')).toMatchObject({
      state: 'on',
      lastAction: { action: 'power_off', success: true },
    })
    off = true
    run = status()
    await clock.settle()
    await run
    expect(lines.filter((line) => line.startsWith('state '))).toEqual([
      'state node=n01 from=on to=off seen_by=status',
      'state node=n02 from=on to=off seen_by=status',
    ])
  })

  test('cached status runs nothing for fresh nodes and asks exactly the stale ones', async () => {
    const { clock, driver, engine, later } = setup({
      answer: (step) => (step.node.name === 'n02' ? { exitCode: 111 } : {}),
    })
    const topology = topologyOf(4, ALL)
    let run = engine.run({ action: 'status', names: names(2), topology })
    await clock.settle()
    await run
    await later(60_000)
    run = engine.run({ action: 'status', names: ['n03'], topology })
    await clock.settle()
    await run
    await later(10_000)
    const before = driver.steps.length

    run = engine.run({ action: 'status', names: names(4), topology, cached: { maxAgeMs: 30_000 } })
    await clock.settle()
    const results = await run
    const asked = driver.steps.slice(before).map((step) => step.node)
    // n01 and n02 were read 70 s ago, n04 never: asked. n03 was read 10 s ago: cached.
    expect(asked.sort()).toEqual(['n01', 'n02', 'n04'])
    const n03 = results[2]!
    expect(n03).toMatchObject({ name: 'n03', success: true, state: 'on', durationMs: 0 })
    expect(n03.cached).toEqual({
      seenAt: new Date(60_000).toISOString(),
      ageMs: 10_000,
      seenBy: 'status',
    })
    expect(results[1]).toMatchObject({ state: 'off' })
    expect(results[1]!.cached).toBeUndefined()

    const again = driver.steps.length
    run = engine.run({ action: 'status', names: names(4), topology, cached: {} })
    await clock.settle()
    const all = await run
    expect(driver.steps.length).toBe(again)
    expect(all.map((result) => result.state)).toEqual(['on', 'off', 'on', 'on'])
    expect(all.every((result) => result.cached !== undefined)).toBe(true)
  })

  test('observers see every result and every step, with platform and action', async () => {
    const { clock, engine } = setup()
    const results: NodeResult[] = []
    const steps: StepSeen[] = []
    const stop = engine.observe({ result: (r) => results.push(r), step: (s) => steps.push(s) })
    const topology = topologyOf(2, ALL)
    const run = engine.run({ action: 'power_on', names: ['n01', 'n02', 'nope'], topology })
    await clock.settle()
    await run
    expect(results.map((r) => `${r.name} ${r.success}`).sort()).toEqual([
      'n01 true',
      'n02 true',
      'nope false',
    ])
    expect(steps.map((s) => `${s.node} ${s.platform} ${s.action} ${s.key}`).sort()).toEqual([
      'n01 p power_on power_on',
      'n02 p power_on power_on',
    ])
    stop()
    const next = engine.run({ action: 'status', names: ['n01'], topology })
    await clock.settle()
    await next
    expect(results.length).toBe(3)
  })
})

describe('the background state poll', () => {
  test('reads the nodes not read lately, within a quarter of the limit', async () => {
    let statuses = 0
    let maxStatuses = 0
    const { clock, driver, engine } = setup({
      concurrency: 8,
      answer: async (step) => {
        const status = step.key === 'status'
        if (status) maxStatuses = Math.max(maxStatuses, ++statuses)
        await clock.sleep(100)
        if (status) statuses--
        return {}
      },
    })
    const topology = topologyOf(20, ALL)
    const first = engine.run({ action: 'status', names: names(10), topology })
    await clock.settle()
    await first
    maxStatuses = 0
    const before = driver.steps.length
    const poll = startStatePoll({
      engine,
      getTopology: () => topology,
      intervalSeconds: 60,
      // The end of a round is logged: stop there, so the fake clock runs out of timers.
      logger: { debug: () => poll.stop(), info() {}, warn() {} },
      clock,
    })
    // A client's request at the same time still gets the rest of the limit.
    const client = engine.run({ action: 'restart', names: names(20).slice(10), topology })
    await clock.settle()
    await client
    expect(poll.rounds).toBe(1)
    const polled = driver.steps.slice(before).filter((step) => step.key === 'status')
    expect(polled.map((step) => step.node).sort()).toEqual(names(20).slice(10))
    expect(maxStatuses).toBe(2)
    expect(driver.maxRunning).toBe(8)
    expect(names(20).every((name) => engine.lastState.get(name)?.state === 'on')).toBe(true)
  })

  test('rejects an interval that is not a positive number', () => {
    const { engine } = setup()
    const topology = topologyOf(1, ALL)
    expect(() =>
      startStatePoll({
        engine,
        getTopology: () => topology,
        intervalSeconds: 0,
        logger: { debug() {}, info() {}, warn() {} },
      }),
    ).toThrow('"intervalSeconds" must be a positive number')
  })
})
