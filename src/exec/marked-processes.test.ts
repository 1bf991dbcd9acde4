import { afterAll, expect, test } from 'bun:test'
import { findMarked, type MarkedProcess } from './marked-processes.ts'

const NAME = 'FLIGHT_RUN_ID_TEST'
const spawned: Bun.Subprocess[] = []
afterAll(() => {
  for (const child of spawned) child.kill('SIGKILL')
})

const search = (markers: string[], exclude = -1): MarkedProcess[] =>
  findMarked({ name: NAME, markers: new Set(markers), uid: process.getuid!(), exclude })

/**
 * Sleeping processes with exactly these environments, each ending with `NAME=ready` unless it
 * sets NAME itself, returned once a search finds every one of them by that (so each has its own
 * environment by then, not its parent's).
 */
async function sleepers(...envs: Record<string, string>[]): Promise<number[]> {
  const pids = envs.map((env) => {
    const child = Bun.spawn(['sleep', '4711'], {
      // Last, unless the environment places NAME itself.
      env: { ...env, [NAME]: env[NAME] ?? 'ready' },
      stdio: ['ignore', 'ignore', 'ignore'],
    })
    spawned.push(child)
    return child.pid
  })
  const until = Date.now() + 10_000
  const markers = envs.map((env) => env[NAME] ?? 'ready')
  const ready = () => search(markers).map((found) => found.pid)
  while (!pids.every((pid) => ready().includes(pid)) && Date.now() < until) await Bun.sleep(10)
  return pids
}

test('reads an environment larger than the read buffer to its end', async () => {
  // Two values of 100 KB (Linux caps one at 128 KiB), so the marker lies past 200 KB.
  const [big, small] = await sleepers(
    { A: 'a'.repeat(100_000), B: 'b'.repeat(100_000) },
    { A: 'x' },
  )
  const found = search(['ready'])
  expect(found).toContainEqual({ pid: big!, marker: 'ready' })
  expect(found).toContainEqual({ pid: small!, marker: 'ready' })
})

test('only a whole NAME=marker entry counts', async () => {
  const [longer, otherNames, inValue] = await sleepers(
    { [NAME]: 'run-10' },
    { [`X${NAME}`]: 'run-1', [`${NAME}X`]: 'run-1', [NAME]: 'ready' },
    { A: `${NAME}=run-1` },
  )
  // Looking for run-1 as well, each is found by the entry it really has.
  const found = search(['run-1', 'ready', 'run-10'])
  expect(found).toContainEqual({ pid: longer!, marker: 'run-10' })
  expect(found).toContainEqual({ pid: otherNames!, marker: 'ready' })
  expect(found).toContainEqual({ pid: inValue!, marker: 'ready' })
  expect(found.filter((process) => process.marker === 'run-1')).toEqual([])
})

test('the caller itself is never listed', async () => {
  const [pid] = await sleepers({})
  expect(search(['ready']).map((found) => found.pid)).toContain(pid!)
  expect(search(['ready'], pid).map((found) => found.pid)).not.toContain(pid!)
})
