import { expect, test } from 'bun:test'
import { UnreachableError } from './errors.ts'
import { waitForState } from './wait.ts'
import type { NodeResult } from './wire.ts'

/** A fake clock whose sleep advances time, so waiting costs nothing. */
function clock() {
  let time = 0
  const sleeps: number[] = []
  return {
    now: () => time,
    sleep: async (ms: number) => void (sleeps.push(ms), (time += ms)),
    sleeps,
  }
}

function result(name: string, state: 'on' | 'off' | 'unknown'): NodeResult {
  return {
    name,
    platform: 'p',
    missing: false,
    success: state !== 'unknown',
    state,
    exitCode: 0,
    durationMs: 1,
    message: null,
  }
}

test('polls only pending nodes until each reaches the target, backing off', async () => {
  const fake = clock()
  const asked: string[][] = []
  const onAt: Record<string, number> = { a: 0, b: 2000, c: 4000 }
  const wait = await waitForState(
    ['a', 'b', 'c'],
    async (names) => {
      asked.push([...names])
      return names.map((name) => result(name, fake.now() >= onAt[name]! ? 'on' : 'off'))
    },
    { target: 'on', timeoutMs: 10_000, ...fake },
  )
  expect([...wait.nodes.values()].every((node) => node.reached)).toBe(true)
  expect(asked).toEqual([['a', 'b', 'c'], ['b', 'c'], ['b', 'c'], ['c']])
  expect(fake.sleeps).toEqual([1000, 1500, 2250])
})

test('reports the nodes that never arrive, with their last state, at the deadline', async () => {
  const fake = clock()
  const wait = await waitForState(
    ['a', 'b'],
    async (names) => names.map((name) => result(name, name === 'a' ? 'off' : 'on')),
    {
      target: 'off',
      timeoutMs: 3000,
      ...fake,
    },
  )
  expect(wait.nodes.get('a')).toMatchObject({ reached: true })
  expect(wait.nodes.get('b')).toMatchObject({ reached: false, last: { state: 'on' } })
  expect(fake.now()).toBe(3000)
})

test('an unreachable server is retried until the deadline; other errors end the wait', async () => {
  const fake = clock()
  let calls = 0
  const wait = await waitForState(
    ['a'],
    async (names) => {
      if (++calls < 3) throw new UnreachableError('down')
      return names.map((name) => result(name, 'on'))
    },
    { target: 'on', timeoutMs: 60_000, ...fake },
  )
  expect(wait.nodes.get('a')?.reached).toBe(true)
  const failing = waitForState(['a'], async () => Promise.reject(new Error('boom')), {
    target: 'on',
    timeoutMs: 1000,
    ...fake,
  })
  await expect(failing).rejects.toThrow('boom')
})
