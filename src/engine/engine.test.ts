import { describe, expect, test } from 'bun:test'
import { createEngine } from './engine.ts'
import type { EngineLog } from './log.ts'
import type { NodeResult } from './node-result.ts'
import { fakeClock, fakeDriver, topologyOf } from './testing.ts'
import type { Runner } from '../exec/index.ts'

const ALL = '{ power_on: x, power_off: x, restart: x, status: x }'
const quiet: EngineLog = { debug() {}, info() {}, warn() {} }
// The fake driver stands in for it: the engine never touches the runner itself.
const noRunner = {} as Runner

function setup(
  options: { rate?: number; concurrency?: number; answer?: Parameters<typeof fakeDriver>[1] } = {},
) {
  const clock = fakeClock()
  const driver = fakeDriver(clock, options.answer)
  const engine = createEngine({
    runner: noRunner,
    logger: quiet,
    concurrency: options.concurrency ?? 50,
    powerOnRate: options.rate ?? 0,
    clock,
    driver,
  })
  return { clock, driver, engine }
}

const names = (count: number) =>
  Array.from({ length: count }, (_, i) => `n${String(i + 1).padStart(2, '0')}`)
const startTimes = (results: readonly NodeResult[]) =>
  results.map((result) => Date.parse(result.startedAt ?? 'NaN'))
const gaps = (times: readonly number[]) => times.slice(1).map((time, i) => time - times[i]!)

describe('the power-on rate', () => {
  test('60 a minute starts 6 nodes one second apart; status is not limited', async () => {
    const { clock, engine } = setup({ rate: 60 })
    const topology = topologyOf(6, ALL)
    const run = engine.run({ action: 'power_on', names: names(6), topology })
    await clock.settle()
    const results = await run
    expect(results.every((result) => result.success)).toBe(true)
    expect(gaps(startTimes(results))).toEqual([1000, 1000, 1000, 1000, 1000])

    const status = engine.run({ action: 'status', names: names(6), topology })
    await clock.settle()
    expect((await status).every((result) => result.startedAt === undefined)).toBe(true)
  })

  test('a group of 30 a minute inside a global 120: the group spaced 2 s, others 0.5 s', async () => {
    const { clock, engine } = setup({ rate: 120 })
    const topology = topologyOf(
      8,
      ALL,
      'groups:\n  slow: { nodes: "n[01-04]", power_on_rate: 30 }\n  fast: n[05-08]\n',
    )
    const run = engine.run({ action: 'power_on', names: names(8), topology })
    await clock.settle()
    const times = startTimes(await run)
    expect(gaps(times.slice(0, 4))).toEqual([2000, 2000, 2000])
    const sorted = [...times].sort((a, b) => a - b)
    expect(gaps(sorted).every((gap) => gap >= 500)).toBe(true)
  })

  test('two requests share one budget', async () => {
    const { clock, engine } = setup({ rate: 60 })
    const topology = topologyOf(6, ALL)
    const a = engine.run({ action: 'power_on', names: names(6).slice(0, 3), topology })
    const b = engine.run({ action: 'restart', names: names(6).slice(3), topology })
    await clock.settle()
    const all = [...startTimes(await a), ...startTimes(await b)].sort((x, y) => x - y)
    expect(gaps(all)).toEqual([1000, 1000, 1000, 1000, 1000])
  })

  test('with no rate every node starts at once, and nobody waits', async () => {
    const { clock, engine } = setup()
    const run = engine.run({ action: 'power_on', names: names(5), topology: topologyOf(5, ALL) })
    expect(engine.waitingForRate).toBe(0)
    await clock.settle()
    expect(new Set(startTimes(await run)).size).toBe(1)
  })
})

describe('limits', () => {
  test('never more steps at once than the concurrency, and each node one action at a time', async () => {
    const { clock, driver, engine } = setup({
      concurrency: 3,
      answer: async () => {
        await clock.sleep(100)
        return {}
      },
    })
    const topology = topologyOf(10, ALL)
    const first = engine.run({ action: 'status', names: names(10), topology })
    const second = engine.run({ action: 'power_off', names: names(10), topology })
    await clock.settle()
    await Promise.all([first, second])
    expect(driver.maxRunning).toBe(3)
    for (const name of names(10)) {
      const mine = driver.steps.filter((step) => step.node === name)
      expect(mine.map((step) => step.key)).toEqual(['status', 'power_off'])
      expect(mine[1]!.at - mine[0]!.at).toBeGreaterThanOrEqual(100)
    }
  })

  test('aborting cancels nodes not started; started ones finish', async () => {
    const controller = new AbortController()
    const { clock, driver, engine } = setup({
      concurrency: 2,
      answer: async () => {
        await clock.sleep(100)
        return {}
      },
    })
    const run = engine.run({
      action: 'power_on',
      names: names(6),
      topology: topologyOf(6, ALL),
      signal: controller.signal,
    })
    await new Promise((resolve) => setImmediate(resolve))
    controller.abort()
    await clock.settle()
    const results = await run
    expect(results.filter((result) => result.success).map((r) => r.name)).toEqual(['n01', 'n02'])
    expect(results.slice(2).every((r) => r.message?.startsWith('cancelled'))).toBe(true)
    expect(driver.steps).toHaveLength(2)
  })
})

describe('retries', () => {
  test('exit 75 is tried again after 1 s, then 2 s, and attempts are counted', async () => {
    const { clock, driver, engine } = setup({
      answer: (_, count) => ({ exitCode: count < 3 ? 75 : 0 }),
    })
    const topology = topologyOf(1, '{ power_on: x, retries: 3 }')
    const run = engine.run({ action: 'power_on', names: ['n01'], topology })
    await clock.settle()
    expect(await run).toMatchObject([{ success: true, attempts: 3 }])
    expect(gaps(driver.steps.map((step) => step.at))).toEqual([1000, 2000])
  })

  test('a timeout is retried too; other failures and exhausted retries are final', async () => {
    const { clock, driver, engine } = setup({
      answer: (step) =>
        step.node.name === 'n01'
          ? { exitCode: null, timedOut: true, message: 'timed out after 60s' }
          : { exitCode: 1 },
    })
    const topology = topologyOf(2, '{ power_off: x, retries: 2 }')
    const run = engine.run({ action: 'power_off', names: ['n01', 'n02'], topology })
    await clock.settle()
    expect(await run).toMatchObject([
      { success: false, attempts: 3, message: 'timed out after 60s' },
      { success: false, attempts: 1, exitCode: 1 },
    ])
    expect(driver.steps.filter((step) => step.node === 'n02')).toHaveLength(1)
  })
})

describe('cycle', () => {
  test('without power_cycle: off, status until off, cycle_delay, on', async () => {
    const { clock, driver, engine } = setup({
      answer: (step, count) => (step.key === 'status' ? { exitCode: count < 3 ? 0 : 111 } : {}),
    })
    const topology = topologyOf(1, `{ power_on: x, power_off: x, status: x, cycle_delay: 7 }`)
    const run = engine.run({ action: 'cycle', names: ['n01'], topology })
    await clock.settle()
    expect(await run).toMatchObject([{ success: true, action: 'cycle' }])
    const seen = driver.steps.map((step) => `${step.key}@${step.at}`)
    expect(seen).toEqual([
      'power_off@0',
      'status@0',
      'status@2000',
      'status@4000',
      'power_on@11000',
    ])
  })

  test('with power_cycle: that script alone', async () => {
    const { clock, driver, engine } = setup()
    const topology = topologyOf(1, `{ power_cycle: x, power_off: x, status: x, power_on: x }`)
    const run = engine.run({ action: 'cycle', names: ['n01'], topology })
    await clock.settle()
    await run
    expect(driver.steps.map((step) => step.key)).toEqual(['power_cycle'])
  })

  test('a node that never goes off fails after the cycle timeout, and is not switched on', async () => {
    const { clock, driver, engine } = setup()
    const topology = topologyOf(1, `{ power_on: x, power_off: x, status: x, timeout: 10 }`)
    const run = engine.run({ action: 'cycle', names: ['n01'], topology })
    await clock.settle()
    expect(await run).toMatchObject([
      { success: false, message: 'still not off 10s after power_off' },
    ])
    expect(driver.steps.some((step) => step.key === 'power_on')).toBe(false)
  })
})

describe('shutdown and the rest', () => {
  test('--force-after: a node that ignores the request is powered off, forced', async () => {
    const { clock, driver, engine } = setup({
      answer: (step) =>
        step.key === 'status' ? { exitCode: step.node.name === 'n01' ? 0 : 111 } : {},
    })
    const topology = topologyOf(2, '{ shutdown: x, power_off: x, status: x }')
    const run = engine.run({
      action: 'shutdown',
      names: ['n01', 'n02'],
      topology,
      params: { forceAfter: 5 },
    })
    await clock.settle()
    expect(await run).toMatchObject([
      { success: true, forced: true },
      { success: true, forced: false },
    ])
    const offs = driver.steps.filter((step) => step.key === 'power_off').map((step) => step.node)
    expect(offs).toEqual(['n01'])
  })

  test('a platform without the script fails per node, naming it, and runs nothing', async () => {
    const { clock, driver, engine } = setup()
    const run = engine.run({ action: 'shutdown', names: ['n01'], topology: topologyOf(1, ALL) })
    await clock.settle()
    expect(await run).toMatchObject([
      { success: false, exitCode: null, message: 'platform "p" has no shutdown script' },
    ])
    expect(driver.steps).toEqual([])
  })

  test('parameters reach the step as the fixed environment variables', async () => {
    const { clock, driver, engine } = setup()
    const topology = topologyOf(1, '{ variables: [name], bootdev: x }')
    const params = { device: 'pxe', persistent: true, uefi: false } as const
    const run = engine.run({ action: 'bootdev', names: ['n01'], topology, params })
    await clock.settle()
    await run
    expect(driver.steps[0]?.env).toMatchObject({
      name: 'n01',
      FLIGHT_POWER_BOOT_DEVICE: 'pxe',
      FLIGHT_POWER_BOOT_PERSISTENT: '1',
      FLIGHT_POWER_BOOT_UEFI: '0',
    })
  })
})
